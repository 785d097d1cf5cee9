// Fused batch preparation for data sets held in memory as uint8 NHWC images: gather the batch's
// samples, apply a random translate (pad-and-crop) and horizontal flip per sample, and write
// normalized float32 in NCHW or NHWC (channels_last) order, in one pass over the pixels.
#pragma once
#include <cstdint>

namespace fovea::kernels {

struct AugmentParams {
  const uint8_t* images = nullptr;    // [count, height, width, channels], contiguous
  const int64_t* indices = nullptr;   // [batch] sample ids to gather; nullptr means 0..batch-1
  float* out = nullptr;               // [batch, channels, out_h, out_w] or [batch, out_h, out_w, channels]
  int64_t batch = 0;
  int64_t height = 0, width = 0, channels = 0;
  int64_t pad = 0;                    // output is (height, width) grown by `pad` on every side, then zero-filled
  int64_t max_translate = 0;          // random shift in [-max_translate, max_translate] pixels per axis
  bool random_flip = false;           // horizontal flip with probability 1/2
  int64_t cutout = 0;                 // side of a square set to 0 after normalising (the mean), centred on a
                                      // random output pixel and clipped at the edges (DeVries & Taylor); 0: none
  bool channels_last = false;
  float mean[4] = {0, 0, 0, 0};       // per channel, in [0, 1] pixel units
  float inv_std[4] = {1, 1, 1, 1};
  uint64_t seed = 0;                  // the draw for output row b uses counter (step_offset + b)
  uint64_t step_offset = 0;
};

// The per-sample draw shared by every implementation: shift (dy, dx), flip, and the cutout square's first
// output row and column (it covers [cutout_y, cutout_y + cutout) x [cutout_x, cutout_x + cutout)).
struct AugmentDraw {
  int64_t dy, dx;
  bool flip;
  int64_t cutout_y, cutout_x;
};
AugmentDraw augment_draw(const AugmentParams& p, int64_t row);

// Plain C++ reference, also used for training on the CPU.
void augment_cpu(const AugmentParams& p);

}  // namespace fovea::kernels
