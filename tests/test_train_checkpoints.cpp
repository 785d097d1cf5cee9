// Training from checkpoints, on the CPU with a small generated IDX data set: a run stopped after an
// epoch and resumed from that epoch's checkpoint takes exactly the steps of the run that never stopped
// (the same loss at every step, the same final weights and optimizer state); resuming refuses the
// checkpoints of other runs; a new run starts from weights of another class count (fine-tuning).
#include <QtTest>

#include <ATen/ATen.h>

#include <filesystem>

#include "collecting_observer.h"
#include "train_run.h"
#include "engine/checkpoint.h"
#include "engine/errors.h"
#include "engine/io/safetensors.h"
#include "engine/tensor_convert.h"
#include "engine/train_job.h"
#include "engine/weights_file.h"
#include "models/registry.h"
#include "test_files.h"

using namespace fovea::engine;
using fovea::testing::CollectingObserver;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kTrainImages = 128, kBatch = 32, kStepsPerEpoch = kTrainImages / kBatch;

std::string checkpoint_of(const std::string& folder, int epoch) {
  char name[32];
  std::snprintf(name, sizeof name, "epoch-%03d.safetensors", epoch);
  return (fs::path(folder) / name).string();
}

JobState run(const TrainConfig& config, CollectingObserver& observer, int stop_after = 0) {
  return fovea::testing::run_training(config, observer, stop_after);
}

void write_plain_safetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors) {
  std::vector<TensorToWrite> entries;
  for (const auto& [name, t] : tensors)
    entries.push_back({name, dtype_of(t.scalar_type(), name), t.sizes().vec(), t.data_ptr(), t.nbytes()});
  write_safetensors(path, entries, {});
}

void expect_same_tensors(const std::map<std::string, at::Tensor>& a, const std::map<std::string, at::Tensor>& b) {
  QCOMPARE(a.size(), b.size());
  for (const auto& [name, t] : a) {
    QVERIFY2(b.count(name), name.c_str());
    QVERIFY2(at::equal(t, b.at(name)), name.c_str());
  }
}

}  // namespace

class TrainCheckpointsTest : public QObject {
  Q_OBJECT

  QTemporaryDir data_dir_, base_dir_;
  std::string data_, base_;  // the data set; a one-epoch Adam run's checkpoint

  TrainConfig config(const QTemporaryDir& out) const {
    TrainConfig c;
    c.model = "airbench94";
    c.data_path = data_;
    c.device = "cpu";
    c.batch_size = kBatch;
    c.epochs = 3;
    c.seed = 5;
    c.sample_predictions = 0;
    c.output_dir = out.path().toStdString();
    return c;
  }

 private Q_SLOTS:
  void initTestCase() {
    data_ = data_dir_.path().toStdString();
    fovea::testing::write_idx_dataset(data_, kTrainImages, 32, 16, false);
    TrainConfig c = config(base_dir_);
    c.epochs = 1;
    CollectingObserver observer;
    QCOMPARE(run(c, observer), JobState::Finished);
    base_ = checkpoint_of(c.output_dir, 1);
  }

