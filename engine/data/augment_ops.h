// The image operations of RandAugment, on RGB uint8 HWC images on the CPU, each as PIL computes it
// (torchvision's RandAugment calls these on PIL images): the same formulas, roundings and fills.
#pragma once
#include <array>

#include <ATen/core/Tensor.h>

namespace fovea::engine::augment {

// PIL's inverse affine matrix (a, b, c, d, e, f): output pixel (x, y) takes input pixel
// (floor(a(x+.5) + b(y+.5) + c), floor(d(x+.5) + e(y+.5) + f)); outside the image: black.
using AffineMatrix = std::array<double, 6>;

// torchvision's _get_inverse_affine_matrix (angle and shears in degrees, center in pixels).
AffineMatrix inverse_affine_matrix(std::array<double, 2> center, double angle, std::array<double, 2> translate,
                                   double scale, std::array<double, 2> shear);
// Nearest-neighbour sampling through `matrix` (OpenCV's warpAffine), zero fill.
at::Tensor affine_nearest(const at::Tensor& rgb, const AffineMatrix& matrix);

// RandAugment's geometric ops: shear by factor m (an angle of atan(m)) about the top-left corner, a
// translation in whole pixels, a rotation counter-clockwise about the image center.
at::Tensor shear_x(const at::Tensor& rgb, double factor);
at::Tensor shear_y(const at::Tensor& rgb, double factor);
at::Tensor translate(const at::Tensor& rgb, int64_t dx, int64_t dy);
at::Tensor rotate(const at::Tensor& rgb, double degrees);

// PIL's convert("L"): (19595 R + 38470 G + 7471 B + 2^15) >> 16, as [H, W] uint8.
at::Tensor grey_levels(const at::Tensor& rgb);
// PIL's Image.blend(degenerate, image, factor): degenerate + factor (image - degenerate) in float,
// truncated to uint8 and clipped to [0, 255].
at::Tensor blend(const at::Tensor& degenerate, const at::Tensor& rgb, double factor);

// ImageEnhance: blends with black, the grey image, its mean grey level, or the SMOOTH-filtered image.
at::Tensor adjust_brightness(const at::Tensor& rgb, double factor);
at::Tensor adjust_color(const at::Tensor& rgb, double factor);
at::Tensor adjust_contrast(const at::Tensor& rgb, double factor);
at::Tensor adjust_sharpness(const at::Tensor& rgb, double factor);
// PIL's ImageFilter.SMOOTH ([1 1 1; 1 5 1; 1 1 1] / 13, rounded); the border pixels are kept.
at::Tensor smooth(const at::Tensor& rgb);

// ImageOps: keep the `bits` high bits; invert levels >= threshold; stretch each channel's range to
// 0..255; equalize each channel's histogram.
at::Tensor posterize(const at::Tensor& rgb, int bits);
at::Tensor solarize(const at::Tensor& rgb, double threshold);
at::Tensor autocontrast(const at::Tensor& rgb);
at::Tensor equalize(const at::Tensor& rgb);

}  // namespace fovea::engine::augment
