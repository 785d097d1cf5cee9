// Training end to end on the CPU: a real Fashion-MNIST subset learns, checkpoints are written,
// the observer hears everything, and cancel/pause/failure behave.
#include <QtTest>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "engine/checkpoint.h"
#include "engine/train_job.h"
#include "engine/weights_file.h"
#include "models/registry.h"
#include "test_files.h"

using namespace fovea::engine;
using namespace std::chrono_literals;

namespace {

class CollectingObserver : public JobObserver {
 public:
  void on_state(JobState s) override {
    std::lock_guard lock(mutex);
    states.push_back(s);
  }
  void on_step(const StepMetrics& m) override {
    std::lock_guard lock(mutex);
    steps.push_back(m);
  }
  void on_epoch(const EpochMetrics& m) override {
    std::lock_guard lock(mutex);
    epochs.push_back(m);
  }
  void on_progress(const Progress& p) override {
    std::lock_guard lock(mutex);
    progress.push_back(p);
  }
  void on_predictions(const PredictionSamples& s) override {
    std::lock_guard lock(mutex);
    predictions.push_back(s);
  }
  void on_finished(const TrainSummary& s) override {
    std::lock_guard lock(mutex);
    summary = s;
    finished = true;
  }
  void on_failed(const std::string& m) override {
    std::lock_guard lock(mutex);
    failure = m;
  }
  size_t step_count() {
    std::lock_guard lock(mutex);
    return steps.size();
  }

  std::mutex mutex;
  std::vector<JobState> states;
  std::vector<StepMetrics> steps;
  std::vector<EpochMetrics> epochs;
  std::vector<Progress> progress;
  std::vector<PredictionSamples> predictions;
  TrainSummary summary;
  bool finished = false;
  std::string failure;
};

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

TrainConfig small_config(const std::string& data, const std::string& out) {
  TrainConfig c;
  c.model = "resnet18";
  c.data_path = data;
  c.device = "cpu";
  c.output_dir = out;
  c.batch_size = 64;
  c.seed = 7;
  return c;
}

}  // namespace

class TrainingTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void learnsRealFashionMnistSubset() {
    QTemporaryDir out;
    TrainConfig config = small_config(FOVEA_FASHION_MNIST, out.path().toStdString());
    config.limit_train = 2000;
    config.limit_test = 1000;
    config.epochs = 2;
    config.sample_predictions = 16;
    CollectingObserver observer;
    auto job = make_train_job(config, observer);
    job->start();
    job->wait();
    QVERIFY2(job->state() == JobState::Finished, observer.failure.c_str());

    QVERIFY(observer.finished);
    qInfo("Fashion-MNIST 2000/1000, 2 epochs: test accuracy %.4f", observer.summary.test_accuracy);
    QVERIFY(observer.summary.test_accuracy >= 0.60);
    QCOMPARE(observer.summary.epochs_completed, 2);
    QCOMPARE(observer.steps.size(), size_t{2 * (2000 / 64)});
    QCOMPARE(observer.steps.back().step, int64_t{62});
    QVERIFY(observer.steps.back().train_loss < observer.steps.front().train_loss);
    QVERIFY(!observer.progress.empty());
    QCOMPARE(observer.progress.back().total_steps, int64_t{62});

    QCOMPARE(observer.epochs.size(), size_t{2});
    const EpochMetrics& last = observer.epochs.back();
    QCOMPARE(last.num_classes, 10);
    int64_t confusion_total = 0;
    for (int64_t v : last.confusion) confusion_total += v;
    QCOMPARE(confusion_total, int64_t{1000});
    QCOMPARE(last.test_accuracy, observer.summary.test_accuracy);

    QCOMPARE(observer.predictions.size(), size_t{2});
    const PredictionSamples& samples = observer.predictions.back();
    QCOMPARE(samples.items.size(), size_t{16});
    QCOMPARE(QString::fromStdString(samples.class_names[0]), QStringLiteral("T-shirt/top"));
    const SamplePrediction& p = samples.items[3];
    QCOMPARE(p.image.width, 28);
    QCOMPARE(p.image.pixels.size(), size_t{784});
    QCOMPARE(p.top_classes.size(), size_t{5});
    QVERIFY(p.top_probabilities[0] >= p.top_probabilities[1]);

