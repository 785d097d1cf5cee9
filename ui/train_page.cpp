#include "ui/train_page.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLocale>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QVBoxLayout>

#include "engine/device_status.h"
#include "engine/distributed/worker_train_job.h"
#include "engine/train_job.h"
#include "ui/engine_bridge.h"
#include "ui/log_view.h"
#include "ui/prediction_gallery.h"
#include "ui/prediction_list_model.h"
#include "ui/progress_panel.h"
#include "ui/run_controls.h"
#include "ui/saliency_dialog.h"
#include "ui/sample_image.h"
#include "ui/train_settings_form.h"
#include "ui/train_settings_store.h"
#include "ui/training_charts.h"

namespace fovea::ui {

namespace {

constexpr int kSettingsColumnWidth = 360;
const QString kMonitorSplitterKey = QStringLiteral("trainPage/monitorSplitter");
const QString kBottomSplitterKey = QStringLiteral("trainPage/bottomSplitter");

}  // namespace

TrainPage::TrainPage(QWidget* parent)
    : QWidget(parent),
      runsDirectory_(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
                     QStringLiteral("/runs")) {
  auto* layout = new QHBoxLayout(this);
  layout->addWidget(createSettingsColumn());
  layout->addWidget(createMonitor(), 1);

  connect(settingsForm_, &TrainSettingsForm::readyChanged, this, [this] { setJobState(state_); });
  connect(runControls_, &RunControls::startRequested, this, &TrainPage::startTraining);
  connect(runControls_, &RunControls::pauseRequested, this, &TrainPage::pauseTraining);
  connect(runControls_, &RunControls::resumeRequested, this, &TrainPage::resumeTraining);
  connect(runControls_, &RunControls::stopRequested, this, &TrainPage::stopTraining);
  connect(gallery_, &PredictionGallery::saliencyRequested, this, &TrainPage::showSaliency);

  settingsForm_->setConfig(loadTrainSettings());
  restoreLayout();
  setJobState(engine::JobState::Idle);

  workerProgram_ = QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("fovea-cli"));
  const bool cpuWorkers = cpuWorkersAllowed();
  settingsForm_->setAvailableGpus(0, cpuWorkers);
  gpuProbe_ = std::thread([this, cpuWorkers] {
    const int gpus = engine::gpu_count();
    // Queued to the GUI thread; the page outlives this thread (the destructor joins it first).
    QMetaObject::invokeMethod(
        this, [this, gpus, cpuWorkers] { settingsForm_->setAvailableGpus(gpus, cpuWorkers); }, Qt::QueuedConnection);
  });
}

TrainPage::~TrainPage() {
  if (gpuProbe_.joinable()) gpuProbe_.join();
  saveTrainSettings(settingsForm_->config());
  saveLayout();
  if (job_) {
    job_->cancel();
    job_->wait();
  }
}

bool TrainPage::cpuWorkersAllowed() { return qEnvironmentVariableIntValue("FOVEA_ALLOW_CPU_WORKERS") == 1; }

QWidget* TrainPage::createSettingsColumn() {
  auto* column = new QWidget;
  settingsForm_ = new TrainSettingsForm(column);
  runControls_ = new RunControls(column);
  progressPanel_ = new ProgressPanel(column);

  auto* layout = new QVBoxLayout(column);
  layout->setContentsMargins(0, 0, 6, 0);
  layout->addWidget(settingsForm_);
  layout->addWidget(runControls_);
  layout->addWidget(progressPanel_);
  layout->addStretch(1);

  auto* scroll = new QScrollArea(this);
  scroll->setWidget(column);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll->setFixedWidth(kSettingsColumnWidth);
  return scroll;
}

QWidget* TrainPage::createMonitor() {
  charts_ = new TrainingCharts;

  auto* predictionsBox = new QGroupBox(tr("Test predictions"));
  gallery_ = new PredictionGallery(predictionsBox);
  (new QVBoxLayout(predictionsBox))->addWidget(gallery_);

  auto* logBox = new QGroupBox(tr("Log"));
  logView_ = new LogView(logBox);
  (new QVBoxLayout(logBox))->addWidget(logView_);

  bottomSplitter_ = new QSplitter(Qt::Horizontal);
  bottomSplitter_->addWidget(predictionsBox);
  bottomSplitter_->addWidget(logBox);
  bottomSplitter_->setSizes({600, 400});  // scaled to the space there is

  monitorSplitter_ = new QSplitter(Qt::Vertical, this);
  monitorSplitter_->addWidget(charts_);
  monitorSplitter_->addWidget(bottomSplitter_);
  monitorSplitter_->setSizes({500, 300});
  monitorSplitter_->setChildrenCollapsible(false);
  return monitorSplitter_;
}

