#include "engine/data/augment_ops.h"

#include <ATen/ATen.h>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <numbers>
#include <vector>

namespace fovea::engine::augment {
namespace {

constexpr double kDegree = std::numbers::pi / 180.0;

cv::Mat as_mat(const at::Tensor& rgb) {
  return cv::Mat(static_cast<int>(rgb.size(0)), static_cast<int>(rgb.size(1)), CV_8UC3, rgb.data_ptr<uint8_t>());
}

// A per-channel lookup table (256 levels x 3 channels) applied to every pixel.
at::Tensor apply_lut(const at::Tensor& rgb, const std::array<std::array<uint8_t, 256>, 3>& lut) {
  const at::Tensor in = rgb.contiguous();
  at::Tensor out = at::empty_like(in);
  const uint8_t* src = in.data_ptr<uint8_t>();
  uint8_t* dst = out.data_ptr<uint8_t>();
  const int64_t values = in.numel();
  for (int64_t i = 0; i < values; ++i) dst[i] = lut[static_cast<size_t>(i % 3)][src[i]];
  return out;
}

std::array<std::array<int64_t, 256>, 3> histograms(const at::Tensor& rgb) {
  std::array<std::array<int64_t, 256>, 3> counts{};
  const at::Tensor in = rgb.contiguous();
  const uint8_t* src = in.data_ptr<uint8_t>();
  for (int64_t i = 0; i < in.numel(); ++i) ++counts[static_cast<size_t>(i % 3)][src[i]];
  return counts;
}

}  // namespace

AffineMatrix inverse_affine_matrix(std::array<double, 2> center, double angle, std::array<double, 2> translate,
                                   double scale, std::array<double, 2> shear) {
  const double rot = angle * kDegree, sx = shear[0] * kDegree, sy = shear[1] * kDegree;
  // Rotation, then shear: RSS; its inverse (determinant 1) is [[d, -b], [-c, a]] / scale.
  const double a = std::cos(rot - sy) / std::cos(sy);
  const double b = -std::cos(rot - sy) * std::tan(sx) / std::cos(sy) - std::sin(rot);
  const double c = std::sin(rot - sy) / std::cos(sy);
  const double d = -std::sin(rot - sy) * std::tan(sx) / std::cos(sy) + std::cos(rot);
  AffineMatrix m{d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0};
  const double cx = center[0], cy = center[1], tx = translate[0], ty = translate[1];
  m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx;
  m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy;
  return m;
}

at::Tensor affine_nearest(const at::Tensor& rgb, const AffineMatrix& m) {
  const at::Tensor in = rgb.contiguous();
  at::Tensor out = at::empty_like(in);
  // OpenCV's nearest rounds M (x, y); PIL floors M (x + .5, y + .5): the same pixel when M's offset
  // takes half a pixel back.
  const double shift_x = 0.5 * (m[0] + m[1]) - 0.5, shift_y = 0.5 * (m[3] + m[4]) - 0.5;
  const cv::Matx23d map(m[0], m[1], m[2] + shift_x, m[3], m[4], m[5] + shift_y);
  cv::Mat target = as_mat(out);
  cv::warpAffine(as_mat(in), target, map, target.size(), cv::INTER_NEAREST | cv::WARP_INVERSE_MAP,
                 cv::BORDER_CONSTANT, cv::Scalar::all(0));
  return out;
}

at::Tensor shear_x(const at::Tensor& rgb, double factor) {
  return affine_nearest(rgb, inverse_affine_matrix({0, 0}, 0, {0, 0}, 1, {std::atan(factor) / kDegree, 0}));
}

at::Tensor shear_y(const at::Tensor& rgb, double factor) {
  return affine_nearest(rgb, inverse_affine_matrix({0, 0}, 0, {0, 0}, 1, {0, std::atan(factor) / kDegree}));
}

at::Tensor translate(const at::Tensor& rgb, int64_t dx, int64_t dy) {
  const std::array<double, 2> center{0.5 * static_cast<double>(rgb.size(1)), 0.5 * static_cast<double>(rgb.size(0))};
  return affine_nearest(rgb, inverse_affine_matrix(center, 0, {static_cast<double>(dx), static_cast<double>(dy)}, 1, {0, 0}));
}

at::Tensor rotate(const at::Tensor& rgb, double degrees) {
  // PIL's Image.rotate: the matrix entries rounded to 15 decimals, the center at (w / 2, h / 2).
  const auto round15 = [](double v) { return std::round(v * 1e15) / 1e15; };
  const double angle = -std::fmod(degrees, 360.0) * kDegree;
  const double cx = 0.5 * static_cast<double>(rgb.size(1)), cy = 0.5 * static_cast<double>(rgb.size(0));
  AffineMatrix m{round15(std::cos(angle)), round15(std::sin(angle)), 0, round15(-std::sin(angle)), round15(std::cos(angle)), 0};
  m[2] = m[0] * -cx + m[1] * -cy + cx;
  m[5] = m[3] * -cx + m[4] * -cy + cy;
  return affine_nearest(rgb, m);
}

at::Tensor grey_levels(const at::Tensor& rgb) {
  const at::Tensor c = rgb.to(at::kInt);
  const at::Tensor weighted = c.select(2, 0) * 19595 + c.select(2, 1) * 38470 + c.select(2, 2) * 7471 + 0x8000;
  return weighted.bitwise_right_shift(16).to(at::kByte);
}

at::Tensor blend(const at::Tensor& degenerate, const at::Tensor& rgb, double factor) {
  const float alpha = static_cast<float>(factor);  // PIL's blend takes a C float
  const at::Tensor base = degenerate.to(at::kFloat);
  return (base + alpha * (rgb.to(at::kFloat) - base)).clamp_(0, 255).floor_().to(at::kByte);
}

at::Tensor adjust_brightness(const at::Tensor& rgb, double factor) { return blend(at::zeros_like(rgb), rgb, factor); }

at::Tensor adjust_color(const at::Tensor& rgb, double factor) {
  return blend(grey_levels(rgb).unsqueeze(2).expand_as(rgb), rgb, factor);
}

at::Tensor adjust_contrast(const at::Tensor& rgb, double factor) {
  // ImageStat's mean of the grey image, rounded half up to a grey level.
  const double mean = grey_levels(rgb).to(at::kDouble).mean().item<double>();
  return blend(at::full_like(rgb, static_cast<int64_t>(mean + 0.5)), rgb, factor);
}

at::Tensor smooth(const at::Tensor& rgb) {
  const int64_t height = rgb.size(0), width = rgb.size(1);
  at::Tensor out = rgb.clone();
  if (height < 3 || width < 3) return out;
  // Integer weights give exact sums; S / 13 never lies halfway between two levels, so float rounding
  // cannot flip a level.
  const at::Tensor kernel = at::tensor({1.f, 1.f, 1.f, 1.f, 5.f, 1.f, 1.f, 1.f, 1.f}).view({1, 1, 3, 3}).repeat({3, 1, 1, 1});
  const at::Tensor planes = rgb.permute({2, 0, 1}).unsqueeze(0).to(at::kFloat);
  const at::Tensor sums = at::conv2d(planes, kernel, at::Tensor(), at::IntArrayRef{1}, at::IntArrayRef{0}, at::IntArrayRef{1}, 3).squeeze(0).permute({1, 2, 0});
  out.slice(0, 1, height - 1).slice(1, 1, width - 1).copy_((sums / 13.0f + 0.5f).floor_().clamp_(0, 255));
  return out;
}

at::Tensor adjust_sharpness(const at::Tensor& rgb, double factor) { return blend(smooth(rgb), rgb, factor); }

at::Tensor posterize(const at::Tensor& rgb, int bits) {
  const int mask = ~((1 << (8 - bits)) - 1) & 0xff;
  return rgb.bitwise_and(mask);
}

at::Tensor solarize(const at::Tensor& rgb, double threshold) {
  std::array<uint8_t, 256> levels{};
  for (int i = 0; i < 256; ++i) levels[static_cast<size_t>(i)] = static_cast<uint8_t>(i < threshold ? i : 255 - i);
  return apply_lut(rgb, {levels, levels, levels});
}

at::Tensor autocontrast(const at::Tensor& rgb) {
  const auto counts = histograms(rgb);
  std::array<std::array<uint8_t, 256>, 3> lut{};
  for (size_t c = 0; c < 3; ++c) {
    int lo = 0, hi = 255;
    while (lo < 255 && counts[c][static_cast<size_t>(lo)] == 0) ++lo;
    while (hi > 0 && counts[c][static_cast<size_t>(hi)] == 0) --hi;
    for (int i = 0; i < 256; ++i) {
      if (hi <= lo) {
        lut[c][static_cast<size_t>(i)] = static_cast<uint8_t>(i);
        continue;
      }
      const double scale = 255.0 / (hi - lo), offset = -lo * scale;
      const auto level = static_cast<int64_t>(i * scale + offset);  // Python's int(): towards zero
      lut[c][static_cast<size_t>(i)] = static_cast<uint8_t>(std::clamp<int64_t>(level, 0, 255));
    }
  }
  return apply_lut(rgb, lut);
}

at::Tensor equalize(const at::Tensor& rgb) {
  const auto counts = histograms(rgb);
  std::array<std::array<uint8_t, 256>, 3> lut{};
  for (size_t c = 0; c < 3; ++c) {
    // ImageOps.equalize: step = (pixels - the count of the highest level present) // 256; level i maps to
    // (step // 2 + pixels below i) // step. One level present, or too few pixels: unchanged.
    int64_t total = 0, last = 0, levels = 0;
    for (const int64_t n : counts[c]) {
      if (n == 0) continue;
      total += n;
      last = n;
      ++levels;
    }
    const int64_t step = levels <= 1 ? 0 : (total - last) / 256;
    int64_t below = step / 2;
    for (size_t i = 0; i < 256; ++i) {
      lut[c][i] = static_cast<uint8_t>(step == 0 ? static_cast<int64_t>(i) : std::min<int64_t>(below / step, 255));
      below += counts[c][i];
    }
  }
  return apply_lut(rgb, lut);
}

}  // namespace fovea::engine::augment
