// What an evaluation runs on: a checkpoint (the model to build when the file has no Fovea metadata), a
// data set, the device and the batch size, as an engine::EvalConfig.
#pragma once

#include <QWidget>

#include "engine/eval_job.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace fovea::ui {

class DatasetPicker;

class EvalSettingsForm final : public QWidget {
  Q_OBJECT

 public:
  // Per-image predictions kept for the gallery: all images of small data sets, this many of large ones
  // (each is a model-sized crop, ~150 kB at 224 pixels).
  static constexpr int kMaxSampledImages = 2000;

  explicit EvalSettingsForm(QWidget* parent = nullptr);

  engine::EvalConfig config() const;
  void setCheckpoint(const QString& path);
  QString checkpoint() const;
  // The file names its model in Fovea metadata (the model list is then not needed).
  bool checkpointHasMetadata() const { return hasMetadata_; }
  void setChosenModel(const QString& name);

  // A checkpoint file, a recognised data set and (for files without metadata) a model.
  bool isReady() const;
  QString notReadyReason() const;

  DatasetPicker* datasetPicker() const { return datasetPicker_; }
  QComboBox* modelCombo() const { return modelCombo_; }
  QComboBox* deviceCombo() const { return deviceCombo_; }
  QSpinBox* batchSizeSpin() const { return batchSizeSpin_; }
  QPushButton* openButton() const { return openButton_; }

  void chooseCheckpoint();
  void restoreSettings();
  void saveSettings() const;

 Q_SIGNALS:
  void readyChanged(bool ready);

 private:
  QWidget* createModelGroup();
  QWidget* createRunGroup();
  void inspectCheckpoint();
  void updateReady();

  QLineEdit* checkpointEdit_ = nullptr;
  QPushButton* openButton_ = nullptr;
  QLabel* checkpointNote_ = nullptr;
  QComboBox* modelCombo_ = nullptr;
  DatasetPicker* datasetPicker_ = nullptr;
  QComboBox* deviceCombo_ = nullptr;
  QSpinBox* batchSizeSpin_ = nullptr;
  bool hasMetadata_ = false;
  bool ready_ = false;
};

}  // namespace fovea::ui
