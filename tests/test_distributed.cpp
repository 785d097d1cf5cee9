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
};

QTEST_GUILESS_MAIN(DistributedTest)
#include "test_distributed.moc"
