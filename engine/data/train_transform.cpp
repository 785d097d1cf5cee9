#include "engine/data/train_transform.h"

#include <ATen/ATen.h>

#include <cmath>

#include "engine/errors.h"

namespace fovea::engine {
namespace {

// Python's round(): half to even.
int64_t round_half_even(double value) { return static_cast<int64_t>(std::nearbyint(value)); }

at::Tensor resize_and_center_crop(const at::Tensor& rgb, int64_t size, Interpolation interpolation) {
  return apply_eval_transform(rgb, EvalTransform{size, size, interpolation});
}

// RandomCrop(size, padding): the image padded with zeros, then a size x size window at a random offset
// (the row first, as torchvision draws them).
at::Tensor random_pad_crop(const at::Tensor& rgb, int64_t size, int64_t padding, RandomSource& random) {
  const at::Tensor padded = at::constant_pad_nd(rgb, {0, 0, padding, padding, padding, padding}, 0);
  const int64_t top = random.below(padded.size(0) - size + 1);
  const int64_t left = random.below(padded.size(1) - size + 1);
  return padded.narrow(0, top, size).narrow(1, left, size);
}

}  // namespace

TrainCrop parse_train_crop(const std::string& text) {
  for (TrainCrop crop : {TrainCrop::RandomResized, TrainCrop::PadCrop, TrainCrop::None})
    if (text == train_crop_name(crop)) return crop;
  throw ConfigError("unknown training crop '" + text + "' (expected rrc, pad-crop or none)");
}

const char* train_crop_name(TrainCrop crop) {
  switch (crop) {
    case TrainCrop::PadCrop: return "pad-crop";
    case TrainCrop::None: return "none";
    default: return "rrc";
  }
}

std::string describe(const TrainTransform& t) {
  const std::string size = std::to_string(t.size);
  std::string text;
  switch (t.crop) {
    case TrainCrop::RandomResized: text = "random resized crop " + size; break;
    case TrainCrop::PadCrop: text = "resize and center crop " + size + ", random crop with " + std::to_string(t.padding) + "-pixel padding"; break;
    case TrainCrop::None: text = "resize and center crop " + size; break;
  }
  text += std::string(" (") + interpolation_name(t.interpolation) + ")";
  if (t.flip) text += ", horizontal flip";
  if (t.rand_augment.num_ops > 0)
    text += ", RandAugment " + std::to_string(t.rand_augment.num_ops) + " ops at magnitude " +
            std::to_string(t.rand_augment.magnitude) + "/" + std::to_string(t.rand_augment.num_magnitude_bins - 1);
  return text;
}

CropBox random_resized_crop_box(int64_t height, int64_t width, const std::array<double, 2>& scale,
                                const std::array<double, 2>& ratio, RandomSource& random) {
  const double area = static_cast<double>(height * width);
  const double log_low = std::log(ratio[0]), log_high = std::log(ratio[1]);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * random.uniform(scale[0], scale[1]);
    const double aspect = std::exp(random.uniform(log_low, log_high));
    const int64_t w = round_half_even(std::sqrt(target_area * aspect));
    const int64_t h = round_half_even(std::sqrt(target_area / aspect));
    if (0 < w && w <= width && 0 < h && h <= height) {
      const int64_t top = random.below(height - h + 1);
      const int64_t left = random.below(width - w + 1);
      return {top, left, h, w};
    }
  }
  // The fallback: the whole image, or its central part at the nearest allowed aspect ratio.
  const double in_ratio = static_cast<double>(width) / static_cast<double>(height);
  const double min_ratio = std::min(ratio[0], ratio[1]), max_ratio = std::max(ratio[0], ratio[1]);
  int64_t w = width, h = height;
  if (in_ratio < min_ratio) {
    h = round_half_even(static_cast<double>(w) / min_ratio);
  } else if (in_ratio > max_ratio) {
    w = round_half_even(static_cast<double>(h) * max_ratio);
  }
  return {(height - h) / 2, (width - w) / 2, h, w};
}

at::Tensor apply_train_transform(const at::Tensor& rgb, const TrainTransform& t, RandomSource& random) {
  at::Tensor image;
  switch (t.crop) {
    case TrainCrop::RandomResized: {
      const CropBox box = random_resized_crop_box(rgb.size(0), rgb.size(1), t.scale, t.ratio, random);
      const at::Tensor crop = rgb.narrow(0, box.top, box.height).narrow(1, box.left, box.width);
      image = resize_image(crop, t.size, t.size, t.interpolation);
      break;
    }
    case TrainCrop::PadCrop:
      image = random_pad_crop(resize_and_center_crop(rgb, t.size, t.interpolation), t.size, t.padding, random);
      break;
    case TrainCrop::None: image = resize_and_center_crop(rgb, t.size, t.interpolation); break;
  }
  if (t.flip && random.uniform() < 0.5) image = image.flip({1});
  if (t.rand_augment.num_ops > 0) image = rand_augment(image.contiguous(), t.rand_augment, random);
  return image.contiguous();
}

at::Tensor apply_train_transform(const at::Tensor& rgb, const TrainTransform& t, uint64_t seed, uint64_t draw) {
  DrawRandom random(seed, draw);
  return apply_train_transform(rgb, t, random);
}

}  // namespace fovea::engine
