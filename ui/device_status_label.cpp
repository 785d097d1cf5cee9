#include "ui/device_status_label.h"

#include <QLocale>
#include <QThread>
#include <exception>
#include <optional>

namespace fovea::ui {

namespace {

QString gibibytes(int64_t bytes) { return QLocale().toString(double(bytes) / double(int64_t{1} << 30), 'f', 1); }

}  // namespace

DeviceStatusLabel::DeviceStatusLabel(QWidget* parent) : QLabel(parent) {
  setObjectName(QStringLiteral("deviceLabel"));
  setToolTip(tr("The device \"Automatic\" computes on; on a GPU, the memory in use by all programs"));
  setText(tr("Device: …"));
  refreshTimer_.setInterval(kRefreshIntervalMs);
  connect(&refreshTimer_, &QTimer::timeout, this, &DeviceStatusLabel::refresh);
  probe_ = std::thread([this] {
    std::optional<engine::ComputeDeviceStatus> status;
    QString error;
    try {
      status = engine::compute_device_status("auto");
    } catch (const std::exception& e) {
      error = QString::fromUtf8(e.what());
    }
    // Queued to the GUI thread; the label outlives this thread (the destructor joins it first).
    QMetaObject::invokeMethod(
        this,
        [this, status, error] {
          if (status) {
            show(*status);
          } else {
            setText(tr("Device: %1").arg(error));
          }
        },
        Qt::QueuedConnection);
  });
}

DeviceStatusLabel::~DeviceStatusLabel() {
  if (probe_.joinable()) probe_.join();
}

QString DeviceStatusLabel::describe(const engine::ComputeDeviceStatus& status) {
  if (!status.is_gpu) return tr("Device: CPU · %n cores", nullptr, QThread::idealThreadCount());
  const QString name = status.name.empty() ? tr("GPU") : QString::fromStdString(status.name);
  QString text = tr("Device: %1 (%2)").arg(name, QString::fromStdString(status.device));
  if (status.used_bytes >= 0 && status.total_bytes > 0)
    text += tr(" · %1 of %2 GiB in use").arg(gibibytes(status.used_bytes), gibibytes(status.total_bytes));
  return text;
}

void DeviceStatusLabel::show(const engine::ComputeDeviceStatus& status) {
  setText(describe(status));
  // Only a GPU's memory changes; the runtime is up by now, so each refresh is a quick query.
  if (status.is_gpu) refreshTimer_.start();
}

void DeviceStatusLabel::refresh() {
  try {
    setText(describe(engine::compute_device_status("auto")));
  } catch (const std::exception&) {
    refreshTimer_.stop();  // keep the last text rather than flicker between it and an error
  }
}

}  // namespace fovea::ui
