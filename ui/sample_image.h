// Engine images (8-bit HWC, grey or RGB) as Qt images.
#pragma once

#include <QImage>

#include "engine/observer.h"

namespace fovea::ui {

// A deep copy; a null QImage when the image is empty or its channel count is neither 1 nor 3.
QImage toQImage(const engine::Image& image);

}  // namespace fovea::ui
