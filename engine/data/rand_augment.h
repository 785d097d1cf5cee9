// RandAugment as torchvision.transforms.RandAugment applies it: num_ops operations picked uniformly
// (with repetition) from the 14 below, each at the same magnitude bin, signed ops negated with even odds.
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>

#include "engine/data/draw_random.h"

namespace fovea::engine {

enum class AugmentOp {
  Identity, ShearX, ShearY, TranslateX, TranslateY, Rotate, Brightness, Color, Contrast, Sharpness,
  Posterize, Solarize, AutoContrast, Equalize
};
constexpr int kAugmentOpCount = 14;  // in torchvision's order, which the random pick indexes
const char* augment_op_name(AugmentOp op);

struct RandAugmentSettings {
  int num_ops = 2;             // 0: off
  int magnitude = 9;           // the bin, 0 .. num_magnitude_bins - 1
  int num_magnitude_bins = 31;
};

// torchvision's magnitude of `op` at the settings' bin for an image of height x width, unsigned (the
// ops without a magnitude give 0). Computed as its torch.linspace (float32) computes it.
double augment_magnitude(AugmentOp op, const RandAugmentSettings& settings, int64_t height, int64_t width);
bool augment_op_is_signed(AugmentOp op);

// One op on an RGB uint8 HWC CPU image at a signed magnitude, as torchvision's _apply_op on a PIL image.
at::Tensor apply_augment_op(const at::Tensor& rgb, AugmentOp op, double magnitude);

// The whole policy: draws the ops and signs from `random`.
at::Tensor rand_augment(const at::Tensor& rgb, const RandAugmentSettings& settings, RandomSource& random);

}  // namespace fovea::engine
