// Training transforms for image files (engine/data/train_transform.h, rand_augment.h, augment_ops.h)
// against hand-computed torchvision/PIL results on tiny images, and training streamed from a folder
// of mixed-size PNG and JPEG photos: it runs, records its settings, and resumes exactly.
#include <QtTest>

#include <ATen/ATen.h>
#include <opencv2/imgcodecs.hpp>

#include <chrono>
#include <deque>
#include <filesystem>
#include <thread>

#include "collecting_observer.h"
#include "train_run.h"
#include "engine/data/augment_ops.h"
#include "engine/data/image_batches.h"
#include "engine/data/rand_augment.h"
#include "engine/data/train_transform.h"
#include "engine/errors.h"
#include "engine/train_job.h"
#include "engine/weights_file.h"

using namespace fovea::engine;
using fovea::testing::CollectingObserver;
namespace fs = std::filesystem;

namespace {

// Hands out the numbers a test scripts, and fails the test when a transform asks for more or other ones.
class ScriptedRandom final : public RandomSource {
 public:
  ScriptedRandom(std::deque<double> uniforms, std::deque<int64_t> integers)
      : uniforms_(std::move(uniforms)), integers_(std::move(integers)) {}
  double uniform() override {
    if (uniforms_.empty()) throw std::logic_error("an unscripted uniform draw");
    const double u = uniforms_.front();
    uniforms_.pop_front();
    return u;
  }
  int64_t below(int64_t bound) override {
    if (integers_.empty()) throw std::logic_error("an unscripted integer draw below " + std::to_string(bound));
    const int64_t v = integers_.front();
    integers_.pop_front();
    if (v >= bound) throw std::logic_error("scripted " + std::to_string(v) + " is not below " + std::to_string(bound));
    return v;
  }
  bool used_up() const { return uniforms_.empty() && integers_.empty(); }

 private:
  std::deque<double> uniforms_;
  std::deque<int64_t> integers_;
};

// An RGB image whose pixel (y, x) has the same value v(y, x) in all three channels.
at::Tensor grey_rgb(const std::vector<std::vector<int>>& rows) {
  const auto h = static_cast<int64_t>(rows.size()), w = static_cast<int64_t>(rows[0].size());
  at::Tensor image = at::empty({h, w, 3}, at::kByte);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) image[y][x].fill_(rows[static_cast<size_t>(y)][static_cast<size_t>(x)]);
  return image;
}

// Distinct levels 1..h*w, row-major, in every channel.
at::Tensor numbered(int64_t h, int64_t w) {
  return (at::arange(1, h * w + 1, at::kInt).view({h, w, 1}).expand({h, w, 3})).to(at::kByte).contiguous();
}

int at_(const at::Tensor& image, int64_t y, int64_t x, int64_t c = 0) { return image[y][x][c].item<int>(); }

at::Tensor random_photo(int64_t h, int64_t w, uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  return at::randint(0, 256, {h, w, 3}, generator, at::kByte);
}

// 3 classes in train/ and val/, images of four sizes, PNG and JPEG.
void write_photo_folder(const std::string& root, int train_per_class, int val_per_class) {
  const int sizes[4][2] = {{40, 30}, {24, 56}, {64, 64}, {33, 47}};
  int n = 0;
  for (const char* split : {"train", "val"}) {
    const int count = std::string(split) == "train" ? train_per_class : val_per_class;
    for (int c = 0; c < 3; ++c) {
      const std::string folder = root + "/" + split + "/class" + std::to_string(c);
      fs::create_directories(folder);
      for (int i = 0; i < count; ++i, ++n) {
        const int h = sizes[n % 4][0], w = sizes[n % 4][1];
        // A class-dependent colour with noise: learnable, and unlike its neighbours.
        cv::Mat image(h, w, CV_8UC3, cv::Scalar(c == 0 ? 200 : 30, c == 1 ? 200 : 30, c == 2 ? 200 : 30));
        cv::Mat noise(h, w, CV_8UC3);
        cv::randu(noise, cv::Scalar::all(0), cv::Scalar::all(50));
        image += noise;
        const std::string path = folder + "/" + std::to_string(i) + (n % 2 ? ".png" : ".JPG");
        QVERIFY(cv::imwrite(path, image));
      }
    }
  }
}

