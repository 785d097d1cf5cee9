// "GPUs: N" on the Train page (issue 9), offscreen, on this CPU-only machine: with
// FOVEA_ALLOW_CPU_WORKERS=1 the page starts N real `fovea-cli train --progress-json` worker processes
// over Gloo. A 2-process run reaches the plots, the gallery and the checkpoints like an in-process run;
// a failing rank ends the run with its message and the page is idle again; Stop ends every worker.
// Every wait is bounded (FOVEA_DIST_TIMEOUT=20 for the workers' rendezvous and collectives).
#include <unistd.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <memory>

#include "engine/distributed/worker_train_job.h"
#include "test_files.h"
#include "ui/log_view.h"
#include "ui/main_window.h"
#include "ui/run_controls.h"
#include "ui/train_page.h"
#include "ui/train_settings_form.h"

using fovea::engine::JobState;
using fovea::engine::TrainConfig;
using fovea::ui::MainWindow;
using fovea::ui::TrainPage;

namespace {

constexpr int kRunTimeoutMs = 60000;
constexpr int kStopTimeoutMs = 20000;  // the workers' grace period is 10 s

// This process's children that run fovea-cli (the workers), from /proc/<pid>/stat: "pid (comm) state ppid".
QList<int> workerChildren() {
  QList<int> children;
  const pid_t self = ::getpid();
  for (const QString& entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
    bool number = false;
    const int pid = entry.toInt(&number);
    if (!number) continue;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly)) continue;
    const QByteArray text = stat.readAll();
    const qsizetype open = text.indexOf('('), close = text.lastIndexOf(')');
    if (open < 0 || close < open) continue;
    const QList<QByteArray> rest = text.mid(close + 2).split(' ');  // state, ppid, ...
    if (rest.size() > 1 && rest[1].toInt() == self && text.mid(open + 1, close - open - 1) == "fovea-cli") children << pid;
  }
  return children;
}

QString logText(const TrainPage* page) { return page->findChild<fovea::ui::LogView*>()->toPlainText(); }

}  // namespace

class TestUiTrainWorkers : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase();
  void init() { QSettings().clear(); }
  void cleanup() { QVERIFY(workerChildren().isEmpty()); }
  void gpusSettingFollowsTheMachine();
  void commandLineNamesTheSettings();
  void twoWorkersShowTheReducedMetrics();
  void failingWorkerEndsTheRun();
  void stopEndsEveryWorker();

 private:
  TrainConfig tinyConfig(int epochs, int64_t batchSize) const;
  std::unique_ptr<MainWindow> newWindow(int processes, const TrainConfig& config) const;

  QTemporaryDir dataDir_;
  QTemporaryDir runsDir_;
};

void TestUiTrainWorkers::initTestCase() {
  QStandardPaths::setTestModeEnabled(true);
  QCoreApplication::setOrganizationName(QStringLiteral("Fovea"));
  QCoreApplication::setApplicationName(QStringLiteral("Fovea"));
  QVERIFY(dataDir_.isValid());
  QVERIFY(runsDir_.isValid());
  // 64 training and 16 test images, 16x16 grey, 10 classes: a 2-epoch ViT-Ti run takes seconds.
  fovea::testing::write_idx_dataset(dataDir_.path().toStdString(), 64, 16, 16, false);
  qputenv("FOVEA_ALLOW_CPU_WORKERS", "1");
  qputenv("FOVEA_DIST_TIMEOUT", "20");
  qputenv("OMP_NUM_THREADS", "1");
}

TrainConfig TestUiTrainWorkers::tinyConfig(int epochs, int64_t batchSize) const {
  TrainConfig config;
  config.model = "vit_tiny";
  config.data_path = dataDir_.path().toStdString();
  config.device = "cpu";
  config.batch_size = batchSize;
  config.epochs = epochs;
  return config;
}

std::unique_ptr<MainWindow> TestUiTrainWorkers::newWindow(int processes, const TrainConfig& config) const {
  auto window = std::make_unique<MainWindow>();
  TrainPage* page = window->trainPage();
  page->setRunsDirectory(runsDir_.path());
  page->setWorkerProgram(QStringLiteral(FOVEA_CLI));
  page->settingsForm()->setConfig(config);
  page->settingsForm()->setWorkerProcesses(processes);
  window->show();
  return window;
}

