// Evaluating checkpoints (engine/eval_job.h) and fovea-cli's eval and train --resume/--init-from: the
// job gives the numbers the trainer gave for the same checkpoint, reports through the observer, needs
// --model only for files without Fovea's metadata, refuses data that does not fit the model; the CLI
// prints exactly one JSON object on stdout, or one error line on stderr and a non-zero exit.
#include <QtTest>

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <thread>

#include "collecting_observer.h"
#include "engine/checkpoint.h"
#include "engine/data/image_transform.h"
#include "engine/eval_job.h"
#include "engine/evaluation_results.h"
#include "engine/loaded_model.h"
#include "engine/training/eval_batch_sources.h"
#include "engine/io/safetensors.h"
#include "engine/tensor_convert.h"
#include "engine/train_job.h"
#include "engine/weights_file.h"
#include "models/registry.h"
#include "resources/embedded.h"
#include "test_files.h"

using namespace fovea::engine;
using fovea::testing::CollectingObserver;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr int64_t kTestImages = 40;

JobState run(const EvalConfig& config, CollectingObserver& observer) {
  auto job = make_eval_job(config, observer);
  job->start();
  job->wait();
  return job->state();
}

void write_plain_safetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors) {
  std::vector<TensorToWrite> entries;
  for (const auto& [name, t] : tensors)
    entries.push_back({name, dtype_of(t.scalar_type(), name), t.sizes().vec(), t.data_ptr(), t.nbytes()});
  write_safetensors(path, entries, {});
}

// A class-per-folder data set of 16x16 RGB images without train/ and val/: one split.
void write_image_folder(const std::string& root, int classes, int per_class) {
  for (int c = 0; c < classes; ++c) {
    for (int i = 0; i < per_class; ++i) {
      const std::string path = root + "/class" + std::to_string(c) + "/" + std::to_string(i) + ".ppm";
      fovea::testing::write_netpbm(path, 16, 16, fovea::testing::random_bytes(16 * 16 * 3, c * 100 + i), true);
    }
  }
}

struct CliResult {
  int code = -1;
  std::string out, err;
  std::string last_error_line() const {
    const QStringList lines = QString::fromStdString(err).split('\n', Qt::SkipEmptyParts);
    return lines.isEmpty() ? std::string() : lines.last().trimmed().toStdString();
  }
};

CliResult cli(const QStringList& arguments) {
  QProcess process;
  process.start(FOVEA_CLI, arguments);
  if (!process.waitForFinished(180000)) process.kill();
  return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
          process.readAllStandardOutput().toStdString(), process.readAllStandardError().toStdString()};
}

QString q(const std::string& text) { return QString::fromStdString(text); }

}  // namespace

class EvaluationTest : public QObject {
  Q_OBJECT

  QTemporaryDir data_dir_, run_dir_;
  std::string data_, checkpoint_;
  EpochMetrics trained_;  // the trainer's own evaluation of checkpoint_

  EvalConfig config(int64_t batch_size) const {
    EvalConfig c;
    c.checkpoint = checkpoint_;
    c.data_path = data_;
    c.device = "cpu";
    c.batch_size = batch_size;
    return c;
  }

 private Q_SLOTS:
  void initTestCase() {
    data_ = data_dir_.path().toStdString();
    fovea::testing::write_idx_dataset(data_, 128, kTestImages, 16, false);
    TrainConfig t;
    t.model = "airbench94";
    t.data_path = data_;
    t.device = "cpu";
    t.epochs = 1;
    t.batch_size = 32;  // the trainer evaluates in batches of 64
    t.seed = 3;
    t.output_dir = run_dir_.path().toStdString();
    CollectingObserver observer;
    auto job = make_train_job(t, observer);
    job->start();
    job->wait();
    QCOMPARE(job->state(), JobState::Finished);
    trained_ = observer.epochs.at(0);
    checkpoint_ = trained_.checkpoint;
  }

  // The same checkpoint, data and batch size: the trainer's numbers exactly.
  void matchesTheTrainersTestMetrics() {
    CollectingObserver observer;
    QCOMPARE(run(config(64), observer), JobState::Finished);
    QVERIFY(observer.evaluation.has_value());
    const EvaluationSummary& e = *observer.evaluation;
    QCOMPARE(e.top1, trained_.test_accuracy);
    QCOMPARE(e.loss, trained_.test_loss);
    QVERIFY(e.confusion == trained_.confusion);
    QVERIFY(e.top5 >= e.top1 && e.top5 <= 1.0);
    QCOMPARE(e.images, kTestImages);
    QCOMPARE(e.num_classes, 10);
    QCOMPARE(e.split, std::string("test"));
    QCOMPARE(e.model, std::string("airbench94"));
    QCOMPARE(e.class_names.size(), size_t{10});
    QVERIFY(e.images_per_second > 0);
    QVERIFY(observer.logged("as the checkpoint's metadata says"));
  }