  void resumeRepeatsTheUninterruptedRun_data() {
    QTest::addColumn<int>("optimizer");
    QTest::addColumn<int>("schedule");
    QTest::addColumn<int>("stop_after");
    QTest::addColumn<bool>("shorter_first_run");  // instead of stopping a 3-epoch run, a 1-epoch run extended
    QTest::addColumn<bool>("recipe");  // warm-up, label smoothing, mixup/cutmix, EMA, clipping, parameter groups
    QTest::addColumn<bool>("airbench");  // fast-cifar's pieces: lookahead, norm-bias rate, triangle, whitening bias
    const int sgd = int(OptimizerKind::Sgd), adam = int(OptimizerKind::Adam), adamw = int(OptimizerKind::AdamW);
    const int cosine = int(LrSchedule::Cosine), constant = int(LrSchedule::Constant);
    const int linear = int(LrSchedule::Linear), step = int(LrSchedule::Step);
    QTest::newRow("sgd, cosine, stopped after epoch 1") << sgd << cosine << 1 << false << false << false;
    QTest::newRow("adam, cosine, stopped after epoch 1") << adam << cosine << 1 << false << false << false;
    QTest::newRow("sgd, cosine, stopped after epoch 2") << sgd << cosine << 2 << false << false << false;
    QTest::newRow("adam, constant, 1-epoch run extended to 3") << adam << constant << 1 << true << false << false;
    QTest::newRow("adamw, warm-up + linear, mixup/cutmix, EMA") << adamw << linear << 1 << false << true << false;
    QTest::newRow("nesterov sgd, step, mixup/cutmix, EMA") << sgd << step << 2 << false << true << false;
    // Lookahead every 3 steps from epoch 1: stopped before it starts, and after it has.
    QTest::newRow("airbench recipe, stopped after epoch 1") << sgd << linear << 1 << false << false << true;
    QTest::newRow("airbench recipe, stopped after epoch 2") << sgd << linear << 2 << false << false << true;
  }
  void resumeRepeatsTheUninterruptedRun() {
    QFETCH(int, optimizer);
    QFETCH(int, schedule);
    QFETCH(int, stop_after);
    QFETCH(bool, shorter_first_run);
    QFETCH(bool, recipe);
    QFETCH(bool, airbench);
    QTemporaryDir whole_dir, parts_dir;
    TrainConfig whole = config(whole_dir);
    whole.optimizer = OptimizerKind(optimizer);
    whole.schedule = LrSchedule(schedule);
    if (recipe) {
      whole.nesterov = true;
      whole.warmup_epochs = 1.5;
      whole.step_epochs = 1;
      whole.step_gamma = 0.5;
      whole.label_smoothing = 0.1;
      whole.mixup_alpha = 0.4;
      whole.cutmix_alpha = 1.0;
      whole.ema_decay = 0.9;
      whole.grad_clip_norm = 1.0;
      whole.decay_norms_and_biases = false;
      whole.backbone_lr_scale = 0.5;
    }
    if (airbench) {
      whole.nesterov = true;
      whole.warmup_epochs = 1.5;
      whole.warmup_from = 0.2;
      whole.final_lr_fraction = 0.07;
      whole.norm_bias_lr_scale = 64;
      whole.lookahead_every = 3;
      whole.lookahead_start_epochs = 1;
      whole.whiten_bias_epochs = 2;
      whole.label_smoothing = 0.2;
    }

    CollectingObserver uninterrupted;
    QCOMPARE(run(whole, uninterrupted), JobState::Finished);
    const std::vector<double> expected = uninterrupted.losses();
    QCOMPARE(expected.size(), size_t{3 * kStepsPerEpoch});

    TrainConfig first = whole;
    first.output_dir = parts_dir.path().toStdString();
    CollectingObserver before;
    if (shorter_first_run) {
      first.epochs = stop_after;
      QCOMPARE(run(first, before), JobState::Finished);
    } else {
      QCOMPARE(run(first, before, stop_after), JobState::Cancelled);
    }
    const size_t done = static_cast<size_t>(stop_after * kStepsPerEpoch);
    QVERIFY(before.losses() == std::vector<double>(expected.begin(), expected.begin() + done));

    TrainConfig resumed = whole;
    resumed.output_dir = first.output_dir;
    resumed.resume_from = checkpoint_of(first.output_dir, stop_after);
    CollectingObserver after;
    QCOMPARE(run(resumed, after), JobState::Finished);
    QVERIFY2(after.failure.empty(), after.failure.c_str());
    QCOMPARE(after.steps.size(), expected.size() - done);
    QCOMPARE(after.steps.front().step, static_cast<int64_t>(done + 1));
    QCOMPARE(after.steps.front().epoch, stop_after + 1);
    // Exact equality: the same arithmetic on the same numbers, step for step.
    QVERIFY(after.losses() == std::vector<double>(expected.begin() + static_cast<std::ptrdiff_t>(done), expected.end()));
    QCOMPARE(after.summary->epochs_completed, 3);
    QCOMPARE(after.logged("differ from the run's"), shorter_first_run);  // epochs 1 -> 3 is worth a warning
    QVERIFY(after.logged("resumed from " + resumed.resume_from));

    // The same weights, buffers, optimizer state and random generator state at the end.
    const WeightsFile a = read_weights_file(checkpoint_of(whole.output_dir, 3));
    const WeightsFile b = read_weights_file(checkpoint_of(first.output_dir, 3));
    expect_same_tensors(a.tensors, b.tensors);
    expect_same_tensors(a.training_state, b.training_state);
    QVERIFY(!a.training_state.empty());
    QCOMPARE(a.training_state.count("ema/" + a.tensors.begin()->first) > 0, recipe);
  }

  // 1.5 epochs of 4 steps: 6 steps, the second epoch cut after 2; both epochs evaluated and saved.
  void fractionalEpochsEndPartWay() {
    QTemporaryDir out;
    TrainConfig c = config(out);
    c.epochs = 1.5;
    CollectingObserver observer;
    QCOMPARE(run(c, observer), JobState::Finished);
    QCOMPARE(observer.steps.size(), size_t{6});
    QCOMPARE(observer.steps.back().step, int64_t{6});
    QCOMPARE(observer.steps.back().epoch, 2);
    QCOMPARE(observer.summary->epochs_completed, 2);
    QVERIFY(std::filesystem::exists(checkpoint_of(c.output_dir, 2)));
  }

