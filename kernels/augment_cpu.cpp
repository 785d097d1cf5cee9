#include "kernels/augment.h"

#include "kernels/augment_draw.h"

namespace fovea::kernels {

AugmentDraw augment_draw(const AugmentParams& p, int64_t row) { return augment_detail::draw(p, row); }

void augment_cpu(const AugmentParams& p) {
  const int64_t out_h = p.height + 2 * p.pad, out_w = p.width + 2 * p.pad, C = p.channels;
  const int64_t plane = out_h * out_w;
  for (int64_t b = 0; b < p.batch; ++b) {
    const int64_t sample = p.indices ? p.indices[b] : b;
    const uint8_t* src = p.images + sample * p.height * p.width * C;
    float* dst = p.out + b * C * plane;
    const AugmentDraw d = augment_draw(p, b);
    for (int64_t y = 0; y < out_h; ++y) {
      const int64_t sy = y - p.pad - d.dy;
      for (int64_t x = 0; x < out_w; ++x) {
        const int64_t xx = d.flip ? out_w - 1 - x : x;
        const int64_t sx = xx - p.pad - d.dx;
        const bool inside = sy >= 0 && sy < p.height && sx >= 0 && sx < p.width;
        for (int64_t c = 0; c < C; ++c) {
          const float pixel = inside ? src[(sy * p.width + sx) * C + c] * (1.0f / 255.0f) : 0.0f;
          const float value =
              augment_detail::in_cutout(p, d, y, x) ? 0.0f : (pixel - p.mean[c]) * p.inv_std[c];
          if (p.channels_last) {
            dst[(y * out_w + x) * C + c] = value;
          } else {
            dst[c * plane + y * out_w + x] = value;
          }
        }
      }
    }
  }
}

}  // namespace fovea::kernels