std::string listed(const std::vector<double>& values) {
  std::string text;
  char number[32];
  for (const double v : values) {
    std::snprintf(number, sizeof number, "%.17g ", v);
    text += number;
  }
  return text;
}

JobState run(const TrainConfig& config, CollectingObserver& observer, int stop_after = 0) {
  return fovea::testing::run_training(config, observer, stop_after);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

class TrainTransformsTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void drawsAreReproducibleAndDistinct() {
    TrainTransform t;
    t.size = 24;
    t.rand_augment.num_ops = 2;
    const at::Tensor photo = random_photo(40, 30, 1);
    const at::Tensor a = apply_train_transform(photo, t, 7, 100);
    QCOMPARE(a.sizes(), (at::IntArrayRef{24, 24, 3}));
    QVERIFY(at::equal(a, apply_train_transform(photo, t, 7, 100)));
    QVERIFY(!at::equal(a, apply_train_transform(photo, t, 7, 101)));
    QVERIFY(!at::equal(a, apply_train_transform(photo, t, 8, 100)));
    DrawRandom first(7, 100), same(7, 100), next(7, 101);
    const double u = first.uniform();
    QCOMPARE(u, same.uniform());
    QVERIFY(u != next.uniform());
    QVERIFY(u >= 0 && u < 1);
    for (int i = 0; i < 1000; ++i) QVERIFY(first.below(3) < 3);
  }

  // Image 80 high, 100 wide (area 8000). Attempt 1: area 0.9908 * 8000, log-ratio near log(4/3): w = 103
  // does not fit. Attempt 2: area (0.08 + 0.92 * 0.5) * 8000 = 4320, ratio 1: w = h = round(65.73) = 66,
  // then top 7 of [0, 14], left 20 of [0, 34].
  void randomResizedCropFollowsTorchvision() {
    ScriptedRandom random({0.99, 0.99, 0.5, 0.5}, {7, 20});
    const CropBox box = random_resized_crop_box(80, 100, {0.08, 1.0}, {3.0 / 4.0, 4.0 / 3.0}, random);
    QCOMPARE(box, (CropBox{7, 20, 66, 66}));
    QVERIFY(random.used_up());
  }

  void randomResizedCropFallsBackToTheCenter_data() {
    QTest::addColumn<double>("ratio_low");
    QTest::addColumn<double>("ratio_high");
    QTest::addColumn<QList<int>>("expected");  // top, left, height, width
    QTest::newRow("ratio in range: whole image") << 0.75 << 4.0 / 3.0 << QList<int>{0, 0, 80, 100};
    QTest::newRow("image wider than allowed") << 0.25 << 0.5 << QList<int>{0, 30, 80, 40};
    QTest::newRow("image taller than allowed") << 2.0 << 3.0 << QList<int>{15, 0, 50, 100};
  }
  void randomResizedCropFallsBackToTheCenter() {
    QFETCH(double, ratio_low);
    QFETCH(double, ratio_high);
    QFETCH(QList<int>, expected);
    DrawRandom random(3, 9);  // any draws: an area of 1.5 to 2 times the image never fits
    const CropBox box = random_resized_crop_box(80, 100, {1.5, 2.0}, {ratio_low, ratio_high}, random);
    QCOMPARE(box, (CropBox{expected[0], expected[1], expected[2], expected[3]}));
  }

  // RandomCrop(6, padding=2) at row 1, column 3 of the padded 10x10 image, then flipped (0.2 < 0.5).
  void padCropAndFlipArePixelExact() {
    TrainTransform t;
    t.size = 6;
    t.crop = TrainCrop::PadCrop;
    t.padding = 2;
    const at::Tensor image = numbered(6, 6);  // level 6y + x + 1
    ScriptedRandom random({0.2}, {1, 3});
    const at::Tensor out = apply_train_transform(image, t, random);
    QVERIFY(random.used_up());
    QCOMPARE(out.sizes(), (at::IntArrayRef{6, 6, 3}));
    // Unflipped column x is padded column 3 + x, image column 1 + x; flipped, x reads 5 - x.
    const auto level = [](int y, int x) {  // the padded window's pixel, 0 in the padding
      const int iy = 1 + y - 2, ix = 3 + x - 2;
      return iy >= 0 && iy < 6 && ix >= 0 && ix < 6 ? 6 * iy + ix + 1 : 0;
    };
    for (int y = 0; y < 6; ++y)
      for (int x = 0; x < 6; ++x) QCOMPARE(at_(out, y, x, 1), level(y, 5 - x));
    QCOMPARE(at_(out, 0, 5), 0);   // top padding row
    QCOMPARE(at_(out, 1, 5), 2);   // image (0, 1)
    QCOMPARE(at_(out, 1, 0), 0);   // right padding, mirrored to the left

    ScriptedRandom no_flip({0.7}, {4, 0});
    const at::Tensor kept = apply_train_transform(image, t, no_flip);
    QCOMPARE(at_(kept, 0, 2), 6 * 2 + 0 + 1);  // padded (4, 2) = image (2, 0)
    QCOMPARE(at_(kept, 0, 1), 0);
  }

  void noCropIsTheEvaluationCrop() {
    TrainTransform t;
    t.size = 16;
    t.crop = TrainCrop::None;
    t.flip = false;
    const at::Tensor photo = random_photo(40, 30, 2);
    ScriptedRandom none({}, {});
    QVERIFY(at::equal(apply_train_transform(photo, t, none), apply_eval_transform(photo, EvalTransform{16, 16})));
  }

  void posterizeAndSolarize() {
    const at::Tensor image = grey_rgb({{255, 1, 128, 3, 178, 179}});
    const at::Tensor seven = augment::posterize(image, 7), four = augment::posterize(image, 4);
    const int expected7[] = {254, 0, 128, 2, 178, 178}, expected4[] = {240, 0, 128, 0, 176, 176};
    const int solarized[] = {0, 1, 128, 3, 178, 76};  // threshold 178.5: levels >= 179 become 255 - level
    const at::Tensor sol = augment::solarize(image, 178.5);
    for (int x = 0; x < 6; ++x) {
      QCOMPARE(at_(seven, 0, x, 2), expected7[x]);
      QCOMPARE(at_(four, 0, x), expected4[x]);
      QCOMPARE(at_(sol, 0, x, 1), solarized[x]);
    }
  }

  // 1024 pixels: 256 at level 10, 512 at 20, 256 at 30. step = (1024 - 256) // 256 = 3; level 10 -> 1 // 3 = 0,
  // 20 -> (1 + 256) // 3 = 85, 30 -> (1 + 768) // 3 = 256, clipped to 255.
  void equalizeFollowsImageOps() {
    std::vector<int> row(1024, 20);
    std::fill(row.begin(), row.begin() + 256, 10);
    std::fill(row.end() - 256, row.end(), 30);
    const at::Tensor out = augment::equalize(grey_rgb({row}));
    QCOMPARE(at_(out, 0, 0), 0);
    QCOMPARE(at_(out, 0, 300, 2), 85);
    QCOMPARE(at_(out, 0, 1023, 1), 255);
    // A single level, or too few pixels for a step: unchanged.
    const at::Tensor few = grey_rgb({{10, 20, 30}});
    QVERIFY(at::equal(augment::equalize(few), few));
  }

  // Levels 10..20 stretched to 0..255: scale 25.5, offset -255; int() truncates 127.5 to 127.
  void autocontrastStretchesEachChannel() {
    at::Tensor image = grey_rgb({{10, 15, 20}});
    image.select(2, 2).fill_(7);  // blue: one level, unchanged
    const at::Tensor out = augment::autocontrast(image);
    QCOMPARE(at_(out, 0, 0), 0);
    QCOMPARE(at_(out, 0, 1, 1), 127);
    QCOMPARE(at_(out, 0, 2), 255);
    QCOMPARE(at_(out, 0, 1, 2), 7);
  }

  void enhanceBlendsWithTheirDegenerateImages() {
    const at::Tensor bright = augment::adjust_brightness(grey_rgb({{100, 200, 10, 33}}), 1.5);
    QCOMPARE(at_(bright, 0, 0), 150);
    QCOMPARE(at_(bright, 0, 1), 255);  // clipped
    QCOMPARE(at_(bright, 0, 2), 15);
    QCOMPARE(at_(bright, 0, 3), 49);   // 49.5 truncated
    // Contrast: the grey mean (100 + 200) / 2 = 150 is the degenerate image.
    const at::Tensor contrast = augment::adjust_contrast(grey_rgb({{100, 200}}), 0.5);
    QCOMPARE(at_(contrast, 0, 0), 125);
    QCOMPARE(at_(contrast, 0, 1, 2), 175);
    // Color: L of (200, 100, 0) = (200 * 19595 + 100 * 38470 + 32768) >> 16 = 118.
    at::Tensor pixel = at::tensor({200, 100, 0}, at::kByte).view({1, 1, 3});
    QCOMPARE(at_(augment::grey_levels(pixel).unsqueeze(2), 0, 0), 118);
    const at::Tensor half = augment::adjust_color(pixel, 0.5);
    QCOMPARE(at_(half, 0, 0, 0), 159);
    QCOMPARE(at_(half, 0, 0, 1), 109);
    QCOMPARE(at_(half, 0, 0, 2), 59);
    QCOMPARE(at_(augment::adjust_color(pixel, 0.0), 0, 0, 2), 118);
  }

  // SMOOTH: ([1 1 1; 1 5 1; 1 1 1] . window) / 13 rounded half up inside, the border kept.
  void sharpnessUsesTheSmoothKernel() {
    const at::Tensor image = grey_rgb({{2, 0, 0, 0}, {0, 1, 130, 0}, {0, 0, 0, 0}});
    const at::Tensor smoothed = augment::smooth(image);
    QCOMPARE(at_(smoothed, 1, 1), 11);  // (2 + 5 + 130) / 13 = 10.54 -> 11
    QCOMPARE(at_(smoothed, 1, 2), 50);  // (1 + 650) / 13 = 50.08 -> 50
    QCOMPARE(at_(smoothed, 0, 0), 2);   // border
    QCOMPARE(at_(smoothed, 1, 3), 0);
    const at::Tensor sharper = augment::adjust_sharpness(image, 2.0);
    QCOMPARE(at_(sharper, 1, 2), 210);  // 50 + 2 (130 - 50)
    QCOMPARE(at_(sharper, 1, 1), 0);    // 11 + 2 (1 - 11) < 0: clipped
    QCOMPARE(at_(sharper, 0, 0), 2);
    const at::Tensor one = grey_rgb({{0, 2, 0}, {0, 1, 0}, {0, 0, 0}});
    QCOMPARE(at_(augment::smooth(one), 1, 1), 1);  // 7 / 13 = 0.54 rounds up
  }

  // PIL's affine sampling: output (x, y) reads floor of the matrix at (x + .5, y + .5); outside: black.
  void geometryFollowsPil() {
    const at::Tensor image = numbered(4, 4);  // level 4y + x + 1
    const auto level = [](int y, int x) { return y >= 0 && y < 4 && x >= 0 && x < 4 ? 4 * y + x + 1 : 0; };
    // ShearX 0.5: x reads floor(x + .5 + .5 (y + .5)): shifts 0, 1, 1, 2 by row.
    const at::Tensor sx = augment::shear_x(image, 0.5), sy = augment::shear_y(image, 0.5);
    const int shift[] = {0, 1, 1, 2};
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x) {
        QCOMPARE(at_(sx, y, x), level(y, x + shift[y]));
        QCOMPARE(at_(sy, y, x), level(y + shift[x], x));
      }
    // Translate: content moves right by dx and down by dy.
    const at::Tensor moved = augment::translate(image, 2, -1);
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x) QCOMPARE(at_(moved, y, x, 1), level(y + 1, x - 2));
    // Rotate +90 degrees is counter-clockwise: out (y, x) = in (x, 3 - y), as PIL's transpose.
    const at::Tensor turned = augment::rotate(image, 90);
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x) QCOMPARE(at_(turned, y, x), level(x, 3 - y));
    // About the center: an odd image keeps its center pixel at any angle; corners fall outside at 30.
    const at::Tensor odd = numbered(5, 5), tilted = augment::rotate(odd, 30);
    QCOMPARE(at_(tilted, 2, 2), at_(odd, 2, 2));
    QCOMPARE(at_(tilted, 0, 0), 0);
  }

  void magnitudesFollowTorchvision() {
    const RandAugmentSettings s;  // 2 ops at bin 9 of 31
    QCOMPARE(augment_magnitude(AugmentOp::Posterize, s, 32, 32), 7.0);  // 8 - round(9 / 7.5)
    QVERIFY(std::abs(augment_magnitude(AugmentOp::Solarize, s, 32, 32) - 178.5) < 1e-4);
    QVERIFY(std::abs(augment_magnitude(AugmentOp::Rotate, s, 32, 32) - 9.0) < 1e-5);
    QVERIFY(std::abs(augment_magnitude(AugmentOp::ShearY, s, 32, 32) - 0.09) < 1e-6);
    QVERIFY(std::abs(augment_magnitude(AugmentOp::Brightness, s, 32, 32) - 0.27) < 1e-6);
    QVERIFY(std::abs(augment_magnitude(AugmentOp::TranslateX, s, 10, 331) - 45.0) < 1e-4);  // 150/331 of the width
    QVERIFY(std::abs(augment_magnitude(AugmentOp::TranslateY, s, 331, 10) - 45.0) < 1e-4);
    QCOMPARE(augment_magnitude(AugmentOp::Equalize, s, 32, 32), 0.0);
    QVERIFY(augment_op_is_signed(AugmentOp::Color));
    QVERIFY(!augment_op_is_signed(AugmentOp::Solarize));
  }

  // Op 5 (Rotate) negated by the sign draw, then op 10 (Posterize), which draws no sign.
  void randAugmentDrawsOpsAndSigns() {
    const at::Tensor photo = random_photo(12, 12, 3);
    RandAugmentSettings s;
    ScriptedRandom random({}, {5, 1, 10});
    const at::Tensor out = rand_augment(photo, s, random);
    QVERIFY(random.used_up());
    const double degrees = augment_magnitude(AugmentOp::Rotate, s, 12, 12);
    QVERIFY(at::equal(out, augment::posterize(augment::rotate(photo, -degrees), 7)));
    QVERIFY(!at::equal(out, augment::posterize(augment::rotate(photo, degrees), 7)));
  }

  void badSettingsNameTheValue() {
    TrainConfig c;
    c.data_path = "x";
    QVERIFY(error_of([&] { parse_randaugment("2;9", c); }).find("'2;9'") != std::string::npos);
    parse_randaugment("3,12", c);
    QCOMPARE(c.randaugment_ops, 3);
    QCOMPARE(c.randaugment_magnitude, 12);
    c.randaugment_magnitude = 31;
    QVERIFY(error_of([&] { validate(c); }).find("got 31") != std::string::npos);
    c.randaugment_magnitude = 9;
    c.train_crop = "random";
    QVERIFY(error_of([&] { validate(c); }).find("'random'") != std::string::npos);
    c.train_crop = "pad-crop";
    c.image_size = -3;
    QVERIFY(error_of([&] { validate(c); }).find("got -3") != std::string::npos);
    c.image_size = 0;
    validate(c);
    QVERIFY(error_of([&] { parse_train_crop("zoom"); }).find("'zoom'") != std::string::npos);
  }

  // A batch shorter than the batch size (here the only one: 24 files, batch 256) is handed out only when
  // all its rows are written, even when its first chunk of 16 rows is the slowest.
  void shortBatchWaitsForAllItsRows() {
    QTemporaryDir dir;
    ImageFileList files;
    const uint32_t folder = files.add_folder(dir.path().toStdString());
    for (int i = 0; i < 24; ++i) {
      const std::string name = std::to_string(i) + ".png";
      write_png(dir.path().toStdString() + "/" + name, at::zeros({2, 2, 3}, at::kByte));
      files.add(folder, name, 0);
    }
    ImageBatchOptions options;
    options.batch_size = 256;
    options.threads = 4;
    ImageBatchLoader loader(files, {}, 2,
                            [](const at::Tensor&, int64_t index) {
                              if (index < 16) std::this_thread::sleep_for(std::chrono::milliseconds(100));
                              return at::full({2, 2, 3}, index + 1, at::kByte);
                            },
                            options);
    const std::optional<ImageBatch> batch = loader.next();
    QVERIFY(batch.has_value());
    QCOMPARE(batch->images.size(0), int64_t{24});
    for (int64_t i = 0; i < 24; ++i) QCOMPARE(batch->images[i][1][1][2].item<int>(), static_cast<int>(i + 1));
    QVERIFY(!loader.next().has_value());
  }

  // One epoch stopped and resumed takes the steps of two uninterrupted epochs, exactly.
  void trainsOnMixedSizeFoldersAndResumesExactly() {
    QTemporaryDir data_dir, whole_dir, parts_dir;
    const std::string root = data_dir.path().toStdString();
    write_photo_folder(root, 8, 3);
    TrainConfig c;
    c.model = "airbench94";
    c.data_path = root;
    c.device = "cpu";
    c.batch_size = 8;
    c.epochs = 2;
    c.seed = 11;
    c.image_size = 24;
    c.train_crop = "rrc";
    c.randaugment_ops = 2;
    c.randaugment_magnitude = 9;
    c.sample_predictions = 4;
    c.output_dir = whole_dir.path().toStdString();

    CollectingObserver whole;
    QCOMPARE(run(c, whole), JobState::Finished);
    QVERIFY2(whole.failure.empty(), whole.failure.c_str());
    QVERIFY2(whole.logged("24 training and 9 test images of 24x24x3, 3 classes"), whole.all_logs().c_str());
    QVERIFY(whole.logged("random resized crop 24 (bilinear), horizontal flip, RandAugment 2 ops at magnitude 9/30"));
    const std::vector<double> expected = whole.losses();
    QCOMPARE(expected.size(), size_t{6});  // 24 images, batch 8: 3 steps an epoch
    for (const double loss : expected) QVERIFY(std::isfinite(loss) && loss > 0);
    QCOMPARE(whole.epochs.size(), size_t{2});
    QVERIFY(whole.epochs.back().test_accuracy >= 0 && whole.epochs.back().test_accuracy <= 1);
    int64_t confusion_total = 0;
    for (const int64_t n : whole.epochs.back().confusion) confusion_total += n;
    QCOMPARE(confusion_total, int64_t{9});
    QCOMPARE(whole.predictions.back().items.size(), size_t{4});
    QCOMPARE(whole.predictions.back().items.front().image.width, 24);
    QCOMPARE(whole.summary->epochs_completed, 2);

    const std::string checkpoint = (fs::path(c.output_dir) / "epoch-002.safetensors").string();
    QVERIFY(fs::exists(checkpoint));
    const TrainConfig recorded = recorded_train_config(checkpoint);
    QCOMPARE(recorded.image_size, int64_t{24});
    QCOMPARE(recorded.train_crop, std::string("rrc"));
    QCOMPARE(recorded.randaugment_ops, 2);
    QCOMPARE(recorded.flip, true);
    const std::string meta = read_weights_file(checkpoint).metadata_json;
    QVERIFY2(meta.find("\"crop_pct\":1.0") != std::string::npos, meta.c_str());
    QVERIFY(meta.find("\"input_size\":24") != std::string::npos);

    TrainConfig first = c;
    first.output_dir = parts_dir.path().toStdString();
    CollectingObserver before;
    QCOMPARE(run(first, before, 1), JobState::Cancelled);
    QVERIFY2(before.losses() == std::vector<double>(expected.begin(), expected.begin() + 3),
             (listed(before.losses()) + "vs " + listed(expected)).c_str());
    TrainConfig resumed = c;
    resumed.output_dir = first.output_dir;
    resumed.resume_from = (fs::path(first.output_dir) / "epoch-001.safetensors").string();
    CollectingObserver after;
    QCOMPARE(run(resumed, after), JobState::Finished);
    QVERIFY2(after.failure.empty(), after.failure.c_str());
    QVERIFY(!after.logged("differ from the run's"));
    QVERIFY2(after.losses() == std::vector<double>(expected.begin() + 3, expected.end()),
             (listed(after.losses()) + "vs " + listed(expected)).c_str());

    // Without flips and RandAugment the run draws other images: other losses.
    TrainConfig plain = c;
    plain.output_dir.clear();
    plain.epochs = 1;
    plain.flip = false;
    plain.randaugment_ops = 0;
    CollectingObserver other;
    QCOMPARE(run(plain, other), JobState::Finished);
    QVERIFY(other.losses() != std::vector<double>(expected.begin(), expected.begin() + 3));
  }
};

QTEST_GUILESS_MAIN(TrainTransformsTest)
#include "test_train_transforms.moc"
