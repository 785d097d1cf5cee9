// Data set readers on files generated in the exact byte layouts, format detection, clear errors,
// and the batch maker's two implementations agreeing.
#include <QtTest>

#include "test_support.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "engine/data/cifar_reader.h"
#include "engine/data/dataset_info.h"
#include "engine/data/idx_reader.h"
#include "engine/data/image_batches.h"
#include "engine/data/image_file_list.h"
#include "engine/data/image_header.h"
#include "engine/data/image_transform.h"
#include "engine/data/tensor_dataset.h"
#include "engine/errors.h"
#include "engine/training/batch_maker.h"
#include "kernels/augment.h"
#include "test_files.h"

using fovea::testing::qerror_of;

using namespace fovea::engine;
namespace ft = fovea::testing;

namespace {


std::string path_in(const QTemporaryDir& dir, const char* name) { return (dir.path() + "/" + name).toStdString(); }

}  // namespace

class EngineDataTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void idxReadsRawAndGzip_data() {
    QTest::addColumn<bool>("gzip");
    QTest::newRow("raw") << false;
    QTest::newRow("gz") << true;
  }
  void idxReadsRawAndGzip() {
    QFETCH(bool, gzip);
    QTemporaryDir dir;
    const std::vector<uint8_t> train = ft::write_idx_dataset(dir.path().toStdString(), 30, 12, 28, gzip);
    const std::string ext = gzip ? ".gz" : "";
    const LabelledImages images = read_idx_images(path_in(dir, ("train-images-idx3-ubyte" + ext).c_str()),
                                                  path_in(dir, ("train-labels-idx1-ubyte" + ext).c_str()), 0);
    QCOMPARE(images.count, 30);
    QCOMPARE(images.height, 28);
    QCOMPARE(images.width, 28);
    QCOMPARE(images.channels, 1);
    QVERIFY(images.pixels == train);
    QCOMPARE(images.labels[13], 3);

    const DatasetInfo info = probe_dataset(dir.path().toStdString());
    QCOMPARE(info.format, DatasetFormat::Idx);
    QCOMPARE(info.train_count, 30);
    QCOMPARE(info.test_count, 12);
    QCOMPARE(info.class_names.size(), size_t{10});
    QCOMPARE(QString::fromStdString(info.class_names[3]), QStringLiteral("3"));  // not a "fashion" folder: digits
  }

  void idxLimitKeepsFirstImages() {
    QTemporaryDir dir;
    const std::vector<uint8_t> train = ft::write_idx_dataset(dir.path().toStdString(), 20, 5, 8, false);
    const LabelledImages images =
        read_idx_images(path_in(dir, "train-images-idx3-ubyte"), path_in(dir, "train-labels-idx1-ubyte"), 7);
    QCOMPARE(images.count, 7);
    QCOMPARE(images.pixels.size(), size_t{7 * 64});
    QVERIFY(std::equal(images.pixels.begin(), images.pixels.end(), train.begin()));
  }

  void idxWrongMagicIsAClearError() {
    QTemporaryDir dir;
    const std::string file = path_in(dir, "bad-idx");
    ft::write_bytes(file, {0x1f, 0x00, 0x08, 0x01, 0, 0, 0, 1, 7});
    const QString message = qerror_of([&] { read_idx(file); });
    QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
    QVERIFY2(message.contains("not an IDX file"), qPrintable(message));
  }

  void idxTruncatedIsAClearError() {
    QTemporaryDir dir;
    const std::string file = path_in(dir, "short-idx");
    ft::write_idx(file, {10, 4, 4}, ft::random_bytes(100, 3), false);  // 160 promised
    const QString message = qerror_of([&] { read_idx(file); });
    QVERIFY2(message.contains("truncated"), qPrintable(message));
  }

  void truncatedGzipIsAClearError() {
    QTemporaryDir dir;
    const std::string file = path_in(dir, "x-idx3-ubyte.gz");
    ft::write_idx(file, {50, 28, 28}, ft::random_bytes(50 * 784, 4), true);
    const auto size = std::filesystem::file_size(file);
    std::filesystem::resize_file(file, size / 2);
    const QString message = qerror_of([&] { read_idx(file); });
    QVERIFY2(message.contains(QString::fromStdString(file)), qPrintable(message));
  }

  void cifar10BinaryLayout() {
    QTemporaryDir dir;
    const std::vector<uint8_t> labels = {3, 9, 0};
    const std::vector<uint8_t> chw = ft::random_bytes(3 * 3072, 9);
    for (int i = 1; i <= 5; ++i) {
      ft::write_cifar10_batch(path_in(dir, ("data_batch_" + std::to_string(i) + ".bin").c_str()), labels, chw);
    }
    ft::write_cifar10_batch(path_in(dir, "test_batch.bin"), {1, 2}, ft::random_bytes(2 * 3072, 10));
    std::ofstream(path_in(dir, "batches.meta.txt")) << "plane\ncar\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n";

    const DatasetInfo info = probe_dataset(path_in(dir, "test_batch.bin"));  // a file inside the folder
    QCOMPARE(info.format, DatasetFormat::Cifar10Binary);
    QCOMPARE(info.train_count, 15);
    QCOMPARE(info.test_count, 2);
    QCOMPARE(QString::fromStdString(info.class_names[0]), QStringLiteral("plane"));

    const LabelledImages images = read_cifar10_batches(info.train_files, 0);
    QCOMPARE(images.count, 15);
    QCOMPARE(images.labels[1], 9);
    // HWC pixel (y, x, c) of image 1 comes from plane c at y*32+x of record 1.
    for (int y : {0, 17, 31}) {
      for (int x : {0, 5, 31}) {
        for (int c = 0; c < 3; ++c) {
          QCOMPARE(images.pixels[static_cast<size_t>(3072 + (y * 32 + x) * 3 + c)],
                   chw[static_cast<size_t>(3072 + c * 1024 + y * 32 + x)]);
        }
      }
    }
  }

  void cifarSubfolderIsFound() {
    QTemporaryDir dir;
    std::filesystem::create_directory(path_in(dir, "cifar-10-batches-bin"));
    ft::write_cifar10_batch(path_in(dir, "cifar-10-batches-bin/data_batch_1.bin"), {1}, ft::random_bytes(3072, 1));
    ft::write_cifar10_batch(path_in(dir, "cifar-10-batches-bin/test_batch.bin"), {2}, ft::random_bytes(3072, 2));
    const DatasetInfo info = probe_dataset(dir.path().toStdString());
    QCOMPARE(info.format, DatasetFormat::Cifar10Binary);
    QCOMPARE(QString::fromStdString(info.class_names[1]), QStringLiteral("automobile"));  // shipped list
  }

  void cifarTruncatedIsAClearError() {
    QTemporaryDir dir;
    ft::write_cifar10_batch(path_in(dir, "data_batch_1.bin"), {1, 2}, ft::random_bytes(2 * 3072, 1));
    ft::write_cifar10_batch(path_in(dir, "test_batch.bin"), {2}, ft::random_bytes(3072, 2));
    std::filesystem::resize_file(path_in(dir, "data_batch_1.bin"), 3073 + 1000);
    const QString message = qerror_of([&] { probe_dataset(dir.path().toStdString()); });
    QVERIFY2(message.contains("data_batch_1.bin") && message.contains("3073-byte"), qPrintable(message));
    const QString read_message = qerror_of([&] { read_cifar10_batches({path_in(dir, "data_batch_1.bin")}, 0); });
    QVERIFY2(read_message.contains("truncated"), qPrintable(read_message));
  }

  void cifarLabelOutOfRange() {
    QTemporaryDir dir;
    ft::write_cifar10_batch(path_in(dir, "b.bin"), {12}, ft::random_bytes(3072, 1));
    const QString message = qerror_of([&] { read_cifar10_batches({path_in(dir, "b.bin")}, 0); });
    QVERIFY2(message.contains("label 12"), qPrintable(message));
  }

  void unknownFoldersAreClearErrors() {
    QTemporaryDir dir;
    QString message = qerror_of([&] { probe_dataset(dir.path().toStdString()); });
    QVERIFY2(message.contains("no data set recognised"), qPrintable(message));
    message = qerror_of([&] { probe_dataset(path_in(dir, "does-not-exist")); });
    QVERIFY2(message.contains("no such file or folder"), qPrintable(message));
    ft::write_idx(path_in(dir, "train-images-idx3-ubyte"), {1, 2, 2}, {1, 2, 3, 4}, false);
    message = qerror_of([&] { probe_dataset(dir.path().toStdString()); });
    QVERIFY2(message.contains("incomplete IDX"), qPrintable(message));
  }

  void systemFashionMnist() {
    // Debian's dataset-fashion-mnist is a declared dependency (packaging/debian-packages.txt).
    const DatasetInfo info = probe_dataset(FOVEA_FASHION_MNIST);
    QCOMPARE(info.train_count, 60000);
    QCOMPARE(info.test_count, 10000);
    QCOMPARE(info.height, 28);
    QCOMPARE(QString::fromStdString(info.class_names[9]), QStringLiteral("Ankle boot"));
    QCOMPARE(QString::fromStdString(system_fashion_mnist_path()), QStringLiteral(FOVEA_FASHION_MNIST));
  }

  void tensorDatasetStatistics() {
    QTemporaryDir dir;
    ft::write_idx_dataset(dir.path().toStdString(), 40, 10, 6, false);
    const TensorDataset ds = load_tensor_dataset(dir.path().toStdString(), 0, 0);
    QCOMPARE(ds.train.images.sizes(), (at::IntArrayRef{40, 6, 6, 1}));
    const at::Tensor pixels = ds.train.images.to(at::kDouble).div(255.0);
    QVERIFY(std::abs(ds.mean[0] - pixels.mean().item<double>()) < 1e-6);
    QVERIFY(std::abs(ds.std[0] - pixels.std(false).item<double>()) < 1e-5);
  }

  void tensorDatasetCifar100AndFolders() {
    QTemporaryDir dir;
    ft::write_cifar100_batch(path_in(dir, "train.bin"), {1, 2, 3}, {10, 99, 0}, ft::random_bytes(3 * 3072, 1));
    ft::write_cifar100_batch(path_in(dir, "test.bin"), {4}, {50}, ft::random_bytes(3072, 2));
    const TensorDataset binary = load_tensor_dataset(dir.path().toStdString(), 0, 0);
    QCOMPARE(binary.train.images.sizes(), (at::IntArrayRef{3, 32, 32, 3}));
    QCOMPARE(binary.train.labels[1].item<int64_t>(), 99);  // the fine label
    QCOMPARE(binary.info.class_names.size(), size_t{100});
    const TensorDataset python = load_tensor_dataset(FOVEA_TEST_FIXTURES "/datasets/cifar-100-python", 2, 0);
    QCOMPARE(python.train.size(), 2);
    QCOMPARE(python.test.size(), 2);
    // A small ImageFolder of one image size is decoded into memory; one without a test split is refused.
    QTemporaryDir folders;
    for (const char* file : {"train/cat/a.ppm", "train/dog/b.ppm", "train/dog/c.ppm", "val/cat/d.ppm", "val/dog/e.ppm"})
      ft::write_netpbm(path_in(folders, file), 5, 4, ft::random_bytes(60, 3), true);
    const TensorDataset decoded = load_tensor_dataset(folders.path().toStdString(), 0, 0);
    QCOMPARE(decoded.train.images.sizes(), (at::IntArrayRef{3, 4, 5, 3}));
    QCOMPARE(decoded.info.height, 4);  // learnt by decoding: the trainer builds the model from it
    QCOMPARE(decoded.info.channels, 3);
    QCOMPARE(decoded.test.labels[1].item<int64_t>(), 1);
    QCOMPARE(decoded.train.images[2][3][4][2].item<int64_t>(), int64_t{ft::random_bytes(60, 3)[59]});
    QTemporaryDir one_split;
    ft::write_netpbm(path_in(one_split, "cat/a.ppm"), 5, 4, ft::random_bytes(60, 3), true);
    const QString message = qerror_of([&] { load_tensor_dataset(one_split.path().toStdString(), 0, 0); });
    QVERIFY2(message.contains("needs a test split"), qPrintable(message));
  }

  // torchvision's Resize(int): the shorter side to the size, the longer truncated, aspect kept.
  void resizeKeepsAspectLikeTorchvision() {
    using fovea::engine::resized_size;
    QCOMPARE(resized_size(375, 500, 256), (std::pair<int64_t, int64_t>{256, 341}));
    QCOMPARE(resized_size(640, 427, 256), (std::pair<int64_t, int64_t>{383, 256}));
    QCOMPARE(resized_size(300, 300, 232), (std::pair<int64_t, int64_t>{232, 232}));
    const auto vit = fovea::engine::eval_transform({224, 0.9, "bicubic", {}, {}});
    QCOMPARE(vit.resize, int64_t{248});
    const auto resnet50_v2 = fovea::engine::eval_transform({224, 224.0 / 232.0, "bilinear", {}, {}});
    QCOMPARE(resnet50_v2.resize, int64_t{232});
    QVERIFY(fovea::testing::qerror_of([] { fovea::engine::eval_transform({224, 0.9, "lanczos", {}, {}}); }).contains("lanczos"));
  }

  // CenterCrop: offset round((size - crop) / 2) with Python's half-to-even rounding; zero padding around
  // images smaller than the crop.
  void centerCropLikeTorchvision() {
    // Column index as the pixel value: the first column of the crop tells its left offset.
    const at::Tensor columns = at::arange(0, 227, at::kByte).view({1, 227, 1}).expand({224, 227, 3}).contiguous();
    const at::Tensor cropped = fovea::engine::apply_eval_transform(columns, {224, 224, fovea::engine::Interpolation::Bilinear});
    QCOMPARE(cropped.sizes(), (at::IntArrayRef{224, 224, 3}));
    QCOMPARE(cropped[0][0][0].item<int>(), 2);  // round(1.5) = 2
    const at::Tensor narrow = at::arange(0, 225, at::kByte).view({1, 225, 1}).expand({224, 225, 3}).contiguous();
    QCOMPARE(fovea::engine::apply_eval_transform(narrow, {224, 224, {}})[0][0][0].item<int>(), 0);  // round(0.5) = 0

    const at::Tensor small = at::full({40, 40, 3}, 200, at::kByte);
    const at::Tensor padded = fovea::engine::apply_eval_transform(small, {40, 64, {}});
    QCOMPARE(padded.sizes(), (at::IntArrayRef{64, 64, 3}));
    QCOMPARE(padded[0][0][0].item<int>(), 0);
    QCOMPARE(padded[12][12][0].item<int>(), 200);
    QCOMPARE(padded[51][51][2].item<int>(), 200);
    QCOMPARE(padded[52][52][0].item<int>(), 0);
    QCOMPARE(padded.sum().item<int64_t>(), int64_t{40 * 40 * 3 * 200});
  }

  // The worker pool hands batches back in order, labels and positions with them; undecodable files are
  // skipped and named.
  // The header reader agrees with OpenCV's encoders on every format Fovea decodes, for an odd size.
  void imageHeadersOfEveryFormat_data() {
    QTest::addColumn<QString>("extension");
    QTest::addColumn<QString>("format");
    QTest::addColumn<int>("type");
    for (const auto& [extension, format] : {std::pair{".jpg", "JPEG"}, {".png", "PNG"}, {".bmp", "BMP"}, {".webp", "WebP"},
                                            {".tiff", "TIFF"}, {".ppm", "PNM"}, {".pgm", "PNM"}, {".pbm", "PNM"},
                                            {".pam", "PNM"}, {".pfm", "PNM"}})
      QTest::newRow(extension) << extension << format
                               << (QString(extension) == ".pfm"                                   ? CV_32FC3
                                   : QString(extension) == ".pgm" || QString(extension) == ".pbm" ? CV_8UC1
                                                                                                  : CV_8UC3);
    QTest::newRow(".webp lossless") << ".webp" << "WebP" << -1;
  }
  void imageHeadersOfEveryFormat() {
    QFETCH(QString, extension);
    QFETCH(QString, format);
    QFETCH(int, type);
    const cv::Mat image(23, 37, type < 0 ? CV_8UC3 : type, cv::Scalar(10, 120, 240));
    std::vector<int> params;
    if (type < 0) params = {cv::IMWRITE_WEBP_QUALITY, 101};  // above 100: lossless (VP8L)
    std::vector<uint8_t> bytes;
    QVERIFY(cv::imencode(extension.toStdString(), image, bytes, params));
    const auto header = fovea::engine::read_image_header(bytes.data(), bytes.size());
    QVERIFY(header.has_value());
    QCOMPARE(QString::fromStdString(header->format), format);
    QCOMPARE(header->width, int64_t{37});
    QCOMPARE(header->height, int64_t{23});
    // Cut anywhere: no size, or the right one, never a wrong one (and, under ASan, no read past the cut).
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      const auto part = fovea::engine::read_image_header(std::vector<uint8_t>(bytes.begin(), bytes.begin() + cut).data(), cut);
      QVERIFY(!part || (part->width == 37 && part->height == 23));
      if (cut <= 4) QVERIFY(!part);
    }
    bytes[0] ^= 0x40;
    QVERIFY(!fovea::engine::read_image_header(bytes.data(), bytes.size()).has_value());
  }

  void imageHeadersRefuseDecompressionBombs() {
    // A PNG header claiming 20,000 x 10,000 pixels (200 M, over PIL's 178,956,970) and one just under it.
    auto png = [](uint32_t width, uint32_t height) {
      std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
      for (const uint32_t v : {width, height})
        for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<uint8_t>(v >> shift));
      b.insert(b.end(), {8, 2, 0, 0, 0});
      return b;
    };
    const auto bomb = png(20000, 10000), fine = png(13000, 13000);
    QVERIFY(qerror_of([&] { fovea::engine::check_image_header(bomb.data(), bomb.size(), "bomb.png"); })
                .contains("bomb.png: PNG of 20000x10000 pixels"));
    QCOMPARE(fovea::engine::check_image_header(fine.data(), fine.size(), "fine.png").width, int64_t{13000});
    // 2^32-1 x 2^32-1 must not overflow into an accepted size.
    const auto huge = png(0xFFFFFFFF, 0xFFFFFFFF);
    QVERIFY(qerror_of([&] { fovea::engine::check_image_header(huge.data(), huge.size(), "huge.png"); }).contains("huge.png"));
  }

  void imageBatchesComeInOrderAndSkipBadFiles() {
    QTemporaryDir dir;
    fovea::engine::ImageFileList files;
    const uint32_t folder = files.add_folder(dir.path().toStdString());
    for (int i = 0; i < 37; ++i) {
      const std::string name = "img" + std::to_string(i) + (i == 20 ? ".jpg" : ".ppm");
      if (i == 20) {
        fovea::testing::write_text(dir.path().toStdString() + "/" + name, "not an image");
      } else {
        // Image i is filled with the grey level i, and is i + 8 pixels wide: every one needs resizing.
        fovea::testing::write_netpbm(dir.path().toStdString() + "/" + name, 8 + i, 8,
                                     std::vector<uint8_t>(static_cast<size_t>((8 + i) * 8 * 3), static_cast<uint8_t>(i)), true);
      }
      files.add(folder, name, i % 3);
    }
    fovea::engine::ImageBatchLoader loader(files, {}, {8, 8, fovea::engine::Interpolation::Bicubic}, {10, 3, false});
    QCOMPARE(loader.batch_count(), int64_t{4});
    std::vector<int64_t> positions;
    std::vector<std::string> failures;
    while (auto batch = loader.next()) {
      QCOMPARE(batch->images.size(0), static_cast<int64_t>(batch->labels.size()));
      for (size_t k = 0; k < batch->positions.size(); ++k) {
        const int64_t i = batch->positions[k];
        positions.push_back(i);
        QCOMPARE(batch->labels[k], i % 3);
        QCOMPARE(batch->images[static_cast<int64_t>(k)].min().item<int>(), static_cast<int>(i));  // a flat image stays flat
        QCOMPARE(batch->images[static_cast<int64_t>(k)].max().item<int>(), static_cast<int>(i));
      }
      failures.insert(failures.end(), batch->failures.begin(), batch->failures.end());
    }
    QCOMPARE(positions.size(), size_t{36});
    QVERIFY(std::is_sorted(positions.begin(), positions.end()));
    QCOMPARE(failures.size(), size_t{1});
    QVERIFY2(failures[0].find("img20.jpg") != std::string::npos, failures[0].c_str());
  }

  // Decode-only batches (the GPU resizes them): crops_on_device gives what the workers' own resizing gives,
  // for images of several sizes and one over kMaxPixelsResizedOnDevice, which the worker crops itself.
  void decodeOnlyBatchesGiveTheSameCrops() {
    QTemporaryDir dir;
    fovea::engine::ImageFileList files;
    const uint32_t folder = files.add_folder(dir.path().toStdString());
    const std::vector<std::pair<int, int>> sizes = {{40, 30}, {31, 45}, {40, 30}, {1200, 900}, {64, 64}};
    for (size_t i = 0; i < sizes.size(); ++i) {
      const auto [w, h] = sizes[i];
      const std::string name = "img" + std::to_string(i) + ".ppm";
      fovea::testing::write_netpbm(dir.path().toStdString() + "/" + name, w, h,
                                   fovea::testing::random_bytes(static_cast<size_t>(w * h * 3), static_cast<uint32_t>(i)), true);
      files.add(folder, name, 0);
    }
    QVERIFY(1200 * 900 > fovea::engine::kMaxPixelsResizedOnDevice);
    const fovea::engine::EvalTransform t{24, 20, fovea::engine::Interpolation::Bicubic};
    fovea::engine::ImageBatchOptions whole{8, 2, false, false}, decode_only{8, 2, false, true};
    fovea::engine::ImageBatchLoader reference(files, {}, t, whole), loader(files, {}, t, decode_only);
    const auto expected = reference.next(), batch = loader.next();
    QVERIFY(expected && batch);
    QCOMPARE(batch->cropped, (std::vector<uint8_t>{0, 0, 0, 1, 0}));
    const at::Tensor crops = fovea::engine::crops_on_device(*batch, t, at::kCPU);
    QCOMPARE(crops.sizes(), expected->images.sizes());
    QVERIFY(at::equal(crops, expected->images));
  }

  void batchMakerImplementationsAgree_data() {
    QTest::addColumn<int>("channels");
    QTest::addColumn<bool>("augment");
    QTest::addColumn<bool>("channelsLast");
    QTest::addColumn<int>("cutout");
    QTest::newRow("gray plain") << 1 << false << false << 0;
    QTest::newRow("gray augmented") << 1 << true << false << 0;
    QTest::newRow("rgb augmented") << 3 << true << false << 0;
    QTest::newRow("rgb augmented channels_last") << 3 << true << true << 0;
    QTest::newRow("rgb augmented, cutout 5") << 3 << true << false << 5;
    QTest::newRow("gray cutout 4, channels_last") << 1 << true << true << 4;
  }
  void batchMakerImplementationsAgree() {
    QFETCH(int, channels);
    QFETCH(bool, augment);
    QFETCH(bool, channelsLast);
    QFETCH(int, cutout);
    const at::Tensor images = at::randint(0, 256, {50, 13, 11, channels}, at::kByte);  // odd sizes on purpose
    BatchOptions options;
    options.max_translate = augment ? 2 : 0;
    options.random_flip = augment;
    options.cutout = cutout;
    options.channels_last = channelsLast;
    options.mean = {0.3f, 0.4f, 0.5f};
    options.std = {0.2f, 0.25f, 0.3f};
    options.seed = 1234;
    const BatchMaker maker(images, options);
    const at::Tensor idx = at::tensor(std::vector<int64_t>{5, 0, 49, 17, 17, 3, 8, 22, 31}, at::kLong);
    const at::Tensor fused = maker.make_cpu(idx, 77), composed = maker.make_with_tensor_ops(idx, 77);
    QCOMPARE(fused.sizes(), (at::IntArrayRef{9, channels, 13, 11}));
    QVERIFY(at::allclose(fused, composed, 1e-5, 1e-5));
    if (channels > 1) QCOMPARE(fused.is_contiguous(at::MemoryFormat::ChannelsLast), channelsLast);  // 1 channel: both
    if (cutout > 0) {
      // Each image has one square of exactly 0 (the mean), of side `cutout` where it lies inside the image
      // (clipped at the edges), at the draw's place; its other values are normalised pixels, hardly ever 0.
      fovea::kernels::AugmentParams p;
      p.height = 13;
      p.width = 11;
      p.channels = channels;
      p.max_translate = 2;
      p.random_flip = true;
      p.cutout = cutout;
      p.seed = 1234;
      p.step_offset = 77;
      int clipped = 0;
      for (int64_t b = 0; b < 9; ++b) {
        const fovea::kernels::AugmentDraw d = fovea::kernels::augment_draw(p, b);
        const at::Tensor zero = fused[b].eq(0).all(0);  // [H, W]: every channel 0
        const int64_t rows = std::min<int64_t>(13, d.cutout_y + cutout) - std::max<int64_t>(0, d.cutout_y);
        const int64_t cols = std::min<int64_t>(11, d.cutout_x + cutout) - std::max<int64_t>(0, d.cutout_x);
        QCOMPARE(zero.sum().item<int64_t>(), rows * cols);
        QVERIFY(zero[std::max<int64_t>(0, d.cutout_y)][std::max<int64_t>(0, d.cutout_x)].item<bool>());
        clipped += rows * cols < cutout * cutout;
      }
      QVERIFY(clipped < 9);  // some squares lie wholly inside
    }
    if (!augment) {
      // Plain normalisation: (pixel/255 - mean) / std at the gathered sample.
      const double expected = (images[49][4][7][0].item<double>() / 255.0 - 0.3) / 0.2;
      QVERIFY(std::abs(fused[2][0][4][7].item<double>() - expected) < 1e-5);
    } else {
      // Different draw offsets give different augmentations of the same samples.
      QVERIFY(!at::allclose(fused, maker.make_cpu(idx, 78)));
    }
  }
};

QTEST_GUILESS_MAIN(EngineDataTest)
#include "test_engine_data.moc"
