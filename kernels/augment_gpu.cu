// GPU version of augment_cpu (augment.h): one thread per output pixel and all its channels, the same
// draws. A block covers a range of pixels of kSamplesPerBlock samples: their draws are made at once by
// as many threads and kept in shared memory, so one Philox latency serves 8 samples' pixels (with one
// sample per block, the draw's latency, not memory, set the pace: 30 % of the copy bandwidth). The pixel
// arithmetic stays in 32 bits (no 64-bit divisions per pixel).
#include <algorithm>

#include "kernels/gpu_portability.h"  // first: under HIP it brings __forceinline__ for the shared headers

#include "kernels/augment.h"
#include "kernels/augment_draw.h"
#include "kernels/augment_gpu.h"

namespace fovea::kernels {
namespace {

constexpr int kSamplesPerBlock = 8;

__global__ void augment_kernel(const AugmentParams p) {
  const int out_h = static_cast<int>(p.height + 2 * p.pad), out_w = static_cast<int>(p.width + 2 * p.pad);
  const int C = static_cast<int>(p.channels), height = static_cast<int>(p.height), width = static_cast<int>(p.width);
  const int pixels = out_h * out_w;
  const int yx = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = yx / out_w, x = yx % out_w;
  __shared__ AugmentDraw draws[kSamplesPerBlock];
  for (int64_t first = static_cast<int64_t>(blockIdx.y) * kSamplesPerBlock; first < p.batch;
       first += static_cast<int64_t>(gridDim.y) * kSamplesPerBlock) {
    const int count = static_cast<int>(p.batch - first < kSamplesPerBlock ? p.batch - first : kSamplesPerBlock);
    __syncthreads();  // the previous samples' draws are no longer read
    if (static_cast<int>(threadIdx.x) < count) draws[threadIdx.x] = augment_detail::draw(p, first + threadIdx.x);
    __syncthreads();
    if (yx >= pixels) continue;
    // Every sample's loads before any store: `out` may alias `images` as far as the compiler knows (uint8_t
    // may alias anything), so it would not move a sample's loads above the previous sample's stores, and
    // each sample would wait a full memory latency; this way the 8 loads are in flight together.
    float values[kSamplesPerBlock][4];
#pragma unroll
    for (int k = 0; k < kSamplesPerBlock; ++k) {
      if (k >= count) continue;  // (not break: HIP's compiler then cannot unroll, and `values` leaves registers)
      const int64_t b = first + k;
      const AugmentDraw d = draws[k];
      const int64_t sample = p.indices ? p.indices[b] : b;
      const bool erased = augment_detail::in_cutout(p, d, y, x);
      const int xx = d.flip ? out_w - 1 - x : x;
      const int sy = y - static_cast<int>(p.pad + d.dy), sx = xx - static_cast<int>(p.pad + d.dx);
      const bool inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
      const uint8_t* src = p.images + (sample * height * width + sy * width + sx) * C;
#pragma unroll
      for (int c = 0; c < 4; ++c) {
        const float pixel = c < C && inside ? src[c] * (1.0f / 255.0f) : 0.0f;
        values[k][c] = erased ? 0.0f : (pixel - p.mean[c]) * p.inv_std[c];
      }
    }
#pragma unroll
    for (int k = 0; k < kSamplesPerBlock; ++k) {
      if (k >= count) continue;
      const int64_t b = first + k;
#pragma unroll
      for (int c = 0; c < 4; ++c) {  // constant indices keep `values` in registers
        if (c >= C) continue;
        if (p.channels_last) {
          p.out[(b * pixels + yx) * C + c] = values[k][c];
        } else {
          p.out[(b * C + c) * pixels + yx] = values[k][c];
        }
      }
    }
  }
}

}  // namespace

void augment_gpu(const AugmentParams& p, void* stream) {
  const int64_t pixels = (p.height + 2 * p.pad) * (p.width + 2 * p.pad);
  if (p.batch == 0 || pixels == 0) return;
  constexpr int threads = 256;
  static_assert(threads >= kSamplesPerBlock, "a thread draws each sample of the block");
  const int64_t sample_groups = (p.batch + kSamplesPerBlock - 1) / kSamplesPerBlock;
  const dim3 grid(static_cast<unsigned>((pixels + threads - 1) / threads), static_cast<unsigned>(std::min<int64_t>(sample_groups, 65535)));
  augment_kernel<<<grid, threads, 0, static_cast<gpuStream_t>(stream)>>>(p);
  check_launch("augment_kernel");
}

}  // namespace fovea::kernels