  void reportsProgressAndSamples() {
    EvalConfig c = config(16);
    c.limit = 30;
    c.sample_predictions = 4;
    CollectingObserver observer;
    QCOMPARE(run(c, observer), JobState::Finished);
    QCOMPARE(observer.evaluation->images, int64_t{30});
    QVERIFY(!observer.progress.empty());
    const Progress& last = observer.progress.back();
    QCOMPARE(last.phase, std::string("evaluate"));
    QCOMPARE(last.total_steps, int64_t{2});  // 30 images in batches of 16
    QCOMPARE(last.step, int64_t{2});
    QCOMPARE(observer.predictions.size(), size_t{1});
    QCOMPARE(observer.predictions[0].items.size(), size_t{4});
    QCOMPARE(observer.predictions[0].items[0].top_classes.size(), size_t{5});
    QCOMPARE(observer.states.back(), JobState::Finished);
  }

  void filesWithoutMetadataNeedTheModel() {
    QTemporaryDir dir;
    EvalConfig c = config(64);
    c.checkpoint = (dir.path() + "/exported.safetensors").toStdString();
    write_plain_safetensors(c.checkpoint, read_weights_file(checkpoint_).tensors);
    CollectingObserver without;
    QCOMPARE(run(c, without), JobState::Failed);
    QVERIFY2(without.failure.find(c.checkpoint + " has no Fovea metadata") != std::string::npos &&
                 without.failure.find("--model") != std::string::npos,
             without.failure.c_str());

    c.model = "airbench94";  // the class count comes from the data set
    CollectingObserver with;
    QCOMPARE(run(c, with), JobState::Finished);
    QCOMPARE(with.evaluation->num_classes, 10);
    QVERIFY(with.logged("the file has no Fovea metadata"));
  }

  // Images of any size are resized and cropped by the model's preprocessing; undecodable files are
  // skipped, counted and named, and the rest is evaluated.
  void folderEvaluationResizesAndSkipsCorruptImages() {
    QTemporaryDir dir;
    const std::string root = (dir.path() + "/folder").toStdString();
    write_image_folder(root, 3, 4);
    fovea::testing::write_netpbm(root + "/class1/wide.ppm", 40, 24, fovea::testing::random_bytes(40 * 24 * 3, 7), true);
    fovea::testing::write_text(root + "/class2/broken.jpg", "\xff\xd8\xff\xe0 not really a JPEG");
    EvalConfig c = config(8);
    c.checkpoint = (dir.path() + "/rgb.safetensors").toStdString();
    c.data_path = root;
    c.model = "airbench94";
    c.sample_predictions = 20;
    c.per_image_results = true;
    write_plain_safetensors(c.checkpoint, state_dict(*fovea::models::create_model({"airbench94", 3, 3})));
    CollectingObserver observer;
    QCOMPARE(run(c, observer), JobState::Finished);
    QCOMPARE(observer.evaluation->images, int64_t{13});
    QCOMPARE(observer.evaluation->per_image.size(), size_t{13});
    QCOMPARE(observer.evaluation->image_sources.size(), size_t{13});
    QVERIFY(observer.evaluation->image_sources[0].ends_with(".ppm"));
    QVERIFY(observer.evaluation->image_sources[0].starts_with(root));
    QVERIFY(observer.logged("1 images could not be decoded"));
    QVERIFY(observer.logged("broken.jpg"));
    QCOMPARE(observer.predictions.back().items.size(), size_t{13});
    for (const auto& item : observer.predictions.back().items) {  // the gallery gets the 32x32 crops
      QCOMPARE(item.image.width, 32);
      QCOMPARE(item.image.height, 32);
    }
  }

