// The choices that define a training run: model, data set and hyperparameters, as a TrainConfig.
#pragma once

#include <QWidget>

#include "engine/train_config.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace fovea::ui {

class DatasetPicker;

class TrainSettingsForm final : public QWidget {
  Q_OBJECT

 public:
  explicit TrainSettingsForm(QWidget* parent = nullptr);

  // The fields this form edits (preset, model, CIFAR stem, data path, epochs, batch size, optimizer,
  // learning rate, weight decay, schedule, warm-up, label smoothing, EMA, device); the rest comes from the
  // chosen preset, or keeps the engine's defaults.
  engine::TrainConfig config() const;
  void setConfig(const engine::TrainConfig& config);

  // Data-parallel worker processes ("GPUs: N"): the spin box goes up to `gpus` when there are at least
  // two; with `cpuWorkers` (FOVEA_ALLOW_CPU_WORKERS=1, for tests on CPU-only machines) up to
  // max(gpus, kMaxCpuWorkers) processes share the CPU over Gloo; otherwise it stays at 1, disabled.
  void setAvailableGpus(int gpus, bool cpuWorkers);
  int workerProcesses() const;  // 1: train in this process
  void setWorkerProcesses(int processes);
  QSpinBox* gpusSpin() const { return gpusSpin_; }
  static constexpr int kMaxCpuWorkers = 4;

  // A model is chosen and the data set path holds a recognised data set.
  bool isReady() const;
  DatasetPicker* datasetPicker() const { return datasetPicker_; }

 Q_SIGNALS:
  void readyChanged(bool ready);

 private:
  QWidget* createModelGroup();
  QWidget* createDataGroup();
  QWidget* createTrainingGroup();
  void fillModels();
  void updateModelDetails();
  void onOptimizerChanged();
  engine::OptimizerKind currentOptimizer() const;
  void selectData(QComboBox* combo, const QString& value);
  void applyPreset();

  QComboBox* presetCombo_ = nullptr;
  QComboBox* modelCombo_ = nullptr;
  QCheckBox* cifarStemCheck_ = nullptr;
  QLabel* modelDetails_ = nullptr;
  DatasetPicker* datasetPicker_ = nullptr;
  QSpinBox* batchSizeSpin_ = nullptr;
  QDoubleSpinBox* epochsSpin_ = nullptr;
  QComboBox* optimizerCombo_ = nullptr;
  QDoubleSpinBox* learningRateSpin_ = nullptr;
  QDoubleSpinBox* weightDecaySpin_ = nullptr;
  QComboBox* scheduleCombo_ = nullptr;
  QDoubleSpinBox* warmupSpin_ = nullptr;
  QDoubleSpinBox* labelSmoothingSpin_ = nullptr;
  QDoubleSpinBox* emaSpin_ = nullptr;
  QComboBox* deviceCombo_ = nullptr;
  QSpinBox* gpusSpin_ = nullptr;
  engine::TrainConfig recipe_;  // the settings the form does not show, from the last preset
  engine::OptimizerKind shownOptimizer_ = engine::OptimizerKind::Adam;  // the one the learning rate belongs to
};

}  // namespace fovea::ui
