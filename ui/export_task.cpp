#include "ui/export_task.h"

#include <QThread>

#include "engine/export/export.h"
#include "engine/export/onnx_export.h"

namespace fovea::ui {

ExportTask::ExportTask(QObject* parent) : QObject(parent) {}

ExportTask::~ExportTask() {
  if (thread_) {
    thread_->wait();
    delete thread_;
  }
}

bool ExportTask::start(const ExportChoice& choice) {
  if (thread_) return false;
  engine::ExportRequest request;
  request.checkpoint = choice.checkpoint.toStdString();
  request.choice.model = choice.model.toStdString();
  request.format = choice.onnx ? engine::ExportFormat::Onnx : engine::ExportFormat::Safetensors;
  request.out = choice.out.toStdString();
  // The outcome is posted to this object: if it is destroyed first (after waiting), the post is dropped.
  thread_ = QThread::create([this, request] {
    try {
      const engine::ExportResult result = engine::export_model(request);
      QMetaObject::invokeMethod(
          this,
          [this, path = QString::fromStdString(result.path), bytes = qint64(result.bytes),
           model = QString::fromStdString(result.model), classes = int(result.num_classes)] {
            finish();
            Q_EMIT succeeded(path, bytes, model, classes);
          },
          Qt::QueuedConnection);
    } catch (const std::exception& e) {
      QMetaObject::invokeMethod(
          this,
          [this, message = QString::fromStdString(e.what())] {
            finish();
            Q_EMIT failed(message);
          },
          Qt::QueuedConnection);
    }
  });
  thread_->setObjectName(QStringLiteral("export"));
  thread_->start();
  return true;
}

void ExportTask::finish() {
  thread_->wait();  // its function has returned: at most a moment
  delete thread_;
  thread_ = nullptr;
}

QString ExportTask::onnxUnavailableReason() {
  if (engine::onnx_export_available()) return {};
  try {
    engine::check_onnx_exportable("");
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

QString ExportTask::onnxRefusal(const QString& model) {
  const QString unavailable = onnxUnavailableReason();
  if (!unavailable.isEmpty() || model.isEmpty()) return unavailable;
  try {
    engine::check_onnx_exportable(model.toStdString());
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  }
  return {};
}

}  // namespace fovea::ui
