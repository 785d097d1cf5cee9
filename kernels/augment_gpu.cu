// GPU version of augment_cpu (augment.h): one thread per output pixel, all channels, same draws.
#include "kernels/augment.h"
#include "kernels/augment_gpu.h"
#include "kernels/gpu_portability.h"
#include "kernels/random.h"

namespace fovea::kernels {
namespace {

struct Draw {
  int dy, dx;
  bool flip;
};

__device__ __forceinline__ Draw draw_for(const AugmentParams& p, int64_t row) {
  const Philox4 r = philox4x32(p.seed, p.step_offset + static_cast<uint64_t>(row));
  Draw d{0, 0, false};
  if (p.max_translate > 0) {
    const uint32_t span = static_cast<uint32_t>(2 * p.max_translate + 1);
    d.dy = static_cast<int>(r.v[0] % span) - static_cast<int>(p.max_translate);
    d.dx = static_cast<int>(r.v[1] % span) - static_cast<int>(p.max_translate);
  }
  d.flip = p.random_flip && (r.v[2] & 1u);
  return d;
}

__global__ void augment_kernel(const AugmentParams p) {
  const int64_t out_h = p.height + 2 * p.pad, out_w = p.width + 2 * p.pad, C = p.channels;
  const int64_t pixels = out_h * out_w;
  const int64_t id = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (id >= p.batch * pixels) return;
  const int64_t b = id / pixels, yx = id % pixels, y = yx / out_w, x = yx % out_w;
  const int64_t sample = p.indices ? p.indices[b] : b;
  const Draw d = draw_for(p, b);
  const int64_t xx = d.flip ? out_w - 1 - x : x;
  const int64_t sy = y - p.pad - d.dy, sx = xx - p.pad - d.dx;
  const bool inside = sy >= 0 && sy < p.height && sx >= 0 && sx < p.width;
  const uint8_t* src = p.images + ((sample * p.height + sy) * p.width + sx) * C;
  for (int64_t c = 0; c < C; ++c) {
    const float pixel = inside ? src[c] * (1.0f / 255.0f) : 0.0f;
    const float value = (pixel - p.mean[c]) * p.inv_std[c];
    if (p.channels_last) {
      p.out[(b * pixels + yx) * C + c] = value;
    } else {
      p.out[(b * C + c) * pixels + yx] = value;
    }
  }
}

}  // namespace

void augment_gpu(const AugmentParams& p, void* stream) {
  const int64_t total = p.batch * (p.height + 2 * p.pad) * (p.width + 2 * p.pad);
  if (total == 0) return;
  constexpr int threads = 256;
  const int64_t blocks = (total + threads - 1) / threads;
  augment_kernel<<<static_cast<unsigned>(blocks), threads, 0, static_cast<gpuStream_t>(stream)>>>(p);
  check_launch("augment_kernel");
}

}  // namespace fovea::kernels
