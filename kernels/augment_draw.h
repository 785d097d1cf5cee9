// augment_draw (augment.h) as one host/device function, so that the CPU reference and the GPU kernel
// draw exactly the same augmentation for a sample.
#pragma once
#include "kernels/augment.h"
#include "kernels/random.h"

namespace fovea::kernels::augment_detail {

// One Philox block per output row b: v0, v1 the shift, v2's low bit the flip, v3's halves the cutout centre.
FOVEA_HOST_DEVICE AugmentDraw draw(const AugmentParams& p, int64_t row) {
  const Philox4 r = philox4x32(p.seed, p.step_offset + static_cast<uint64_t>(row));
  AugmentDraw d{0, 0, false, 0, 0};
  if (p.max_translate > 0) {
    const uint32_t span = static_cast<uint32_t>(2 * p.max_translate + 1);
    d.dy = static_cast<int64_t>(r.v[0] % span) - p.max_translate;
    d.dx = static_cast<int64_t>(r.v[1] % span) - p.max_translate;
  }
  d.flip = p.random_flip && (r.v[2] & 1u);
  if (p.cutout > 0) {
    const uint32_t out_h = static_cast<uint32_t>(p.height + 2 * p.pad), out_w = static_cast<uint32_t>(p.width + 2 * p.pad);
    d.cutout_y = static_cast<int64_t>((r.v[3] & 0xFFFFu) % out_h) - p.cutout / 2;
    d.cutout_x = static_cast<int64_t>((r.v[3] >> 16) % out_w) - p.cutout / 2;
  }
  return d;
}

FOVEA_HOST_DEVICE bool in_cutout(const AugmentParams& p, const AugmentDraw& d, int64_t y, int64_t x) {
  return p.cutout > 0 && y >= d.cutout_y && y < d.cutout_y + p.cutout && x >= d.cutout_x && x < d.cutout_x + p.cutout;
}

}  // namespace fovea::kernels::augment_detail