  void resumeRefusesOtherRuns_data() {
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("expected");
    QTest::newRow("another batch size") << "batch 16" << "batch size 32, this run asks for 16";
    QTest::newRow("another optimizer") << "sgd" << "trained with adam, this run asks for sgd";
    QTest::newRow("another model") << "resnet18" << "it holds airbench94, this run asks for resnet18";
    QTest::newRow("no epochs left") << "1 epoch" << "after epoch 1 and the run has 1 epochs in all";
    QTest::newRow("fewer training images") << "limit 64" << "its run had 4 steps per epoch, this one has 2";
    QTest::newRow("weights without training state") << "plain" << "not a Fovea checkpoint";
    QTest::newRow("resume and init together") << "init too" << "exclude each other";
    QTest::newRow("missing file") << "missing" << "/nonexistent/epoch-001.safetensors";
  }
  void resumeRefusesOtherRuns() {
    QFETCH(QString, change);
    QFETCH(QString, expected);
    QTemporaryDir out;
    TrainConfig c = config(out);
    c.resume_from = base_;
    if (change == "batch 16") c.batch_size = 16;
    if (change == "sgd") c.optimizer = OptimizerKind::Sgd;
    if (change == "resnet18") c.model = "resnet18";
    if (change == "1 epoch") c.epochs = 1;
    if (change == "limit 64") c.limit_train = 64;
    if (change == "init too") c.init_from = base_;
    if (change == "missing") c.resume_from = "/nonexistent/epoch-001.safetensors";
    if (change == "plain") {
      c.resume_from = (out.path() + "/weights.safetensors").toStdString();
      write_plain_safetensors(c.resume_from, read_weights_file(base_).tensors);
    }
    CollectingObserver observer;
    QCOMPARE(run(c, observer), JobState::Failed);
    QVERIFY2(observer.failure.find(expected.toStdString()) != std::string::npos, observer.failure.c_str());
    QVERIFY(observer.steps.empty());
  }

  // What `fovea-cli train --resume` starts from: the settings of the checkpoint's run.
  void recordsTheRunsSettings() {
    const TrainConfig c = recorded_train_config(base_);
    QCOMPARE(c.model, std::string("airbench94"));
    QVERIFY(fs::equivalent(c.data_path, data_));
    QCOMPARE(c.epochs, 1.0);
    QCOMPARE(c.batch_size, kBatch);
    QCOMPARE(c.optimizer, OptimizerKind::Adam);
    QCOMPARE(c.learning_rate, default_learning_rate(OptimizerKind::Adam));
    QCOMPARE(c.schedule, LrSchedule::Cosine);
    QCOMPARE(c.seed, uint64_t{5});
    QCOMPARE(c.device, std::string("cpu"));
    QCOMPARE(c.resume_from, base_);

    QTemporaryDir dir;
    const std::string plain = (dir.path() + "/w.safetensors").toStdString();
    write_plain_safetensors(plain, read_weights_file(base_).tensors);
    try {
      recorded_train_config(plain);
      QFAIL("no error");
    } catch (const CheckpointError& e) {
      QVERIFY2(std::string(e.what()).find(plain + ": not a Fovea checkpoint") != std::string::npos, e.what());
    }
  }

  // Fine-tuning: weights of a 100-class model start a 10-class run; the head is the model's own.
  void initFromReplacesTheHead() {
    QTemporaryDir out;
    torch::manual_seed(99);
    auto pretrained = fovea::models::create_model({"airbench94", 100, 1});
    const auto weights = state_dict(*pretrained);
    TrainConfig c = config(out);
    c.epochs = 1;
    c.init_from = (out.path() + "/pretrained.safetensors").toStdString();
    write_plain_safetensors(c.init_from, weights);
    CollectingObserver observer;
    QCOMPARE(run(c, observer), JobState::Finished);
    QVERIFY2(observer.logged("replaced the classifier head: checkpoint has 100 classes, model has 10"),
             observer.all_logs().c_str());
    // The whitening convolution is frozen: after an epoch it still holds the initial weights.
    const WeightsFile trained = read_weights_file(checkpoint_of(c.output_dir, 1));
    QVERIFY(at::equal(trained.tensors.at("0.weight"), weights.at("0.weight")));
    const WeightsFile fresh = read_weights_file(base_);  // the same run without init_from
    QVERIFY(!at::equal(fresh.tensors.at("0.weight"), weights.at("0.weight")));
  }

  void initFromRefusesMisfitUnlessNonStrict() {
    QTemporaryDir out;
    auto rgb = fovea::models::create_model({"airbench94", 10, 3});
    TrainConfig c = config(out);
    c.epochs = 1;
    c.init_from = (out.path() + "/rgb.safetensors").toStdString();
    write_plain_safetensors(c.init_from, state_dict(*rgb));
    CollectingObserver strict;
    QCOMPARE(run(c, strict), JobState::Failed);
    QVERIFY2(strict.failure.find(c.init_from + " does not fit the model: shape mismatches: 0.bias") != std::string::npos,
             strict.failure.c_str());

    c.init_strict = false;
    CollectingObserver lenient;
    QCOMPARE(run(c, lenient), JobState::Finished);
    QVERIFY2(lenient.logged("shape mismatches: 0.bias: [24] in the file, [8] in the model, 0.weight"),
             lenient.all_logs().c_str());
  }
};

QTEST_GUILESS_MAIN(TrainCheckpointsTest)
#include "test_train_checkpoints.moc"
