// The Train page: choose a model, a data set and hyperparameters, run training as an engine job, and
// watch it (curves, progress, test predictions, log). The page owns the job and its EngineBridge; the
// GUI thread never waits for the job, except when the page is destroyed (cancel, then wait). A gallery
// image's Grad-CAM map is drawn with the checkpoint written after the epoch its predictions come from.
#pragma once

#include <QHash>
#include <QString>
#include <QWidget>
#include <memory>
#include <thread>

#include "engine/job.h"
#include "engine/observer.h"
#include "ui/classification.h"

class QSplitter;

namespace fovea::ui {

class EngineBridge;
class LogView;
class PredictionGallery;
class ProgressPanel;
class RunControls;
class SaliencyDialog;
class TrainSettingsForm;
class TrainingCharts;

class TrainPage final : public QWidget {
  Q_OBJECT

 public:
  explicit TrainPage(QWidget* parent = nullptr);
  ~TrainPage() override;

  // Where each run's checkpoint folder (<model>-<yyyyMMdd-HHmmss>) is created; by default the
  // application's local data folder + "/runs". Empty: runs write no checkpoints.
  QString runsDirectory() const { return runsDirectory_; }
  void setRunsDirectory(const QString& folder) { runsDirectory_ = folder; }
  // The checkpoint folder of the current (or last) run; empty before the first and without checkpoints.
  QString runDirectory() const { return runDirectory_; }

  // The worker program of runs on several GPUs ("GPUs: N" above 1): fovea-cli, by default the one beside
  // this program. Such a run is N `fovea-cli train --progress-json` processes (see
  // engine/distributed/worker_train_job.h); it cannot pause.
  QString workerProgram() const { return workerProgram_; }
  void setWorkerProgram(const QString& program) { workerProgram_ = program; }
  // FOVEA_ALLOW_CPU_WORKERS=1: "GPUs: N" is offered without GPUs too, N CPU processes over Gloo (tests).
  static bool cpuWorkersAllowed();

  engine::JobState jobState() const { return state_; }
  bool isJobActive() const;  // started and its end not yet reported

  TrainSettingsForm* settingsForm() const { return settingsForm_; }
  RunControls* runControls() const { return runControls_; }
  int lossPointCount() const;
  int accuracyPointCount() const;
  int progressValue() const;
  int predictionCount() const;
  PredictionGallery* gallery() const { return gallery_; }
  // The checkpoint written after `epoch` of the current (or last) run; empty when there is none.
  QString checkpointOfEpoch(int epoch) const { return checkpoints_.value(epoch); }

  // The Grad-CAM window for the gallery's item in `row`: its epoch's checkpoint and its prediction.
  void showSaliency(int row);
  SaliencyDialog* saliencyDialog() const { return saliencyDialog_; }  // null until first asked for

 Q_SIGNALS:
  void jobStateChanged(fovea::engine::JobState state);

 private:
  QWidget* createSettingsColumn();
  QWidget* createMonitor();
  void startTraining();
  void pauseTraining();
  void resumeTraining();
  void stopTraining();
  void connectBridge();
  void onJobState(engine::JobState state);
  void onEpoch(const engine::EpochMetrics& metrics);
  void onFinished(const engine::TrainSummary& summary);
  void setJobState(engine::JobState state);
  QString newRunDirectory(const QString& model) const;
  void restoreLayout();
  void saveLayout() const;

  TrainSettingsForm* settingsForm_ = nullptr;
  RunControls* runControls_ = nullptr;
  ProgressPanel* progressPanel_ = nullptr;
  TrainingCharts* charts_ = nullptr;
  PredictionGallery* gallery_ = nullptr;
  LogView* logView_ = nullptr;
  QSplitter* monitorSplitter_ = nullptr;
  QSplitter* bottomSplitter_ = nullptr;
  SaliencyDialog* saliencyDialog_ = nullptr;

  QString runsDirectory_;
  QString workerProgram_;
  bool multiProcessRun_ = false;  // the current (or last) run is in worker processes
  std::thread gpuProbe_;          // counts the GPUs (the runtime may take seconds to start)
  QString runDirectory_;
  QHash<int, QString> checkpoints_;  // of the run's epochs, by epoch number
  ModelRequest trainedModel_;        // what the run builds, for a checkpoint without metadata
  engine::JobState state_ = engine::JobState::Idle;
  bool terminalSeen_ = false;
  // Declared in this order so that the job (which reports to the bridge) is destroyed first.
  std::unique_ptr<EngineBridge> bridge_;
  std::unique_ptr<engine::Job> job_;
};

}  // namespace fovea::ui
