#include "engine/data/rand_augment.h"

#include <ATen/ATen.h>

#include <cmath>

#include "engine/data/augment_ops.h"

namespace fovea::engine {
namespace {

// torch.linspace(start, end, steps)[index] in float32: the first half counts up from start, the second
// half down from end.
double linspace_at(float start, float end, int steps, int index) {
  if (steps <= 1) return start;
  const float step = (end - start) / static_cast<float>(steps - 1);
  const int halfway = steps / 2;
  return index < halfway ? start + step * static_cast<float>(index)
                         : end - step * static_cast<float>(steps - index - 1);
}

}  // namespace

const char* augment_op_name(AugmentOp op) {
  static const char* const names[kAugmentOpCount] = {"Identity", "ShearX", "ShearY", "TranslateX", "TranslateY",
                                                     "Rotate", "Brightness", "Color", "Contrast", "Sharpness",
                                                     "Posterize", "Solarize", "AutoContrast", "Equalize"};
  return names[static_cast<int>(op)];
}

bool augment_op_is_signed(AugmentOp op) {
  return op != AugmentOp::Identity && op != AugmentOp::Posterize && op != AugmentOp::Solarize &&
         op != AugmentOp::AutoContrast && op != AugmentOp::Equalize;
}

double augment_magnitude(AugmentOp op, const RandAugmentSettings& s, int64_t height, int64_t width) {
  const int bins = s.num_magnitude_bins, bin = s.magnitude;
  switch (op) {
    case AugmentOp::ShearX:
    case AugmentOp::ShearY: return linspace_at(0.0f, 0.3f, bins, bin);
    case AugmentOp::TranslateX: return linspace_at(0.0f, static_cast<float>(150.0 / 331.0 * static_cast<double>(width)), bins, bin);
    case AugmentOp::TranslateY: return linspace_at(0.0f, static_cast<float>(150.0 / 331.0 * static_cast<double>(height)), bins, bin);
    case AugmentOp::Rotate: return linspace_at(0.0f, 30.0f, bins, bin);
    case AugmentOp::Brightness:
    case AugmentOp::Color:
    case AugmentOp::Contrast:
    case AugmentOp::Sharpness: return linspace_at(0.0f, 0.9f, bins, bin);
    case AugmentOp::Posterize:  // 8 - round(arange(bins) / ((bins - 1) / 4)), rounded half to even
      return 8.0 - std::nearbyint(static_cast<float>(bin) / (static_cast<float>(bins - 1) / 4.0f));
    case AugmentOp::Solarize: return linspace_at(255.0f, 0.0f, bins, bin);
    default: return 0.0;
  }
}

at::Tensor apply_augment_op(const at::Tensor& rgb, AugmentOp op, double magnitude) {
  namespace a = augment;
  switch (op) {
    case AugmentOp::Identity: return rgb;
    case AugmentOp::ShearX: return a::shear_x(rgb, magnitude);
    case AugmentOp::ShearY: return a::shear_y(rgb, magnitude);
    // int(magnitude): whole pixels, truncated towards zero.
    case AugmentOp::TranslateX: return a::translate(rgb, static_cast<int64_t>(magnitude), 0);
    case AugmentOp::TranslateY: return a::translate(rgb, 0, static_cast<int64_t>(magnitude));
    case AugmentOp::Rotate: return a::rotate(rgb, magnitude);
    case AugmentOp::Brightness: return a::adjust_brightness(rgb, 1.0 + magnitude);
    case AugmentOp::Color: return a::adjust_color(rgb, 1.0 + magnitude);
    case AugmentOp::Contrast: return a::adjust_contrast(rgb, 1.0 + magnitude);
    case AugmentOp::Sharpness: return a::adjust_sharpness(rgb, 1.0 + magnitude);
    case AugmentOp::Posterize: return a::posterize(rgb, static_cast<int>(magnitude));
    case AugmentOp::Solarize: return a::solarize(rgb, magnitude);
    case AugmentOp::AutoContrast: return a::autocontrast(rgb);
    case AugmentOp::Equalize: return a::equalize(rgb);
  }
  return rgb;
}

at::Tensor rand_augment(const at::Tensor& rgb, const RandAugmentSettings& settings, RandomSource& random) {
  at::Tensor image = rgb;
  for (int i = 0; i < settings.num_ops; ++i) {
    const auto op = static_cast<AugmentOp>(random.below(kAugmentOpCount));
    double magnitude = augment_magnitude(op, settings, image.size(0), image.size(1));
    if (augment_op_is_signed(op) && random.below(2) == 1) magnitude = -magnitude;
    image = apply_augment_op(image, op, magnitude);
  }
  return image;
}

}  // namespace fovea::engine