    // One checkpoint per epoch, loadable, with metadata naming the model and the classes.
    for (const char* name : {"epoch-001.safetensors", "epoch-002.safetensors"}) {
      QVERIFY2(std::filesystem::exists(out.filePath(name).toStdString()), name);
    }
    QCOMPARE(QString::fromStdString(observer.summary.checkpoint), out.filePath("epoch-002.safetensors"));
    const WeightsFile loaded = read_weights_file(observer.summary.checkpoint);
    QCOMPARE(loaded.format, WeightsFormat::FoveaCheckpoint);
    const auto meta = nlohmann::json::parse(loaded.metadata_json);
    QCOMPARE(meta["model"]["name"].get<std::string>(), std::string("resnet18"));
    QCOMPARE(meta["model"]["in_channels"].get<int>(), 1);
    QCOMPARE(meta["class_names"][9].get<std::string>(), std::string("Ankle boot"));
    QCOMPARE(meta["epoch"].get<int>(), 2);
    auto model = fovea::models::create_model({"resnet18", 10, 1, false});
    load_state_dict(*model, loaded.tensors, observer.summary.checkpoint);
  }

  void cancelMidEpochIsFast() {
    QTemporaryDir out;
    TrainConfig config = small_config(FOVEA_FASHION_MNIST, out.path().toStdString());
    config.limit_test = 500;
    config.epochs = 3;
    CollectingObserver observer;
    auto job = make_train_job(config, observer);
    job->start();
    QVERIFY(wait_for([&] { return observer.step_count() >= 3; }, 120s));
    const auto t0 = std::chrono::steady_clock::now();
    job->cancel();
    job->wait();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    qInfo("cancel took %.3f s", seconds);
    QVERIFY(seconds < 1.0);
    QCOMPARE(job->state(), JobState::Cancelled);
    QVERIFY(observer.step_count() < 60000 / 64);
    QVERIFY(!std::filesystem::exists(out.filePath("epoch-001.safetensors").toStdString()));
  }

  void pauseStopsTheSteps() {
    QTemporaryDir data;
    fovea::testing::write_idx_dataset(data.path().toStdString(), 2048, 64, 28, false);
    TrainConfig config = small_config(data.path().toStdString(), "");
    config.batch_size = 16;
    config.epochs = 1;
    CollectingObserver observer;
    auto job = make_train_job(config, observer);
    job->start();
    QVERIFY(wait_for([&] { return observer.step_count() >= 2; }, 60s));
    job->pause();
    std::this_thread::sleep_for(500ms);  // the step in flight finishes
    const size_t held = observer.step_count();
    std::this_thread::sleep_for(300ms);
    QCOMPARE(observer.step_count(), held);
    job->resume();
    QVERIFY(wait_for([&] { return observer.step_count() > held; }, 60s));
    job->cancel();
    job->wait();
    QCOMPARE(job->state(), JobState::Cancelled);
  }

  void sameSeedSameLosses() {
    QTemporaryDir data;
    fovea::testing::write_idx_dataset(data.path().toStdString(), 256, 32, 16, true);
    std::vector<double> losses[2];
    for (auto& run : losses) {
      TrainConfig config = small_config(data.path().toStdString(), "");
      config.batch_size = 32;
      config.epochs = 1;
      CollectingObserver observer;
      JobControl control;
      train(config, control, observer);
      for (const StepMetrics& s : observer.steps) run.push_back(s.train_loss);
    }
    QCOMPARE(losses[0].size(), size_t{8});
    QVERIFY(losses[0] == losses[1]);
  }

  // Test-time augmentation (several passes per test image) is for the final figure: the epochs before the
  // last evaluate exactly as without it, the last one differently (mirrored logits averaged in).
  void ttaOnlyInTheLastEvaluation() {
    QTemporaryDir data;
    fovea::testing::write_idx_dataset(data.path().toStdString(), 64, 32, 16, true);
    std::vector<EpochMetrics> runs[2];
    for (int tta = 0; tta < 2; ++tta) {
      TrainConfig config = small_config(data.path().toStdString(), "");
      config.batch_size = 32;
      config.epochs = 2;
      config.tta = tta;
      CollectingObserver observer;
      JobControl control;
      train(config, control, observer);
      QVERIFY2(observer.failure.empty(), observer.failure.c_str());
      runs[tta] = observer.epochs;
    }
    QCOMPARE(runs[0].size(), size_t{2});
    QCOMPARE(runs[1].size(), size_t{2});
    QCOMPARE(runs[1][0].test_loss, runs[0][0].test_loss);  // epoch 1: plain in both runs
    QVERIFY(runs[1][1].test_loss != runs[0][1].test_loss);  // epoch 2: with mirrored passes
  }

  void missingDataFailsWithItsPath() {
    CollectingObserver observer;
    auto job = make_train_job(small_config("/nonexistent/fovea-data", ""), observer);
    job->start();
    job->wait();
    QCOMPARE(job->state(), JobState::Failed);
    QVERIFY2(QString::fromStdString(observer.failure).contains("/nonexistent/fovea-data"), observer.failure.c_str());
  }

  void divergenceStopsWithTheStep() {
    QTemporaryDir data;
    fovea::testing::write_idx_dataset(data.path().toStdString(), 256, 32, 16, false);
    TrainConfig config = small_config(data.path().toStdString(), "");
    config.batch_size = 32;
    config.optimizer = OptimizerKind::Sgd;
    config.learning_rate = 1e30;
    config.schedule = LrSchedule::Constant;
    config.epochs = 3;
    CollectingObserver observer;
    auto job = make_train_job(config, observer);
    job->start();
    job->wait();
    QCOMPARE(job->state(), JobState::Failed);
    QVERIFY2(QString::fromStdString(observer.failure).contains("at step"), observer.failure.c_str());
  }
};

QTEST_GUILESS_MAIN(TrainingTest)
#include "test_training.moc"
