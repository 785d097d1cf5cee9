// Evaluation preprocessing as torchvision/timm do it on PIL images: resize the shorter side
// (antialiased bilinear or bicubic), center crop, then normalise. Decoding and resizing give uint8 HWC
// images; normalisation happens per batch on the model's device (engine/training/batch_maker.h).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "models/registry.h"

namespace fovea::engine {

enum class Interpolation { Bilinear, Bicubic };

// Throws ConfigError for anything but "bilinear" and "bicubic".
Interpolation parse_interpolation(const std::string& name);
const char* interpolation_name(Interpolation interpolation);

struct EvalTransform {
  int64_t resize = 256;  // the shorter side after resizing (torchvision's Resize(int))
  int64_t crop = 224;    // the square center crop (CenterCrop), zero-padded when larger than the image
  Interpolation interpolation = Interpolation::Bilinear;
};

// timm's rule: resize = floor(input_size / crop_pct), crop = input_size.
EvalTransform eval_transform(const models::Preprocessing& preprocessing);

// (height, width) after resizing the shorter side to `shorter` (the longer side truncated, as torchvision).
std::pair<int64_t, int64_t> resized_size(int64_t height, int64_t width, int64_t shorter);

// Reads an image file as RGB uint8 HWC (grey expanded, alpha dropped, EXIF orientation ignored: as PIL's
// Image.open(...).convert("RGB")). Throws DatasetError naming the file when it cannot be decoded.
// `pinned`: in page-locked memory, for fast asynchronous copies to a CUDA device.
at::Tensor read_rgb_image(const std::string& path, bool pinned = false);
// The same for a file's bytes already in memory; `name` names it in the error.
at::Tensor decode_rgb_image(const uint8_t* data, size_t size, const std::string& name);

// RGB uint8 HWC in, the transform's crop x crop x 3 uint8 HWC out, on the image's device (CPU or GPU).
// The resize matches PIL's (two 1-D passes, horizontal first, rounded to uint8 in between) to within one
// grey level.
at::Tensor apply_eval_transform(const at::Tensor& rgb, const EvalTransform& transform);
// The same for a batch of equally sized images, uint8 [n, height, width, 3] -> [n, crop, crop, 3]: one
// resize for as many of them as hold `max_pixels` in all (each image's result is what apply_eval_transform
// gives it on that device). The limit bounds the float copies on a GPU: ~200 MB, not gigabytes for a
// batch of large photos.
constexpr int64_t kMaxPixelsPerResize = int64_t{16} << 20;
at::Tensor apply_eval_transform_batch(const at::Tensor& nhwc, const EvalTransform& transform,
                                      int64_t max_pixels = kMaxPixelsPerResize);

// Images of any sizes (RGB uint8 HWC, all on one device) -> uint8 [n, crop, crop, 3] in their order: the
// images of each size are transformed together by apply_eval_transform_batch (data sets have a few common
// sizes, so a GPU makes a few large resizes instead of one small one per image).
at::Tensor apply_eval_transform_grouped(const std::vector<at::Tensor>& images, const EvalTransform& transform);

// RGB uint8 HWC resized to height x width with the same PIL-matching resampler (antialiased when reducing).
at::Tensor resize_image(const at::Tensor& rgb, int64_t height, int64_t width, Interpolation interpolation);

// Writes RGB (or grey) uint8 HWC as a PNG file, atomically. Throws Error naming the file.
void write_png(const std::string& path, const at::Tensor& image);

// uint8 HWC (C channels) to float CHW, (x / 255 - mean) / std per channel, as ToTensor + Normalize.
at::Tensor normalize_image(const at::Tensor& hwc, const std::array<float, 3>& mean, const std::array<float, 3>& std);

}  // namespace fovea::engine