  // When the GPU decodes JPEGs, the CPU workers take the first `lead` batches and then every `period`-th;
  // FOVEA_CPU_BATCHES sets both; the default leaves no share to fewer than 8 cores after the lead.
  void cpuShareOfBatches() {
    fovea::engine::CpuBatchShare share{4, 2};
    std::vector<int64_t> taken;
    for (int64_t b = 0; b < 12; ++b)
      if (share.takes(b)) taken.push_back(b);
    QCOMPARE(taken, (std::vector<int64_t>{0, 1, 2, 3, 5, 7, 9, 11}));
    share = {0, 3};
    QVERIFY(!share.takes(0) && !share.takes(1) && share.takes(2) && share.takes(5) && !share.takes(6));
    share = {2, 0};
    QVERIFY(share.takes(1) && !share.takes(2) && !share.takes(100));
    // 10 positions in batches of 3 (the last one short), the CPU side taking batches 0, 1 and 3.
    const std::vector<int64_t> order = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    const fovea::engine::BatchSplit split = fovea::engine::split_batches(order, 3, {2, 2});
    QCOMPARE(split.cpu_takes, (std::vector<bool>{true, true, false, true}));
    QCOMPARE(split.cpu_order, (std::vector<int64_t>{9, 8, 7, 6, 5, 4, 0}));
    QCOMPARE(split.gpu_order, (std::vector<int64_t>{3, 2, 1}));
    qputenv("FOVEA_CPU_BATCHES", "3,5");
    const auto from_env = fovea::engine::CpuBatchShare::for_gpu_decoding(fovea::engine::Interpolation::Bicubic);
    qunsetenv("FOVEA_CPU_BATCHES");
    QCOMPARE(from_env.lead, int64_t{3});
    QCOMPARE(from_env.period, int64_t{5});
    const auto bilinear = fovea::engine::CpuBatchShare::for_gpu_decoding(fovea::engine::Interpolation::Bilinear);
    const auto bicubic = fovea::engine::CpuBatchShare::for_gpu_decoding(fovea::engine::Interpolation::Bicubic);
    if (std::thread::hardware_concurrency() < 8) {
      QCOMPARE(bilinear.period, int64_t{0});
    } else {
      QVERIFY(bilinear.period > 0 && bicubic.period > bilinear.period);  // bicubic costs the CPU more
    }
  }

  // A folder data set without a test split is evaluated whole (its training split).
  void evaluatesAFolderWithOneSplit() {
    QTemporaryDir dir;
    const std::string root = (dir.path() + "/folder").toStdString();
    write_image_folder(root, 3, 4);
    EvalConfig c = config(8);
    c.checkpoint = (dir.path() + "/rgb.safetensors").toStdString();
    c.data_path = root;
    c.model = "airbench94";
    write_plain_safetensors(c.checkpoint, state_dict(*fovea::models::create_model({"airbench94", 3, 3})));
    CollectingObserver observer;
    QCOMPARE(run(c, observer), JobState::Finished);
    QCOMPARE(observer.evaluation->split, std::string("train"));
    QCOMPARE(observer.evaluation->images, int64_t{12});
    QCOMPARE(observer.evaluation->top5, 1.0);  // all 3 classes are in the top 5
  }

  // A model trained on grey images sees a folder of colour photos as PIL's convert("L") would give them.
  void greyModelSeesColourFoldersInGrey() {
    QTemporaryDir dir;
    EvalConfig c = config(64);
    c.data_path = (dir.path() + "/folder").toStdString();
    write_image_folder(c.data_path, 10, 1);
    CollectingObserver observer;
    QCOMPARE(run(c, observer), JobState::Finished);
    QVERIFY(observer.evaluation.has_value());
    QCOMPARE(observer.evaluation->images, int64_t{10});
  }

  void refusesDataThatDoesNotFit_data() {
    QTest::addColumn<QString>("case_");
    QTest::addColumn<QString>("expected");
    QTest::newRow("more classes than the model") << "classes" << "the model tells 10 classes apart";
    QTest::newRow("token model of another size") << "vit" << "vit_tiny was built for 32-pixel images";
    QTest::newRow("metadata of another model") << "other model" << "holds airbench94, not resnet18";
    QTest::newRow("no such data") << "no data" << "/nonexistent/fovea-data";
  }
  void refusesDataThatDoesNotFit() {
    QFETCH(QString, case_);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    EvalConfig c = config(64);
    const std::string folder = (dir.path() + "/folder").toStdString();
    if (case_ == "classes") {  // a Fovea checkpoint of an RGB 10-class model, 12 classes of data
      write_image_folder(folder, 12, 1);
      c.data_path = folder;
      c.checkpoint = (dir.path() + "/rgb.safetensors").toStdString();
      save_checkpoint(c.checkpoint, *fovea::models::create_model({"airbench94", 10, 3}),
                      R"({"model":{"name":"airbench94","num_classes":10,"in_channels":3,"image_size":16},)"
                      R"("preprocessing":{"mean":[0.5,0.5,0.5],"std":[0.25,0.25,0.25]}})");
    } else if (case_ == "vit") {
      c.checkpoint = (dir.path() + "/vit.safetensors").toStdString();
      save_checkpoint(c.checkpoint, *fovea::models::create_model({"vit_tiny", 10, 1, false, 32}),
                      R"({"model":{"name":"vit_tiny","num_classes":10,"in_channels":1,"image_size":32},)"
                      R"("preprocessing":{"mean":[0.5],"std":[0.25]}})");
    } else if (case_ == "other model") {
      c.model = "resnet18";
    } else {
      c.data_path = "/nonexistent/fovea-data";
    }
    CollectingObserver observer;
    QCOMPARE(run(c, observer), JobState::Failed);
    QVERIFY2(observer.failure.find(expected.toStdString()) != std::string::npos, observer.failure.c_str());
  }

