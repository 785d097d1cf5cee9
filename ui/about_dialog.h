// Help → About Fovea: what the program is, its version and the versions of what it was built with
// (Qt, LibTorch and its GPU runtime, Fovea's CUDA/ROCm kernels, OpenCV, ONNX), copyable for bug reports.
#pragma once

#include <QDialog>

namespace fovea::ui {

class AboutDialog final : public QDialog {
  Q_OBJECT

 public:
  explicit AboutDialog(QWidget* parent = nullptr);

  // "Fovea 0.1.0\nQt 6.4.2 (built with 6.4.2)\nLibTorch 1.13.0\n…": one component a line.
  static QString versionsText();
};

}  // namespace fovea::ui
