// Crash safety of training (issue 11): a CPU training run is killed with SIGKILL at 20 random moments
// (while it trains, evaluates or writes a checkpoint). After every kill, each checkpoint under its final
// name must be complete and load, and the next run resumes from the newest one; at the end a resumed run
// finishes normally. The moments come from a fixed seed, printed, so a failure can be replayed.
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/checkpoint.h"
#include "test_files.h"

namespace {

constexpr int kKills = 20;

// The run's checkpoints under their final names, oldest first.
std::vector<std::string> checkpoints(const std::string& folder) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("epoch-") && name.ends_with(".safetensors")) found.push_back(entry.path().string());
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::string path_in(const std::string& folder, const std::string& name) { return folder + "/" + name; }

QStringList train_arguments(const std::string& data, const std::string& out, int epochs) {
  return {"train", "--model", "resnet18", "--data", QString::fromStdString(data), "--device", "cpu",
          "--limit-train", "192", "--limit-test", "64", "--batch-size", "64", "--epochs", QString::number(epochs),
          "--seed", "5", "--out", QString::fromStdString(out)};
}

}  // namespace

class CrashSafetyTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void killed_runs_leave_only_complete_checkpoints_and_resume() {
    QTemporaryDir data_dir, run_dir;
    const std::string data = data_dir.path().toStdString(), out = run_dir.path().toStdString();
    fovea::testing::write_idx_dataset(data, 192, 64, 28, false);
    QRandomGenerator random(20261121);
    // How long a run takes to its first checkpoint on this machine: the kills fall within 1.5 times that.
    QElapsedTimer clock;
    clock.start();
    QProcess first;
    first.start(FOVEA_CLI, train_arguments(data, path_in(out, "timing"), 1));
    QVERIFY(first.waitForFinished(300000));
    QVERIFY2(first.exitCode() == 0, qPrintable(first.readAllStandardError()));
    const int window_ms = std::max(1000, static_cast<int>(clock.elapsed() * 3 / 2));
    std::filesystem::remove_all(path_in(out, "timing"));
    std::printf("a run to its first checkpoint: %lld ms; kills within %d ms (seed 20261121)\n",
                static_cast<long long>(clock.elapsed()), window_ms);
    int resumed = 0;
    for (int kill = 0; kill < kKills; ++kill) {
      const std::vector<std::string> before = checkpoints(out);
      QStringList arguments = train_arguments(data, out, 1000);
      if (!before.empty()) {
        arguments << "--resume" << QString::fromStdString(before.back());
        ++resumed;
      }
      QProcess process;
      process.start(FOVEA_CLI, arguments);
      QVERIFY2(process.waitForStarted(10000), "fovea-cli did not start");
      const int after_ms = 200 + static_cast<int>(random.bounded(window_ms));
      QTest::qWait(after_ms);
      QVERIFY2(process.state() == QProcess::Running,
               qPrintable("the run ended on its own before the kill: " + process.readAllStandardError()));
      std::printf("kill %d after %d ms\n", kill + 1, after_ms);
      process.kill();  // SIGKILL
      QVERIFY(process.waitForFinished(10000));
      // Every checkpoint under its final name loads completely, with the run's metadata.
      for (const std::string& path : checkpoints(out)) {
        fovea::engine::LoadedTensors loaded;
        try {
          loaded = fovea::engine::load_safetensors(path);
        } catch (const std::exception& e) {
          QFAIL(qPrintable(QString("kill %1 after %2 ms: %3 does not load: %4")
                               .arg(kill).arg(after_ms).arg(QString::fromStdString(path), e.what())));
        }
        QVERIFY2(!loaded.tensors.empty() && loaded.metadata.count(fovea::engine::kCheckpointMetadataKey),
                 qPrintable(QString::fromStdString(path) + " has no tensors or no Fovea metadata"));
      }
      QVERIFY2(checkpoints(out).size() >= before.size(), "a kill removed a checkpoint");
    }
    const std::vector<std::string> last = checkpoints(out);
    std::printf("%zu checkpoints after %d kills, %d resumed runs\n", last.size(), kKills, resumed);
    QVERIFY2(!last.empty(), "no checkpoint was written in 20 runs");
    QVERIFY2(resumed > 0, "no run resumed");
    // A resumed run to one epoch past the newest checkpoint finishes normally and writes that epoch.
    const int epochs = static_cast<int>(last.size()) + 1;
    QProcess finish;
    finish.start(FOVEA_CLI, train_arguments(data, out, epochs) << "--resume" << QString::fromStdString(last.back()));
    QVERIFY(finish.waitForFinished(300000));
    QVERIFY2(finish.exitStatus() == QProcess::NormalExit && finish.exitCode() == 0,
             qPrintable(finish.readAllStandardError()));
    const std::vector<std::string> final_set = checkpoints(out);
    QCOMPARE(final_set.size(), last.size() + 1);
    QVERIFY(!fovea::engine::load_safetensors(final_set.back()).tensors.empty());
  }
};

QTEST_GUILESS_MAIN(CrashSafetyTest)
#include "test_crash_safety.moc"
