// The status bar's compute device: what "Automatic" computes on, and on a GPU its name and the memory in
// use, refreshed every few seconds. The first probe starts the GPU runtime, which can take seconds: it
// runs on its own thread; the label only ever changes on the GUI thread.
#pragma once

#include <QLabel>
#include <QTimer>
#include <thread>

#include "engine/device_status.h"

namespace fovea::ui {

class DeviceStatusLabel final : public QLabel {
  Q_OBJECT

 public:
  static constexpr int kRefreshIntervalMs = 3000;

  explicit DeviceStatusLabel(QWidget* parent = nullptr);
  ~DeviceStatusLabel() override;  // waits for the first probe (it only asks the runtime which devices exist)

  // "Device: NVIDIA H100 80GB HBM3 (cuda:0) · 3.2 of 79.6 GiB in use", "Device: CPU · 16 cores".
  static QString describe(const engine::ComputeDeviceStatus& status);

 private:
  void show(const engine::ComputeDeviceStatus& status);
  void refresh();

  QTimer refreshTimer_;
  std::thread probe_;
};

}  // namespace fovea::ui
