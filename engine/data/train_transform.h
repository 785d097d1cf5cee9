// Training preprocessing for image files, as torchvision's usual training pipelines compose it:
// RandomResizedCrop (or RandomCrop with padding, or a plain resize and center crop), then
// RandomHorizontalFlip, then optionally RandAugment. Applied to one decoded image at a time by the
// loader's worker threads; every random choice comes from the image's (seed, draw number).
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include <ATen/core/Tensor.h>

#include "engine/data/draw_random.h"
#include "engine/data/image_transform.h"
#include "engine/data/rand_augment.h"

namespace fovea::engine {

enum class TrainCrop {
  RandomResized,  // "rrc": RandomResizedCrop(size, scale, ratio)
  PadCrop,        // "pad-crop": resize and center crop to size, then RandomCrop(size, padding) (CIFAR-style translate)
  None            // "none": resize the shorter side to size and center crop, as evaluation does
};

// Throws ConfigError naming the text unless it is "rrc", "pad-crop" or "none".
TrainCrop parse_train_crop(const std::string& text);
const char* train_crop_name(TrainCrop crop);

struct TrainTransform {
  int64_t size = 224;  // square output
  TrainCrop crop = TrainCrop::RandomResized;
  std::array<double, 2> scale{0.08, 1.0};              // RandomResizedCrop: area fraction range
  std::array<double, 2> ratio{3.0 / 4.0, 4.0 / 3.0};   // RandomResizedCrop: aspect ratio (w / h) range
  int64_t padding = 4;                                 // PadCrop: zeros on each side
  Interpolation interpolation = Interpolation::Bilinear;
  bool flip = true;                                    // RandomHorizontalFlip(0.5)
  RandAugmentSettings rand_augment{0, 9, 31};          // num_ops 0: no RandAugment
};

// One line for logs, e.g. "random resized crop 224 (bilinear), flip, RandAugment 2 ops at 9/30".
std::string describe(const TrainTransform& transform);

struct CropBox {
  int64_t top = 0, left = 0, height = 0, width = 0;
  bool operator==(const CropBox&) const = default;
};

// torchvision's RandomResizedCrop.get_params for an image of height x width: up to 10 tries of an area
// uniform in scale and a log-uniform aspect ratio, kept when the box fits; else the central crop with
// the ratio clamped to the range.
CropBox random_resized_crop_box(int64_t height, int64_t width, const std::array<double, 2>& scale,
                                const std::array<double, 2>& ratio, RandomSource& random);

// RGB uint8 HWC on the CPU in, transform.size x transform.size x 3 uint8 HWC out.
at::Tensor apply_train_transform(const at::Tensor& rgb, const TrainTransform& transform, RandomSource& random);
// The same with the draws of image number `draw` under `seed`: the same inputs give the same output.
at::Tensor apply_train_transform(const at::Tensor& rgb, const TrainTransform& transform, uint64_t seed, uint64_t draw);

}  // namespace fovea::engine