void TestUiTrainWorkers::gpusSettingFollowsTheMachine() {
  fovea::ui::TrainSettingsForm form;
  QSpinBox* spin = form.gpusSpin();
  form.setAvailableGpus(0, false);
  QVERIFY(!spin->isEnabled());
  QCOMPARE(form.workerProcesses(), 1);
  QVERIFY(spin->toolTip().contains(QStringLiteral("at least two")));
  form.setAvailableGpus(1, false);
  QVERIFY(!spin->isEnabled());
  form.setAvailableGpus(4, false);
  QVERIFY(spin->isEnabled());
  QCOMPARE(spin->maximum(), 4);
  form.setWorkerProcesses(4);
  QCOMPARE(form.workerProcesses(), 4);
  form.setAvailableGpus(2, false);  // fewer GPUs than chosen: clamped
  QCOMPARE(form.workerProcesses(), 2);
  form.setAvailableGpus(0, true);   // FOVEA_ALLOW_CPU_WORKERS
  QVERIFY(spin->isEnabled());
  QCOMPARE(spin->maximum(), fovea::ui::TrainSettingsForm::kMaxCpuWorkers);
  QVERIFY(spin->toolTip().contains(QStringLiteral("FOVEA_ALLOW_CPU_WORKERS")));

  // The page offers it from the environment (set in initTestCase) and probes the GPUs on a thread.
  TrainPage page;
  QVERIFY(TrainPage::cpuWorkersAllowed());
  QVERIFY(page.settingsForm()->gpusSpin()->isEnabled());
  QCOMPARE(page.workerProgram(), QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("fovea-cli")));
}

void TestUiTrainWorkers::commandLineNamesTheSettings() {
  TrainConfig config = tinyConfig(3, 32);
  config.learning_rate = 0.25;
  config.nesterov = true;
  config.augment = false;
  config.mixed_precision = false;
  config.output_dir = "/tmp/run";
  config.randaugment_ops = 2;
  config.flip_idx = true;
  config.cutout = 12;
  config.precise_bn = 4096;
  config.norm_bias_lr_scale = 64;
  config.warmup_from = 0.2;
  config.final_lr_fraction = 0.07;
  config.lookahead_every = 5;
  config.lookahead_start_epochs = 2;
  const std::vector<std::string> a = fovea::engine::train_command_line(config);
  QCOMPARE(a.front(), std::string("train"));
  const auto after = [&a](const std::string& option) -> std::string {
    for (size_t i = 0; i + 1 < a.size(); ++i)
      if (a[i] == option) return a[i + 1];
    return "<missing>";
  };
  const auto has = [&a](const std::string& flag) { return std::find(a.begin(), a.end(), flag) != a.end(); };
  QCOMPARE(after("--model"), std::string("vit_tiny"));
  QCOMPARE(after("--epochs"), std::string("3"));
  QCOMPARE(after("--batch-size"), std::string("32"));
  QCOMPARE(after("--lr"), std::string("0.25"));
  QCOMPARE(after("--optimizer"), std::string("adam"));
  QCOMPARE(after("--device"), std::string("cpu"));
  QCOMPARE(after("--out"), std::string("/tmp/run"));
  QCOMPARE(after("--randaugment"), std::string("2,9"));
  QCOMPARE(after("--cutout"), std::string("12"));
  QCOMPARE(after("--precise-bn"), std::string("4096"));
  QCOMPARE(after("--norm-bias-lr-scale"), std::string("64"));
  QCOMPARE(std::stod(after("--warmup-from")), 0.2);  // written with all 17 digits
  QCOMPARE(std::stod(after("--final-lr")), 0.07);
  QCOMPARE(after("--lookahead"), std::string("5"));
  QCOMPARE(after("--lookahead-start-epochs"), std::string("2"));
  QVERIFY(has("--flip"));
  QVERIFY(has("--nesterov"));
  QVERIFY(has("--no-augment"));
  QVERIFY(has("--fp32"));
  QVERIFY(!has("--cifar-stem"));
  QVERIFY(!has("--weight-decay"));  // negative: the optimizer's default
  QVERIFY(!has("--gpus"));
}