// From the reported states rather than Job::state(): the job's end is what its thread reports last.
bool TrainPage::isJobActive() const { return job_ && !terminalSeen_; }

int TrainPage::lossPointCount() const { return charts_->lossPointCount(); }

int TrainPage::accuracyPointCount() const { return charts_->accuracyPointCount(); }

int TrainPage::progressValue() const { return progressPanel_->value(); }

int TrainPage::predictionCount() const { return gallery_->count(); }

QString TrainPage::newRunDirectory(const QString& model) const {
  const QString base = QDir(runsDirectory_).filePath(
      model + QLatin1Char('-') + QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
  QString folder = base;
  for (int n = 2; QFileInfo::exists(folder); ++n) folder = base + QLatin1Char('-') + QString::number(n);
  return folder;
}

void TrainPage::startTraining() {
  if (isJobActive() || !settingsForm_->isReady()) return;
  engine::TrainConfig config = settingsForm_->config();
  const int processes = settingsForm_->workerProcesses();
  saveTrainSettings(config);
  runDirectory_ = runsDirectory_.isEmpty() ? QString() : newRunDirectory(QString::fromStdString(config.model));
  config.output_dir = QDir::toNativeSeparators(runDirectory_).toStdString();
  checkpoints_.clear();
  trainedModel_ = {QString::fromStdString(config.model), 0, 3, 0, config.cifar_stem};

  job_.reset();  // the previous job has ended: its thread is joined at once
  bridge_ = std::make_unique<EngineBridge>();
  connectBridge();
  charts_->clear(engine::epoch_count(config));
  gallery_->clear();
  progressPanel_->reset(engine::epoch_count(config));
  logView_->addMessage(log::Level::Info, tr("Starting: %1 on %2, %3")
                                             .arg(QString::fromStdString(config.model),
                                                  QString::fromStdString(config.data_path),
                                                  runDirectory_.isEmpty() ? tr("no checkpoints")
                                                                          : tr("checkpoints in %1").arg(runDirectory_)) +
                                             (processes > 1 ? tr(", %n worker processes", nullptr, processes) : QString()));

  multiProcessRun_ = processes > 1;
  if (multiProcessRun_) {
    engine::WorkerTrainRequest request;
    request.program = QDir::toNativeSeparators(workerProgram_).toStdString();
    request.config = config;
    request.processes = processes;
    job_ = engine::make_worker_train_job(std::move(request), *bridge_);
  } else {
    job_ = engine::make_train_job(config, *bridge_);
  }
  runControls_->setPauseAvailable(!multiProcessRun_,
                                  tr("A run in several worker processes cannot pause: Stop ends all of them, and "
                                     "the checkpoints written so far stay"));
  terminalSeen_ = false;
  setJobState(engine::JobState::Running);
  job_->start();
}

void TrainPage::pauseTraining() {
  if (job_ && !multiProcessRun_) job_->pause();
}

void TrainPage::resumeTraining() {
  if (job_) job_->resume();
}

void TrainPage::stopTraining() {
  if (!isJobActive()) return;
  logView_->addMessage(log::Level::Info, tr("Stopping…"));
  job_->cancel();
}

void TrainPage::connectBridge() {
  EngineBridge* bridge = bridge_.get();
  connect(bridge, &EngineBridge::stateChanged, this, &TrainPage::onJobState);
  connect(bridge, &EngineBridge::progressed, progressPanel_, &ProgressPanel::showProgress);
  connect(bridge, &EngineBridge::stepReported, charts_, &TrainingCharts::addStep);
  connect(bridge, &EngineBridge::epochReported, charts_, &TrainingCharts::addEpoch);
  connect(bridge, &EngineBridge::epochReported, this, &TrainPage::onEpoch);
  connect(bridge, &EngineBridge::predictionsReported, gallery_, &PredictionGallery::showSamples);
  connect(bridge, &EngineBridge::logged, logView_, &LogView::addMessage);
  connect(bridge, &EngineBridge::finished, this, &TrainPage::onFinished);
  connect(bridge, &EngineBridge::failed, logView_, &LogView::addFailure);
}

void TrainPage::onJobState(engine::JobState state) {
  // The bridge drops states that follow the job's end, so a terminal state here is the last one.
  if (engine::is_terminal(state)) terminalSeen_ = true;
  if (state == engine::JobState::Cancelled || state == engine::JobState::Failed) progressPanel_->showEnded(state);
  setJobState(state);
}

void TrainPage::onEpoch(const engine::EpochMetrics& metrics) {
  // Written before the epoch is reported; its predictions follow with the same epoch number.
  if (!metrics.checkpoint.empty()) checkpoints_.insert(metrics.epoch, QString::fromStdString(metrics.checkpoint));
}

void TrainPage::showSaliency(int row) {
  const engine::PredictionSamples& samples = gallery_->samples();
  if (row < 0 || row >= int(samples.items.size())) return;
  const engine::SamplePrediction& sample = samples.items[size_t(row)];
  const auto name = [&samples](int index) {
    return index >= 0 && index < int(samples.class_names.size()) ? QString::fromStdString(samples.class_names[size_t(index)])
                                                                  : QString::number(index);
  };
  const int predicted = predictedClass(sample);
  const QString caption = tr("Epoch %1 · test image %2 · true class %3 · predicted %4 (%5 %)")
                              .arg(samples.epoch)
                              .arg(sample.index)
                              .arg(name(sample.label), name(predicted),
                                   QLocale().toString(100.0 * confidence(sample), 'f', 1));
  if (!saliencyDialog_) saliencyDialog_ = new SaliencyDialog(this);
  const QString checkpoint = checkpointOfEpoch(samples.epoch);
  if (checkpoint.isEmpty()) {
    saliencyDialog_->showUnavailable(
        toQImage(sample.image), caption,
        runDirectory_.isEmpty()
            ? tr("No Grad-CAM map: this run writes no checkpoints (it has no output folder), so there is no model "
                 "of epoch %1 to explain the prediction with.").arg(samples.epoch)
            : tr("No Grad-CAM map yet: the checkpoint of epoch %1 has not been written.").arg(samples.epoch));
    return;
  }
  // What the job builds, as the Evaluate page passes it: a Fovea checkpoint's metadata says it all itself.
  ModelRequest request = trainedModel_;
  request.classes = int(samples.class_names.size());
  request.channels = sample.image.channels;
  request.imageSize = sample.image.height;
  saliencyDialog_->setModel(checkpoint, request);
  saliencyDialog_->explain(toQImage(sample.image), predicted, name(predicted), caption);
}

void TrainPage::onFinished(const engine::TrainSummary& summary) {
  progressPanel_->showFinished(summary);
  logView_->addMessage(log::Level::Info,
                       tr("Finished on %1: test accuracy %2 %, last checkpoint %3")
                           .arg(QString::fromStdString(summary.device),
                                QLocale().toString(100 * summary.test_accuracy, 'f', 2),
                                summary.checkpoint.empty() ? tr("none") : QString::fromStdString(summary.checkpoint)));
}

void TrainPage::setJobState(engine::JobState state) {
  state_ = state;
  const bool busy = state == engine::JobState::Running || state == engine::JobState::Paused ||
                    state == engine::JobState::Cancelling;
  settingsForm_->setEnabled(!busy);
  runControls_->setState(state, settingsForm_->isReady());
  Q_EMIT jobStateChanged(state);
}

void TrainPage::restoreLayout() {
  const QSettings settings;
  monitorSplitter_->restoreState(settings.value(kMonitorSplitterKey).toByteArray());
  bottomSplitter_->restoreState(settings.value(kBottomSplitterKey).toByteArray());
}

void TrainPage::saveLayout() const {
  QSettings settings;
  settings.setValue(kMonitorSplitterKey, monitorSplitter_->saveState());
  settings.setValue(kBottomSplitterKey, bottomSplitter_->saveState());
}

}  // namespace fovea::ui
