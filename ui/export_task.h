// engine::export_model on a thread of its own, its outcome delivered as a signal on the thread that
// started it. One export at a time; destroying the task waits for a running export to end.
#pragma once

#include <QObject>
#include <QString>

class QThread;

namespace fovea::ui {

struct ExportChoice {
  QString checkpoint;
  QString model;  // for files without Fovea metadata; empty otherwise
  bool onnx = false;
  QString out;
};

class ExportTask final : public QObject {
  Q_OBJECT

 public:
  explicit ExportTask(QObject* parent = nullptr);
  ~ExportTask() override;

  bool isRunning() const { return thread_ != nullptr; }
  // False (and nothing started) while an export runs.
  bool start(const ExportChoice& choice);

  // Empty when ONNX export is possible in this build, else the engine's reason.
  static QString onnxUnavailableReason();
  // Empty when `model` can be exported as ONNX (or is not known yet), else the engine's reason.
  static QString onnxRefusal(const QString& model);

 Q_SIGNALS:
  void succeeded(const QString& path, qint64 bytes, const QString& model, int classes);
  void failed(const QString& message);

 private:
  void finish();

  QThread* thread_ = nullptr;
};

}  // namespace fovea::ui
