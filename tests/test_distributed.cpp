// Data-parallel training (issue 9) on this CPU-only machine: Gloo over the loopback interface.
//  - the environment torchrun/srun set is read, and bad settings are named;
//  - each rank's share of an epoch is torch.utils.data.DistributedSampler's;
//  - the local launcher starts, watches and stops worker processes;
//  - two fovea-cli processes (as torchrun starts them) train the same steps as one process with the same
//    global batch: equal weights within fp32 rounding, equal reduced metrics; only rank 0 writes and talks;
//  - `fovea-cli train --gpus 2` runs the same; a failing rank ends it with its message; a rank whose
//    peer never comes gives up after FOVEA_DIST_TIMEOUT instead of hanging.
// Every wait here is bounded (FOVEA_DIST_TIMEOUT=20 for the workers, timeouts on every process).
#include <QtTest>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>

#include <filesystem>
#include <map>
#include <string>

#include "engine/checkpoint.h"
#include "engine/distributed/dist_env.h"
#include "engine/distributed/distributed_sampler.h"
#include "engine/distributed/local_launcher.h"
#include "engine/errors.h"
#include "engine/job_event_stream.h"
#include "collecting_observer.h"
#include "test_files.h"

using namespace fovea::engine;
namespace fs = std::filesystem;