void TestUiTrainWorkers::twoWorkersShowTheReducedMetrics() {
  auto window = newWindow(2, tinyConfig(2, 16));
  TrainPage* page = window->trainPage();
  QTRY_VERIFY(page->settingsForm()->isReady());
  QCOMPARE(page->settingsForm()->workerProcesses(), 2);
  QTest::mouseClick(page->runControls()->startButton(), Qt::LeftButton);
  QVERIFY(page->isJobActive());
  QVERIFY(!page->runControls()->pauseButton()->isEnabled());
  QVERIFY(page->runControls()->pauseButton()->toolTip().contains(QStringLiteral("cannot pause")));
  QTRY_VERIFY_WITH_TIMEOUT(page->lossPointCount() > 0, kRunTimeoutMs);
  QCOMPARE(workerChildren().size(), 2);
  QVERIFY(!page->runControls()->pauseButton()->isEnabled());
  QTRY_VERIFY_WITH_TIMEOUT(!page->isJobActive(), kRunTimeoutMs);

  QCOMPARE(page->jobState(), JobState::Finished);
  QCOMPARE(page->accuracyPointCount(), 2);  // both epochs' reduced test metrics
  QCOMPARE(page->lossPointCount(), 8);      // 64 images / global batch 16 = 4 steps, 2 epochs
  QVERIFY(page->predictionCount() > 0);     // rank 0's gallery, pixels included
  for (int epoch : {1, 2}) {
    const QString checkpoint = page->checkpointOfEpoch(epoch);
    QVERIFY2(QFileInfo(checkpoint).isFile(), qPrintable(checkpoint));
    QCOMPARE(QFileInfo(checkpoint).absolutePath(), QFileInfo(page->runDirectory()).absoluteFilePath());
  }
  const QString log = logText(page);
  QVERIFY2(log.contains(QStringLiteral("2 data-parallel worker processes")), qPrintable(log));
  QVERIFY2(log.contains(QStringLiteral("rank 0 of 2")), qPrintable(log));  // "Finished on cpu, rank 0 of 2 (gloo)"
  QVERIFY2(log.contains(QStringLiteral("weights identical on all 2 ranks")), qPrintable(log));
  QVERIFY(page->runControls()->startButton()->isEnabled());
}

void TestUiTrainWorkers::failingWorkerEndsTheRun() {
  // A global batch of 15 cannot be split over 2 processes: every rank refuses it, the first ends the run.
  auto window = newWindow(2, tinyConfig(1, 15));
  TrainPage* page = window->trainPage();
  QTRY_VERIFY(page->settingsForm()->isReady());
  QTest::mouseClick(page->runControls()->startButton(), Qt::LeftButton);
  QVERIFY(page->isJobActive());
  QTRY_VERIFY_WITH_TIMEOUT(!page->isJobActive(), kRunTimeoutMs);
  QCOMPARE(page->jobState(), JobState::Failed);
  const QString log = logText(page);
  QVERIFY2(log.contains(QRegularExpression(QStringLiteral("Failed: rank [01] of 2 exited with code 1: .*cannot be split "
                                                          "evenly over 2"))),
           qPrintable(log));
  // Idle again: the settings can be changed and a new run started.
  QVERIFY(page->settingsForm()->isEnabled());
  QVERIFY(page->runControls()->startButton()->isEnabled());
  QVERIFY(!page->runControls()->stopButton()->isEnabled());
}

void TestUiTrainWorkers::stopEndsEveryWorker() {
  auto window = newWindow(2, tinyConfig(500, 16));  // 2000 steps: far too long to end on its own
  TrainPage* page = window->trainPage();
  QTRY_VERIFY(page->settingsForm()->isReady());
  QTest::mouseClick(page->runControls()->startButton(), Qt::LeftButton);
  QTRY_VERIFY_WITH_TIMEOUT(page->lossPointCount() > 0, kRunTimeoutMs);
  QCOMPARE(workerChildren().size(), 2);
  QVERIFY(page->runControls()->stopButton()->isEnabled());
  QTest::mouseClick(page->runControls()->stopButton(), Qt::LeftButton);
  QTRY_VERIFY_WITH_TIMEOUT(!page->isJobActive(), kStopTimeoutMs);
  QCOMPARE(page->jobState(), JobState::Cancelled);
  QVERIFY(workerChildren().isEmpty());  // stopped and reaped before the job ended
  QVERIFY(!logText(page).contains(QStringLiteral("Failed:")));
  QVERIFY(page->runControls()->startButton()->isEnabled());
}

QTEST_MAIN(TestUiTrainWorkers)
#include "test_ui_train_workers.moc"
