#include "ui/sample_image.h"

namespace fovea::ui {

QImage toQImage(const engine::Image& image) {
  if (image.width <= 0 || image.height <= 0) return {};
  QImage::Format format;
  switch (image.channels) {
    case 1: format = QImage::Format_Grayscale8; break;
    case 3: format = QImage::Format_RGB888; break;
    default: return {};
  }
  const qsizetype bytesPerLine = qsizetype(image.width) * image.channels;
  if (qsizetype(image.pixels.size()) < bytesPerLine * image.height) return {};
  const QImage view(image.pixels.data(), image.width, image.height, bytesPerLine, format);
  return view.copy();
}

}  // namespace fovea::ui
