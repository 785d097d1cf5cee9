#include "engine/data/image_transform.h"

#include <ATen/ATen.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "engine/data/bgr_decode.h"
#include "engine/data/pinned_slabs.h"
#include "engine/data/rgb_decode.h"
#include "engine/errors.h"
#include "engine/io/atomic_file.h"
#include "models/torch_compat.h"

namespace fovea::engine {
namespace {

at::Tensor resize_aa(const at::Tensor& nchw, int64_t height, int64_t width, Interpolation interpolation) {
  return interpolation == Interpolation::Bicubic ? at::_upsample_bicubic2d_aa(nchw, {height, width}, false)
                                                 : at::_upsample_bilinear2d_aa(nchw, {height, width}, false);
}

// PIL rounds each pass to uint8 (half up, clipped); bicubic overshoot is clipped between the passes.
at::Tensor to_uint8_levels(const at::Tensor& values) { return (values + 0.5).floor_().clamp_(0, 255); }

// Resizes RGB uint8 HWC to (height, width) as PIL's Image.resize does (reducing_gap=None), keeping only
// the output columns [left, left + columns).
at::Tensor resize_like_pil(const at::Tensor& rgb, int64_t height, int64_t width, Interpolation interpolation,
                           int64_t left, int64_t columns) {
#if FOVEA_TORCH_AT_LEAST(2, 1)
  // LibTorch's vectorised uint8 path (a port of PIL's resampler) is several times faster than the float
  // one. For bilinear it stays within one grey level of PIL; for bicubic it was measured 2 levels off
  // (LibTorch 2.11), so bicubic takes the float path below, as GPU tensors do (no uint8 kernels there).
  if (interpolation == Interpolation::Bilinear && rgb.is_cpu()) {
    const at::Tensor input = rgb.permute({2, 0, 1}).unsqueeze(0).contiguous(at::MemoryFormat::ChannelsLast);
    return resize_aa(input, height, width, interpolation).squeeze(0).permute({1, 2, 0}).narrow(1, left, columns);
  }
#endif
  // PIL's order on float: a horizontal pass, rounding to uint8, a vertical pass, rounding again. The
  // vertical pass treats every column on its own, so cutting the columns between the passes is exact.
  at::Tensor image = rgb.permute({2, 0, 1}).unsqueeze(0).to(at::kFloat);
  if (width != image.size(3)) image = to_uint8_levels(resize_aa(image, image.size(2), width, interpolation));
  image = image.narrow(3, left, columns);
  if (height != image.size(2)) image = to_uint8_levels(resize_aa(image.contiguous(), height, columns, interpolation));
  return image.squeeze(0).permute({1, 2, 0}).to(at::kByte);
}

// torchvision's center_crop offset: round((size - crop) / 2) with Python's half-to-even rounding, or the
// left/top padding when the crop is larger than the image.
int64_t crop_offset(int64_t size, int64_t crop) {
  if (size >= crop) return static_cast<int64_t>(std::nearbyint(static_cast<double>(size - crop) / 2.0));
  return -((crop - size) / 2);
}

}  // namespace

Interpolation parse_interpolation(const std::string& name) {
  if (name == "bilinear") return Interpolation::Bilinear;
  if (name == "bicubic") return Interpolation::Bicubic;
  throw ConfigError("unknown interpolation \"" + name + "\" (bilinear or bicubic)");
}

const char* interpolation_name(Interpolation interpolation) {
  return interpolation == Interpolation::Bicubic ? "bicubic" : "bilinear";
}

EvalTransform eval_transform(const models::Preprocessing& p) {
  if (p.input_size < 1 || !(p.crop_pct > 0 && p.crop_pct <= 1))
    throw ConfigError("preprocessing needs an input size of at least 1 and a crop_pct in (0, 1], got " +
                      std::to_string(p.input_size) + " and " + std::to_string(p.crop_pct));
  EvalTransform t;
  t.crop = p.input_size;
  // The small epsilon keeps 232 / (224 / 232) at 232 despite floating-point error.
  t.resize = static_cast<int64_t>(std::floor(static_cast<double>(p.input_size) / p.crop_pct + 1e-9));
  t.interpolation = parse_interpolation(p.interpolation);
  return t;
}

std::pair<int64_t, int64_t> resized_size(int64_t height, int64_t width, int64_t shorter) {
  if (width <= height) return {static_cast<int64_t>(static_cast<double>(shorter) * height / width), shorter};
  return {shorter, static_cast<int64_t>(static_cast<double>(shorter) * width / height)};
}

namespace {

at::Tensor decode_to_tensor(const uint8_t* data, size_t size, const std::string& name, bool pinned) {
  at::Tensor rgb;
  decode_rgb(data, size, name, [&](int64_t width, int64_t height) {
    rgb = pinned ? pinned_image_buffer(height * width * 3).view({height, width, 3}) : at::empty({height, width, 3}, at::kByte);
    return rgb.data_ptr<uint8_t>();
  });
  return rgb;
}

}  // namespace

at::Tensor read_rgb_image(const std::string& path, bool pinned) {
  const std::vector<uint8_t> bytes = read_image_bytes(path);
  return decode_to_tensor(bytes.data(), bytes.size(), path, pinned);
}

at::Tensor decode_rgb_image(const uint8_t* data, size_t size, const std::string& name) {
  return decode_to_tensor(data, size, name, false);
}

at::Tensor apply_eval_transform(const at::Tensor& rgb, const EvalTransform& t) {
  const int64_t height = rgb.size(0), width = rgb.size(1);
  const auto [rh, rw] = resized_size(height, width, t.resize);
  const int64_t top = crop_offset(rh, t.crop), left = crop_offset(rw, t.crop);
  const bool resize = rh != height || rw != width;
  if (top >= 0 && left >= 0) {
    const at::Tensor columns = resize ? resize_like_pil(rgb, rh, rw, t.interpolation, left, t.crop)
                                      : rgb.narrow(1, left, t.crop);
    return columns.narrow(0, top, t.crop).contiguous();
  }
  // Smaller than the crop on a side: the image sits in a zero canvas, as torchvision pads before cropping.
  const at::Tensor resized = resize ? resize_like_pil(rgb, rh, rw, t.interpolation, 0, rw) : rgb;
  at::Tensor out = at::zeros({t.crop, t.crop, 3}, rgb.options());
  const int64_t src_y = std::max<int64_t>(top, 0), src_x = std::max<int64_t>(left, 0);
  const int64_t dst_y = std::max<int64_t>(-top, 0), dst_x = std::max<int64_t>(-left, 0);
  const int64_t rows = std::min(rh - src_y, t.crop - dst_y), cols = std::min(rw - src_x, t.crop - dst_x);
  out.slice(0, dst_y, dst_y + rows).slice(1, dst_x, dst_x + cols)
      .copy_(resized.slice(0, src_y, src_y + rows).slice(1, src_x, src_x + cols));
  return out;
}

at::Tensor apply_eval_transform_batch(const at::Tensor& nhwc, const EvalTransform& t, int64_t max_pixels) {
  const int64_t count = nhwc.size(0), height = nhwc.size(1), width = nhwc.size(2);
  const int64_t per_call = std::max<int64_t>(1, max_pixels / std::max<int64_t>(1, height * width));
  if (count > per_call) {
    std::vector<at::Tensor> parts;
    for (int64_t first = 0; first < count; first += per_call)
      parts.push_back(apply_eval_transform_batch(nhwc.narrow(0, first, std::min(per_call, count - first)), t, max_pixels));
    return at::cat(parts);
  }
  const auto [rh, rw] = resized_size(height, width, t.resize);
  const int64_t top = crop_offset(rh, t.crop), left = crop_offset(rw, t.crop);
  const bool uint8_path = nhwc.is_cpu() && t.interpolation == Interpolation::Bilinear;
  if (top < 0 || left < 0 || uint8_path) {  // padding, or the CPU's uint8 resampler: image by image
    std::vector<at::Tensor> crops;
    for (int64_t i = 0; i < nhwc.size(0); ++i) crops.push_back(apply_eval_transform(nhwc[i], t));
    return at::stack(crops);
  }
  // resize_like_pil's float path, on all images at once (converted straight to the contiguous layout that
  // the antialiased resize reads, one pass instead of a conversion and a copy).
  at::Tensor x = nhwc.permute({0, 3, 1, 2}).to(at::kFloat, false, false, at::MemoryFormat::Contiguous);
  if (rw != width) x = to_uint8_levels(resize_aa(x, height, rw, t.interpolation));
  x = x.narrow(3, left, t.crop);
  if (rh != height) x = to_uint8_levels(resize_aa(x.contiguous(), rh, t.crop, t.interpolation));
  return x.narrow(2, top, t.crop).permute({0, 2, 3, 1}).to(at::kByte).contiguous();
}

at::Tensor apply_eval_transform_grouped(const std::vector<at::Tensor>& images, const EvalTransform& transform) {
  const auto count = static_cast<int64_t>(images.size());
  if (count == 0) return at::empty({0, transform.crop, transform.crop, 3}, at::TensorOptions(at::kByte));
  std::map<std::pair<int64_t, int64_t>, std::vector<int64_t>> by_size;
  for (int64_t i = 0; i < count; ++i) by_size[{images[i].size(0), images[i].size(1)}].push_back(i);
  const auto stacked = [&](const std::vector<int64_t>& members) {
    std::vector<at::Tensor> group;
    for (const int64_t i : members) group.push_back(images[static_cast<size_t>(i)]);
    return apply_eval_transform_batch(at::stack(group), transform);
  };
  if (by_size.size() == 1) return stacked(by_size.begin()->second);
  const at::Tensor crops = at::empty({count, transform.crop, transform.crop, 3}, images[0].options());
  for (const auto& [size, members] : by_size) {
    at::Tensor rows = at::tensor(members, at::kLong);
    // From pinned memory: a copy from pageable memory would first wait for the device's queue.
    if (crops.is_cuda()) rows = rows.pin_memory().to(crops.device(), /*non_blocking=*/true);
    crops.index_copy_(0, rows, stacked(members));
  }
  return crops;
}

at::Tensor resize_image(const at::Tensor& rgb, int64_t height, int64_t width, Interpolation interpolation) {
  if (rgb.size(0) == height && rgb.size(1) == width) return rgb;
  return resize_like_pil(rgb, height, width, interpolation, 0, width).contiguous();
}

void write_png(const std::string& path, const at::Tensor& image) {
  const at::Tensor pixels = image.to(at::kByte).cpu().contiguous();
  const int rows = static_cast<int>(pixels.size(0)), cols = static_cast<int>(pixels.size(1));
  const bool colour = pixels.size(2) == 3;
  cv::Mat mat(rows, cols, colour ? CV_8UC3 : CV_8UC1, pixels.data_ptr<uint8_t>());
  cv::Mat bgr;
  if (colour) cv::cvtColor(mat, bgr, cv::COLOR_RGB2BGR);
  std::vector<uchar> bytes;
  if (!cv::imencode(".png", colour ? bgr : mat, bytes)) throw Error(path + ": cannot encode the image as PNG");
  write_file_atomically(path, std::string(bytes.begin(), bytes.end()));
}

at::Tensor normalize_image(const at::Tensor& hwc, const std::array<float, 3>& mean, const std::array<float, 3>& std) {
  const int64_t channels = hwc.size(2);
  const at::Tensor m = at::tensor(std::vector<float>(mean.begin(), mean.begin() + channels)).view({channels, 1, 1});
  const at::Tensor s = at::tensor(std::vector<float>(std.begin(), std.begin() + channels)).view({channels, 1, 1});
  return (hwc.permute({2, 0, 1}).to(at::kFloat) / 255.0f - m) / s;
}

}  // namespace fovea::engine