  // --json: exactly one JSON object on stdout, with timm's percentages.
  void cliPrintsOneJsonObject() {
    const CliResult r = cli({"eval", "--checkpoint", q(checkpoint_), "--data", q(data_), "--device", "cpu",
                             "--batch-size", "64", "--json"});
    QVERIFY2(r.code == 0, r.err.c_str());
    const json out = json::parse(r.out);  // throws on anything but one JSON value
    QVERIFY(out.is_object());
    QCOMPARE(out["acc1"].get<double>(), 100 * trained_.test_accuracy);
    QCOMPARE(out["loss"].get<double>(), trained_.test_loss);
    QVERIFY(out["acc5"].get<double>() >= out["acc1"].get<double>());
    QCOMPARE(out["images"].get<int64_t>(), kTestImages);
    QVERIFY(out["images_per_second"].get<double>() > 0);
    QCOMPARE(out["model"].get<std::string>(), std::string("airbench94"));
  }

  // --results: one CSV row per image whose "correct" column adds up to Acc@1.
  void cliWritesPerImageResults() {
    QTemporaryDir dir;
    const QString csv = dir.path() + "/results.csv";
    const CliResult r = cli({"eval", "--checkpoint", q(checkpoint_), "--data", q(data_), "--device", "cpu",
                             "--results", csv, "--json"});
    QVERIFY2(r.code == 0, r.err.c_str());
    const json out = json::parse(r.out);
    QCOMPARE(out["results"].get<std::string>(), csv.toStdString());
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(file.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), int(kTestImages) + 1);
    QVERIFY(lines[0].startsWith("position,source,label,label_name,correct,loss,top1,top1_name,top1_probability"));
    int correct = 0;
    for (int i = 1; i < lines.size(); ++i) {
      const QStringList fields = lines[i].split(',');
      QCOMPARE(fields[0].toInt(), i - 1);
      QCOMPARE(fields[1], QString("test[%1]").arg(i - 1));
      QCOMPARE(fields[4] == "1", fields[2] == fields[6]);  // correct means label == top-1
      correct += fields[4].toInt();
    }
    QCOMPARE(100.0 * correct / double(kTestImages), out["acc1"].get<double>());
    QCOMPARE(fovea::engine::csv_field("kit fox, Vulpes macrotis"), std::string("\"kit fox, Vulpes macrotis\""));
    QCOMPARE(fovea::engine::csv_field("say \"hi\""), std::string("\"say \"\"hi\"\"\""));
  }

  // fovea-cli predict: top-k per file with names and probabilities, best first; a bad file is reported in
  // its place and makes the exit code 1 without stopping the others.
  void cliPredictsImageFiles() {
    QTemporaryDir dir;
    const QString photos = QString(FOVEA_TEST_FIXTURES) + "/photos/";
    const QString broken = dir.path() + "/broken.png";
    fovea::testing::write_text(broken.toStdString(), "\x89PNG\r\n\x1a\n truncated");
    CliResult r = cli({"predict", "--checkpoint", q(checkpoint_), photos + "chelsea.jpg", photos + "camera.png", broken,
                       "--topk", "3", "--device", "cpu", "--json"});
    QCOMPARE(r.code, 1);
    json out = json::parse(r.out);
    QCOMPARE(out["results"].size(), size_t{3});
    const auto names = fovea::engine::load_model(checkpoint_, {}).class_names;
    QCOMPARE(names.size(), size_t{10});
    for (int i = 0; i < 2; ++i) {
      const json& top = out["results"][i]["top"];
      QCOMPARE(top.size(), size_t{3});
      double total = 0, previous = 1;
      for (const json& c : top) {
        const double p = c["probability"].get<double>();
        QVERIFY(p <= previous && p >= 0);
        previous = p;
        total += p;
        QCOMPARE(c["name"].get<std::string>(), names.at(c["index"].get<size_t>()));
      }
      QVERIFY(total <= 1.0 + 1e-5);
    }
    QCOMPARE(out["results"][0]["width"].get<int>(), 451);
    QVERIFY(out["results"][2]["error"].get<std::string>().find("broken.png") != std::string::npos);
    QVERIFY(r.err.find("broken.png") != std::string::npos);

    // Without metadata: the model is named, the class count read from its head, ImageNet's names shown.
    const std::string plain = (dir.path() + "/imagenet.safetensors").toStdString();
    write_plain_safetensors(plain, state_dict(*fovea::models::create_model({"airbench94", 1000, 3})));
    r = cli({"predict", "--checkpoint", QString::fromStdString(plain), "--model", "airbench94", photos + "coffee.jpg",
             "--device", "cpu", "--saliency", dir.path() + "/cams", "--json"});
    QVERIFY2(r.code == 0, r.err.c_str());
    out = json::parse(r.out);
    const json& best = out["results"][0]["top"][0];
    QCOMPARE(out["results"][0]["top"].size(), size_t{5});
    QCOMPARE(best["name"].get<std::string>(),
             fovea::resources::class_names("imagenet-1k").at(best["index"].get<size_t>()));
    // --saliency: the Grad-CAM overlay of the best class, at the model's input size (airbench94: 32 px).
    const std::string cam = out["results"][0]["saliency"].get<std::string>();
    QCOMPARE(cam, (dir.path() + "/cams/coffee.gradcam.png").toStdString());
    const at::Tensor overlay = fovea::engine::read_rgb_image(cam);
    QCOMPARE(overlay.sizes(), (at::IntArrayRef{32, 32, 3}));
  }

  void cliErrorsAreOneLine_data() {
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    QTest::newRow("eval: no such checkpoint")
        << QStringList{"eval", "--checkpoint", "/nonexistent/w.pth", "--data", "DATA", "--device", "cpu", "--json"}
        << "fovea-cli: error: cannot read /nonexistent/w.pth";
    QTest::newRow("eval: not weights")
        << QStringList{"eval", "--checkpoint", "DATA/train-images-idx3-ubyte", "--data", "DATA", "--json"}
        << "train-images-idx3-ubyte: not a weights file Fovea reads";
    QTest::newRow("train: resume from no checkpoint")
        << QStringList{"train", "--resume", "DATA/train-labels-idx1-ubyte", "--json"}
        << "fovea-cli: error: DATA/train-labels-idx1-ubyte";
    QTest::newRow("train: no data") << QStringList{"train", "--epochs", "1", "--json"} << "--data is required";
  }
  void cliErrorsAreOneLine() {
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    arguments.replaceInStrings("DATA", q(data_));
    const CliResult r = cli(arguments);
    QVERIFY(r.code != 0);
    QCOMPARE(r.out, std::string());
    const std::string line = r.last_error_line();
    QVERIFY2(line.starts_with("fovea-cli: error: "), r.err.c_str());
    QVERIFY2(line.find(expected.replace("DATA", q(data_)).toStdString()) != std::string::npos, r.err.c_str());
  }

  // train --resume takes the run's settings from the checkpoint and goes on in its folder.
  void cliTrainResumesAndInitialises() {
    QTemporaryDir dir;
    const std::string copy = (dir.path() + "/epoch-001.safetensors").toStdString();
    fs::copy_file(checkpoint_, copy);
    const CliResult resumed = cli({"train", "--resume", q(copy), "--epochs", "2", "--device", "cpu", "--json"});
    QVERIFY2(resumed.code == 0, resumed.err.c_str());
    const json out = json::parse(resumed.out);
    QCOMPARE(out["epochs"].get<int>(), 2);
    QCOMPARE(out["model"].get<std::string>(), std::string("airbench94"));
    QCOMPARE(out["checkpoint"].get<std::string>(), (dir.path() + "/epoch-002.safetensors").toStdString());
    QCOMPARE(out["resumed_from"].get<std::string>(), copy);

    const std::string runs = (dir.path() + "/finetune").toStdString();
    const CliResult init = cli({"train", "--model", "airbench94", "--data", q(data_), "--epochs", "1", "--device", "cpu",
                                "--init-from", q(copy), "--out", q(runs), "--json"});
    QVERIFY2(init.code == 0, init.err.c_str());
    QCOMPARE(json::parse(init.out)["initialised_from"].get<std::string>(), copy);
    QVERIFY(fs::exists(runs + "/epoch-001.safetensors"));
  }
};

QTEST_GUILESS_MAIN(EvaluationTest)
#include "test_evaluation.moc"
