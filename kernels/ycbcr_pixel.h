// One output pixel of ycbcr_to_rgb (see ycbcr_to_rgb.h), shared by the CPU reference and the GPU kernel.
// The arithmetic is libjpeg's, written per pixel instead of per row: the same sums, biases and shifts.
#pragma once
#include "kernels/random.h"  // FOVEA_HOST_DEVICE
#include "kernels/ycbcr_to_rgb.h"

namespace fovea::kernels::ycbcr_detail {

FOVEA_HOST_DEVICE int sample(const uint8_t* plane, int64_t pitch, int x, int y) {
  return plane[y * pitch + x];
}

// The chroma value libjpeg computes for luma position (x, y). Horizontal fancy upsampling needs a plane
// more than two samples wide (jinit_upsampler); narrower ones are upsampled by replication.
FOVEA_HOST_DEVICE int chroma_at(const YcbcrPlanes& p, const uint8_t* plane, int x, int y) {
  const int cx = x / p.h_factor, cy = y / p.v_factor;
  const int last_x = p.chroma_width - 1, last_y = p.chroma_height - 1;
  if ((p.h_factor == 2 && p.chroma_width <= 2) || (p.h_factor == 1 && p.v_factor == 1))
    return sample(plane, p.chroma_pitch, cx, cy);
  if (p.v_factor == 1) {  // h2v1: 3/4 of the nearer sample, 1/4 of the next one in the row
    if (x % 2 == 0) return cx == 0 ? sample(plane, p.chroma_pitch, 0, cy)
                                   : (3 * sample(plane, p.chroma_pitch, cx, cy) + sample(plane, p.chroma_pitch, cx - 1, cy) + 1) >> 2;
    return cx == last_x ? sample(plane, p.chroma_pitch, cx, cy)
                        : (3 * sample(plane, p.chroma_pitch, cx, cy) + sample(plane, p.chroma_pitch, cx + 1, cy) + 2) >> 2;
  }
  // v2: the row above for even output rows, below for odd ones; the image's edge rows repeat.
  const bool upper = y % 2 == 0;
  const int ny = upper ? (cy > 0 ? cy - 1 : 0) : (cy < last_y ? cy + 1 : last_y);
  auto column_sum = [&](int c) {
    return 3 * sample(plane, p.chroma_pitch, c, cy) + sample(plane, p.chroma_pitch, c, ny);
  };
  if (p.h_factor == 1) return (column_sum(cx) + (upper ? 1 : 2)) >> 2;  // h1v2
  const int here = column_sum(cx);  // h2v2: the same triangle filter across columns, on column sums
  if (x % 2 == 0) return cx == 0 ? (4 * here + 8) >> 4 : (3 * here + column_sum(cx - 1) + 8) >> 4;
  return cx == last_x ? (4 * here + 7) >> 4 : (3 * here + column_sum(cx + 1) + 7) >> 4;
}

FOVEA_HOST_DEVICE uint8_t clamp_byte(int v) { return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v); }

// jdcolor.c's ycc_rgb_convert: FIX(1.40200) = 91881, FIX(1.77200) = 116130, FIX(0.34414) = 22554,
// FIX(0.71414) = 46802 in 16-bit fixed point, ONE_HALF = 1 << 15; >> is an arithmetic shift.
FOVEA_HOST_DEVICE void convert_pixel(const YcbcrPlanes& p, int x, int y) {
  uint8_t* out = p.rgb + (static_cast<int64_t>(y) * p.width + x) * 3;
  const int luma = sample(p.y, p.y_pitch, x, y);
  if (p.cb == nullptr) {
    out[0] = out[1] = out[2] = static_cast<uint8_t>(luma);
    return;
  }
  const int cb = chroma_at(p, p.cb, x, y) - 128, cr = chroma_at(p, p.cr, x, y) - 128;
  out[0] = clamp_byte(luma + ((91881 * cr + 32768) >> 16));
  out[1] = clamp_byte(luma + ((-22554 * cb + 32768 - 46802 * cr) >> 16));
  out[2] = clamp_byte(luma + ((116130 * cb + 32768) >> 16));
}

}  // namespace fovea::kernels::ycbcr_detail
