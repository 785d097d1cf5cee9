// File → Export model…: a checkpoint (the Classify page's model by default) written as ONNX or as a
// safetensors state dict with the reference key names. The export runs on its own thread
// (ui/export_task.h); the dialog shows the written file and its size, or the engine's message.
#pragma once

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace fovea::ui {

class ExportTask;

class ExportDialog final : public QDialog {
  Q_OBJECT

 public:
  explicit ExportDialog(QWidget* parent = nullptr);

  // `model`: the registry name the checkpoint holds when known (the ONNX choice checks it), and the
  // choice for a file without Fovea metadata when `needsChoice`.
  void setCheckpoint(const QString& path, const QString& model = {}, bool needsChoice = false);
  void setOnnx(bool onnx);
  void setOutputPath(const QString& path);

  QString checkpoint() const;
  QString outputPath() const;
  bool isOnnx() const;
  bool isRunning() const;
  QString onnxNote() const;
  QString resultText() const;
  QPushButton* exportButton() const { return exportButton_; }

  // The Export button: false when the choices are incomplete or an export runs.
  bool startExport();

 Q_SIGNALS:
  void exportFinished(bool ok);

 private:
  void chooseCheckpoint();
  void chooseOutput();
  void onFormatChanged();
  void updateState();
  void showResult(bool ok, const QString& text);
  QString suffix() const;

  ExportTask* task_;
  QLineEdit* checkpoint_;
  QComboBox* model_;
  QComboBox* format_;
  QLabel* onnxNote_;
  QLineEdit* output_;
  QLabel* result_;
  QPushButton* exportButton_;
  QString knownModel_;  // of the checkpoint given by setCheckpoint
  QString knownFor_;
};

}  // namespace fovea::ui