namespace {

using Env = std::map<std::string, std::string>;

std::optional<DistEnv> read(const Env& env) {
  return read_dist_env([&](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

// torch.utils.data.DistributedSampler.__iter__ (shuffle, drop_last=False) on a given permutation, as
// Python writes it: pad with the list's start (repeated when the padding is longer), then take
// indices[rank:total_size:num_replicas].
std::vector<int64_t> distributed_sampler_reference(std::vector<int64_t> indices, int rank, int replicas) {
  const auto n = static_cast<int64_t>(indices.size());
  const int64_t num_samples = (n + replicas - 1) / replicas;  // math.ceil(len / num_replicas)
  const int64_t total_size = num_samples * replicas;
  const int64_t padding = total_size - n;
  if (padding <= n) {
    indices.insert(indices.end(), indices.begin(), indices.begin() + padding);
  } else {
    std::vector<int64_t> repeated;
    for (int64_t k = 0; k < (padding + n - 1) / n; ++k) repeated.insert(repeated.end(), indices.begin(), indices.begin() + n);
    indices.insert(indices.end(), repeated.begin(), repeated.begin() + padding);
  }
  std::vector<int64_t> mine;
  for (int64_t i = rank; i < total_size; i += replicas) mine.push_back(indices[static_cast<size_t>(i)]);
  return mine;
}

std::vector<int64_t> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.cpu().contiguous();
  return {c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel()};
}

QString path_in(const QTemporaryDir& dir, const char* name) { return dir.path() + "/" + name; }

std::map<std::string, at::Tensor> model_tensors(const QString& checkpoint) {
  std::map<std::string, at::Tensor> out;
  for (auto& [name, t] : load_safetensors(checkpoint.toStdString()).tensors)
    if (name.find('/') == std::string::npos) out[name] = t;  // not the optimizer's or RNG's state
  return out;
}

struct Finished {
  int code = -1;
  QString out, err;
  qint64 ms = 0;
};

Finished finish(QProcess& p, int limit_ms) {
  Finished f;
  QElapsedTimer clock;
  clock.start();
  if (!p.waitForFinished(limit_ms)) {
    p.kill();
    p.waitForFinished(5000);
  }
  f.ms = clock.elapsed();
  f.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  f.out = QString::fromUtf8(p.readAllStandardOutput());
  f.err = QString::fromUtf8(p.readAllStandardError());
  return f;
}

}  // namespace

class DistributedTest : public QObject {
  Q_OBJECT

  QTemporaryDir data_dir_;
  QString data_;
  uint16_t port_ = 0;

  // A short run of a model without BatchNorm (its per-rank statistics would differ from one process's):
  // ViT-Ti on 16x16 grey images (4-pixel patches), 64 training images, global batch 16, 4 SGD steps.
  QStringList train_arguments(const QString& out) const {
    return {"train", "--model", "vit_tiny", "--data", data_, "--device", "cpu", "--epochs", "1", "--batch-size", "16",
            "--optimizer", "sgd", "--lr", "0.05", "--no-augment", "--seed", "7", "--out", out, "--json"};
  }

  QProcessEnvironment worker_env(int rank, int world, uint16_t port) const {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("RANK", QString::number(rank));
    env.insert("LOCAL_RANK", QString::number(rank));
    env.insert("WORLD_SIZE", QString::number(world));
    env.insert("LOCAL_WORLD_SIZE", QString::number(world));
    env.insert("MASTER_ADDR", "127.0.0.1");
    env.insert("MASTER_PORT", QString::number(port));
    env.insert("OMP_NUM_THREADS", "1");
    env.insert("FOVEA_DIST_TIMEOUT", "20");
    return env;
  }

 private Q_SLOTS:
  void initTestCase() {
    QVERIFY(data_dir_.isValid());
    data_ = data_dir_.path();
    fovea::testing::write_idx_dataset(data_.toStdString(), 64, 16, 16, false);
  }

  void environmentErrors_data() {
    QTest::addColumn<QString>("variables");  // NAME=value;NAME=value
    QTest::addColumn<QString>("expected");   // in the message
    QTest::newRow("rank not below size") << "RANK=2;WORLD_SIZE=2;MASTER_ADDR=h;MASTER_PORT=1" << "RANK=2 is not below WORLD_SIZE=2";
    QTest::newRow("no address") << "RANK=0;WORLD_SIZE=2;MASTER_PORT=29500" << "MASTER_ADDR is not set";
    QTest::newRow("no port") << "RANK=1;WORLD_SIZE=2;MASTER_ADDR=node1" << "MASTER_PORT is not";
    QTest::newRow("port too large") << "RANK=0;WORLD_SIZE=2;MASTER_ADDR=h;MASTER_PORT=70000" << "MASTER_PORT='70000'";
    QTest::newRow("size not a number") << "RANK=0;WORLD_SIZE=two;MASTER_ADDR=h;MASTER_PORT=1" << "WORLD_SIZE='two'";
    QTest::newRow("no rank") << "WORLD_SIZE=4;MASTER_ADDR=h;MASTER_PORT=1" << "RANK is not";
    QTest::newRow("no size") << "RANK=1" << "WORLD_SIZE is not";
    QTest::newRow("negative rank") << "RANK=-1;WORLD_SIZE=2;MASTER_ADDR=h;MASTER_PORT=1" << "RANK='-1'";
    QTest::newRow("local rank above rank") << "RANK=0;LOCAL_RANK=1;WORLD_SIZE=2;MASTER_ADDR=h;MASTER_PORT=1" << "LOCAL_RANK=1";
    QTest::newRow("agent store flag") << "RANK=0;WORLD_SIZE=2;MASTER_ADDR=h;MASTER_PORT=1;TORCHELASTIC_USE_AGENT_STORE=maybe"
                                      << "TORCHELASTIC_USE_AGENT_STORE='maybe'";
    QTest::newRow("slurm rank") << "SLURM_PROCID=4;SLURM_NTASKS=4;MASTER_ADDR=h;MASTER_PORT=1" << "SLURM_PROCID=4 is not below SLURM_NTASKS=4";
    QTest::newRow("slurm address") << "SLURM_PROCID=1;SLURM_NTASKS=4" << "MASTER_ADDR is not set";
  }
  void environmentErrors() {
    QFETCH(QString, variables);
    QFETCH(QString, expected);
    Env env;
    for (const QString& pair : variables.split(';')) env[pair.section('=', 0, 0).toStdString()] = pair.section('=', 1).toStdString();
    try {
      read(env);
      QFAIL("accepted");
    } catch (const ConfigError& e) {
      QVERIFY2(std::string(e.what()).find(expected.toStdString()) != std::string::npos, e.what());
    }
    try {
      dist_timeout([](const char* name) { return std::string(name) == "FOVEA_DIST_TIMEOUT" ? "soon" : nullptr; });
      QFAIL("accepted FOVEA_DIST_TIMEOUT=soon");
    } catch (const ConfigError& e) {
      QVERIFY(std::string(e.what()).find("FOVEA_DIST_TIMEOUT='soon'") != std::string::npos);
    }
  }

  void environmentSettings() {
    QVERIFY(!read({}));
    QVERIFY(!read({{"WORLD_SIZE", "1"}, {"RANK", "0"}}));        // one process: not distributed
    QVERIFY(!read({{"SLURM_NTASKS", "1"}, {"SLURM_PROCID", "0"}}));
    const auto torchrun = read({{"RANK", "3"}, {"WORLD_SIZE", "8"}, {"LOCAL_RANK", "1"}, {"LOCAL_WORLD_SIZE", "2"},
                                {"MASTER_ADDR", "node0"}, {"MASTER_PORT", "29400"},
                                {"TORCHELASTIC_USE_AGENT_STORE", "True"}, {"TORCHELASTIC_RESTART_COUNT", "2"},
                                {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}});  // RANK wins over SLURM's
    QVERIFY(torchrun);
    QCOMPARE(torchrun->rank, 3);
    QCOMPARE(torchrun->world_size, 8);
    QCOMPARE(torchrun->local_rank, 1);
    QCOMPARE(torchrun->local_world_size, 2);
    QCOMPARE(torchrun->master_addr, std::string("node0"));
    QCOMPARE(int(torchrun->master_port), 29400);
    QVERIFY(torchrun->agent_store);
    QCOMPARE(torchrun->restart_count, 2);
    const auto slurm = read({{"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "8"}, {"SLURM_LOCALID", "1"},
                             {"MASTER_ADDR", "node0"}, {"MASTER_PORT", "29500"}});
    QVERIFY(slurm);
    QCOMPARE(slurm->rank, 5);
    QCOMPARE(slurm->world_size, 8);
    QCOMPARE(slurm->local_rank, 1);
    QVERIFY(!slurm->agent_store);
    QCOMPARE(dist_timeout([](const char*) { return nullptr; }), std::chrono::milliseconds(30 * 60 * 1000));
  }

  void shardsAreDistributedSamplers() {
    for (const int64_t n : {1, 2, 5, 7, 16, 61, 64, 100}) {
      for (const int replicas : {1, 2, 3, 4, 8}) {
        // A shuffled order as the trainer draws it (the same on every rank).
        auto generator = at::make_generator<at::CPUGeneratorImpl>(uint64_t(1000 + n));
        const at::Tensor order = at::randperm(n, generator, at::kLong);
        const std::vector<int64_t> all = to_vector(order);
        std::vector<int> seen(static_cast<size_t>(n), 0);
        for (int rank = 0; rank < replicas; ++rank) {
          const std::vector<int64_t> mine = to_vector(shard_order(order, rank, replicas));
          QCOMPARE(mine, distributed_sampler_reference(all, rank, replicas));
          QCOMPARE(int64_t(mine.size()), shard_size(n, replicas));
          for (const int64_t i : mine) ++seen[static_cast<size_t>(i)];
        }
        // Every image at least once; the padding repeats only the start of the order.
        const int64_t total = shard_size(n, replicas) * replicas;
        const int64_t padding = total - n;
        for (int64_t k = 0; k < n; ++k)  // position k of the order is repeated by padding positions k, k + n, ...
          QCOMPARE(seen[static_cast<size_t>(all[static_cast<size_t>(k)])], int(1 + (k < padding ? (padding - 1 - k) / n + 1 : 0)));
        // Per-rank batches of b at step s are, together, the single-process order's batch of b * W.
        const int64_t b = 2;
        for (int64_t s = 0; s < shard_size(n, replicas) / b && (s + 1) * b * replicas <= n; ++s) {
          std::vector<int64_t> together, single(all.begin() + s * b * replicas, all.begin() + (s + 1) * b * replicas);
          for (int rank = 0; rank < replicas; ++rank) {
            const std::vector<int64_t> mine = to_vector(shard_order(order, rank, replicas));
            together.insert(together.end(), mine.begin() + s * b, mine.begin() + (s + 1) * b);
          }
          std::sort(together.begin(), together.end());
          std::sort(single.begin(), single.end());
          QCOMPARE(together, single);
        }
      }
    }
    QCOMPARE(to_vector(strided_positions(7, 1, 3)), (std::vector<int64_t>{1, 4}));
    QVERIFY_THROWS_EXCEPTION(ConfigError, shard_order(at::arange(4), 2, 2));
  }

  void launcherSetsEnvironmentAndReportsFailure() {
    // Rank 1 fails at once with a message; rank 0 would sleep for a minute: it is stopped.
    LaunchRequest request;
    request.program = "/bin/sh";
    request.arguments = {"-c",
                         "echo \"env $RANK $LOCAL_RANK $WORLD_SIZE $LOCAL_WORLD_SIZE $MASTER_ADDR $MASTER_PORT\" >&2; "
                         "if [ \"$RANK\" = 1 ]; then sleep 0.5; echo 'cannot read the data' >&2; exit 3; fi; exec sleep 60"};
    request.processes = 3;
    request.grace = std::chrono::milliseconds(3000);
    std::map<int, std::string> output;
    request.on_output = [&](int rank, const std::string& text) { output[rank] += text; };
    QElapsedTimer clock;
    clock.start();
    LocalLauncher launcher(request);
    launcher.start();
    std::optional<LaunchOutcome> outcome;
    while (!outcome && clock.elapsed() < 20000) outcome = launcher.poll(std::chrono::milliseconds(100));
    QVERIFY2(outcome, "the launcher did not end the run");
    QVERIFY2(clock.elapsed() < 10000, "the other workers were not stopped promptly");
    QCOMPARE(outcome->exit_code, 3);
    QCOMPARE(outcome->failed_rank, 1);
    QVERIFY2(outcome->message.find("rank 1 of 3 exited with code 3: cannot read the data") != std::string::npos,
             outcome->message.c_str());
    const std::string port = std::to_string(launcher.master_port());
    for (int rank = 0; rank < 3; ++rank) {
      const std::string r = std::to_string(rank);
      QVERIFY2(output[rank].find("env " + r + " " + r + " 3 3 127.0.0.1 " + port) != std::string::npos,
               output[rank].c_str());
    }

    // stop(): every worker ends, the run reports 130.
    LaunchRequest sleepers = request;
    sleepers.arguments = {"-c", "exec sleep 60"};
    LocalLauncher second(sleepers);
    second.start();
    second.stop();
    clock.restart();
    outcome.reset();
    while (!outcome && clock.elapsed() < 20000) outcome = second.poll(std::chrono::milliseconds(100));
    QVERIFY(outcome);
    QCOMPARE(outcome->exit_code, 130);
    QCOMPARE(outcome->failed_rank, -1);
  }

  void peerThatNeverComesTimesOut() {
    // Rank 0 of 2 alone: the rendezvous gives up after FOVEA_DIST_TIMEOUT=3 s with a message, no hang.
    QTemporaryDir out;
    QProcess rank0;
    QProcessEnvironment env = worker_env(0, 2, free_tcp_port("127.0.0.1"));
    env.insert("FOVEA_DIST_TIMEOUT", "3");
    rank0.setProcessEnvironment(env);
    rank0.start(FOVEA_CLI, train_arguments(path_in(out, "run")));
    const Finished f = finish(rank0, 30000);
    QVERIFY2(f.code != 0 && f.code != -1, qPrintable(f.err));
    QVERIFY2(f.ms < 25000, "no timeout");
    QVERIFY2(f.err.contains("rendezvous at 127.0.0.1:") && f.err.contains("as rank 0 of 2 failed within 3 s") &&
                 f.err.contains("did all 2 ranks start"),
             qPrintable(f.err));
    QVERIFY(!fs::exists(fs::path(path_in(out, "run").toStdString()) / "epoch-001.safetensors"));
  }

  void twoProcessesTrainAsOne() {
    QTemporaryDir out;
    // One process, the whole batch of 16 per step.
    QProcess single;
    QProcessEnvironment single_env = QProcessEnvironment::systemEnvironment();
    single_env.insert("OMP_NUM_THREADS", "1");
    single.setProcessEnvironment(single_env);
    single.start(FOVEA_CLI, train_arguments(path_in(out, "single")));
    // Two processes as torchrun starts them: 8 images each per step. Rank 1 is told another folder: it
    // must write nothing there (only rank 0 writes).
    const uint16_t port = free_tcp_port("127.0.0.1");
    QProcess rank0, rank1;
    rank0.setProcessEnvironment(worker_env(0, 2, port));
    rank1.setProcessEnvironment(worker_env(1, 2, port));
    rank0.start(FOVEA_CLI, train_arguments(path_in(out, "rank0")));
    rank1.start(FOVEA_CLI, train_arguments(path_in(out, "rank1")));
    QElapsedTimer clock;
    clock.start();
    const Finished s = finish(single, 120000), r0 = finish(rank0, 120000), r1 = finish(rank1, 120000);
    QVERIFY2(s.code == 0, qPrintable(s.err));
    QVERIFY2(r0.code == 0, qPrintable(r0.err));
    QVERIFY2(r1.code == 0, qPrintable(r1.err));
    std::printf("one process and two ranks side by side: %lld ms\n", static_cast<long long>(clock.elapsed()));

    QVERIFY2(r1.out.isEmpty() && r1.err.isEmpty(), qPrintable("rank 1 said: " + r1.out + r1.err));
    QVERIFY(!fs::exists(path_in(out, "rank1").toStdString()));
    QVERIFY2(r0.err.contains("weights identical on all 2 ranks"), qPrintable(r0.err));  // checked bit for bit

    const QString checkpoint = "/epoch-001.safetensors";
    const auto one = model_tensors(path_in(out, "single") + checkpoint);
    const auto two = model_tensors(path_in(out, "rank0") + checkpoint);
    QCOMPARE(two.size(), one.size());
    QVERIFY(one.size() > 100);
    // fp32: the two runs sum the same per-image gradients in another order. Tolerance |a - b| <= 1e-5 +
    // 1e-4 |a|; the weights moved by far more than that from their start (checked below).
    double worst = 0;
    for (const auto& [name, a] : one) {
      const at::Tensor& b = two.at(name);
      QVERIFY2(at::allclose(a, b, 1e-4, 1e-5), name.c_str());
      worst = std::max(worst, (a - b).abs().max().item<double>());
    }
    std::printf("largest weight difference, 2 ranks vs 1 process: %.3g\n", worst);

    // The reduced metrics are the whole run's: the same as the single process's.
    const QJsonObject js = QJsonDocument::fromJson(s.out.toUtf8()).object();
    const QJsonObject j0 = QJsonDocument::fromJson(r0.out.toUtf8()).object();
    QVERIFY2(!j0.isEmpty(), qPrintable(r0.out));
    QVERIFY2(j0["device"].toString().contains("rank 0 of 2 (gloo)"), qPrintable(j0["device"].toString()));
    QVERIFY(std::abs(js["train_loss"].toDouble() - j0["train_loss"].toDouble()) < 1e-4);
    QVERIFY(std::abs(js["test_loss"].toDouble() - j0["test_loss"].toDouble()) < 1e-4);
    QCOMPARE(j0["test_accuracy"].toDouble(), js["test_accuracy"].toDouble());

    // A third run with another seed differs by far more than the tolerance: the comparison can fail.
    QProcess other;
    other.setProcessEnvironment(single_env);
    QStringList args = train_arguments(path_in(out, "other"));
    args[args.indexOf("--seed") + 1] = "8";
    other.start(FOVEA_CLI, args);
    const Finished o = finish(other, 120000);
    QVERIFY2(o.code == 0, qPrintable(o.err));
    const auto different = model_tensors(path_in(out, "other") + checkpoint);
    QVERIFY(!at::allclose(different.at("head.weight"), one.at("head.weight"), 1e-4, 1e-5));
  }

  void gpusOptionLaunchesWorkers() {
    QTemporaryDir out;
    QProcess run;
    run.start(FOVEA_CLI, train_arguments(path_in(out, "run")) << "--gpus" << "2");
    const Finished f = finish(run, 120000);
    QVERIFY2(f.code == 0, qPrintable(f.err));
    const QJsonObject j = QJsonDocument::fromJson(f.out.toUtf8()).object();
    QVERIFY2(j["device"].toString().contains("rank 0 of 2 (gloo)"), qPrintable(f.out));
    QVERIFY(fs::exists(path_in(out, "run").toStdString() + "/epoch-001.safetensors"));
    QVERIFY2(!f.err.contains("[rank 1]"), qPrintable(f.err));  // rank 1 had nothing to say

    // Stopping the launcher (SIGTERM, as Ctrl-C) stops every worker: a long run ends at once with 130.
    QProcess stopped;
    QStringList long_run = train_arguments(path_in(out, "stopped"));
    long_run[long_run.indexOf("--epochs") + 1] = "1000";
    stopped.start(FOVEA_CLI, long_run << "--gpus" << "2");
    QVERIFY(stopped.waitForStarted(10000));
    QString said;
    QElapsedTimer clock;
    clock.start();
    while (!said.contains("step 2/4") && clock.elapsed() < 60000 && stopped.state() == QProcess::Running) {
      stopped.waitForReadyRead(200);
      said += QString::fromUtf8(stopped.readAllStandardError());
    }
    QVERIFY2(said.contains("step 2/4"), qPrintable(said));
    stopped.terminate();
    const Finished st = finish(stopped, 30000);
    QCOMPARE(st.code, 130);
    QVERIFY2(st.ms < 15000, "the workers did not stop promptly");
    QVERIFY2(st.err.contains("training stopped (2 worker processes)"), qPrintable(st.err));

    // A setting every rank refuses: the run ends with the rank's message and a non-zero exit.
    QProcess bad;
    QStringList args = train_arguments(path_in(out, "bad"));
    args[args.indexOf("--batch-size") + 1] = "15";
    bad.start(FOVEA_CLI, args << "--gpus" << "2");
    const Finished b = finish(bad, 60000);
    QCOMPARE(b.code, 1);
    QVERIFY2(b.err.contains("fovea-cli: error: rank ") && b.err.contains("batch size 15") &&
                 b.err.contains("over 2 processes"),
             qPrintable(b.err));
  }

  // The GUI's worker runs (engine/job_event_stream.h): every observer call survives the trip through a
  // JSON line, pixels and confusion matrix included; other lines are not events and call nothing.
  void eventLinesRoundTrip() {
    std::vector<std::string> lines;
    JsonLinesObserver writer([&lines](const std::string& line) { lines.push_back(line); });
    Progress progress;
    progress.epoch = 2;
    progress.epochs = 3;
    progress.step = 17;
    progress.total_steps = 30;
    progress.step_in_epoch = 7;
    progress.steps_per_epoch = 10;
    progress.images_per_second = 1234.5;
    progress.eta_seconds = -1;
    progress.phase = "train";
    writer.on_progress(progress);
    writer.on_step({17, 2, 0.625, 0.001});
    EpochMetrics epoch;
    epoch.epoch = 2;
    epoch.train_loss = 0.5;
    epoch.test_accuracy = 0.75;
    epoch.num_classes = 2;
    epoch.confusion = {3, 1, 0, 4};
    epoch.checkpoint = "/runs/x/epoch-002.safetensors";
    writer.on_epoch(epoch);
    PredictionSamples samples;
    samples.epoch = 2;
    samples.class_names = {"cat", "d\xc3\xb6g"};
    for (int n : {1, 2, 3, 4}) {  // pixel counts that leave 0, 1 and 2 bytes of base64 padding
      SamplePrediction p;
      p.index = n;
      p.label = n % 2;
      p.top_classes = {1, 0};
      p.top_probabilities = {0.75f, 0.25f};
      p.image = {n, 1, 1, {}};
      for (int i = 0; i < n; ++i) p.image.pixels.push_back(uint8_t(250 + i));
      samples.items.push_back(p);
    }
    writer.on_predictions(samples);
    writer.on_log(fovea::log::Level::Warning, "careful \"quoted\"\nline");
    TrainSummary summary;
    summary.epochs_completed = 3;
    summary.test_accuracy = 0.8;
    summary.checkpoint = "/runs/x/epoch-003.safetensors";
    summary.device = "cpu, rank 0 of 2 (gloo)";
    writer.on_finished(summary);
    QCOMPARE(lines.size(), size_t(6));

    fovea::testing::CollectingObserver reader;
    for (const std::string& line : lines) {
      QVERIFY2(line.find('\n') == std::string::npos, line.c_str());
      QVERIFY2(replay_json_line(line, reader), line.c_str());
    }
    QCOMPARE(reader.progress.size(), size_t(1));
    QCOMPARE(reader.progress[0].step_in_epoch, int64_t(7));
    QCOMPARE(reader.progress[0].images_per_second, 1234.5);
    QCOMPARE(reader.progress[0].eta_seconds, -1.0);
    QCOMPARE(reader.progress[0].phase, std::string("train"));
    QCOMPARE(reader.steps.size(), size_t(1));
    QCOMPARE(reader.steps[0].train_loss, 0.625);
    QCOMPARE(reader.epochs.size(), size_t(1));
    QCOMPARE(reader.epochs[0].confusion, epoch.confusion);
    QCOMPARE(reader.epochs[0].test_accuracy, 0.75);
    QCOMPARE(reader.epochs[0].checkpoint, epoch.checkpoint);
    QCOMPARE(reader.predictions.size(), size_t(1));
    QCOMPARE(reader.predictions[0].class_names, samples.class_names);
    QCOMPARE(reader.predictions[0].items.size(), size_t(4));
    for (size_t i = 0; i < 4; ++i) {
      QCOMPARE(reader.predictions[0].items[i].image.pixels, samples.items[i].image.pixels);
      QCOMPARE(reader.predictions[0].items[i].top_probabilities, samples.items[i].top_probabilities);
      QCOMPARE(reader.predictions[0].items[i].label, samples.items[i].label);
    }
    QVERIFY(reader.logged("careful \"quoted\"\nline"));
    QVERIFY(reader.summary.has_value());
    QCOMPARE(reader.summary->epochs_completed, 3);
    QCOMPARE(reader.summary->device, summary.device);
  }

  void otherLinesAreNotEvents_data() {
    QTest::addColumn<QString>("line");
    QTest::newRow("plain text") << "fovea-cli: error: the batch size 15 cannot be split";
    QTest::newRow("empty") << "";
    QTest::newRow("not an object") << "[1, 2]";
    QTest::newRow("cut short") << "{'event':'step','step':1,'epoch':1,'train_lo";
    QTest::newRow("no event") << "{'step':1}";
    QTest::newRow("unknown event") << "{'event':'party'}";
    QTest::newRow("missing field") << "{'event':'step','step':1,'epoch':1,'train_loss':0.5}";
    QTest::newRow("wrong type") << "{'event':'log','level':'info','message':7}";
    QTest::newRow("confusion size") << "{'event':'epoch','epoch':1,'train_loss':0,'train_accuracy':0,'test_loss':0,"
                                       "'test_accuracy':0,'ema_test_loss':0,'ema_test_accuracy':0,'learning_rate':0,"
                                       "'seconds':0,'images_per_second':0,'num_classes':2,'confusion':[1,2,3],'checkpoint':''}";
    QTest::newRow("pixels short") << "{'event':'predictions','epoch':1,'class_names':[],'items':[{'index':0,'label':0,"
                                     "'top_classes':[],'top_probabilities':[],'image':{'width':2,'height':2,'channels':1,'pixels':'AAA='}}]}";
    QTest::newRow("bad base64") << "{'event':'predictions','epoch':1,'class_names':[],'items':[{'index':0,'label':0,"
                                   "'top_classes':[],'top_probabilities':[],'image':{'width':1,'height':1,'channels':1,'pixels':'A!=='}}]}";
  }
  void otherLinesAreNotEvents() {
    QFETCH(QString, line);
    line.replace('\'', '"');  // the rows write JSON's quotes as ' (moc misreads raw string literals)
    fovea::testing::CollectingObserver reader;
    QVERIFY(!replay_json_line(line.toStdString(), reader));
    QVERIFY(reader.steps.empty() && reader.logs.empty() && reader.epochs.empty() && reader.predictions.empty());
  }
};

QTEST_GUILESS_MAIN(DistributedTest)
#include "test_distributed.moc"
