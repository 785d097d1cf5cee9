// GPU version of augment_cpu (augment.h): the same draws and the same float formula, at close to the copy
// bandwidth. A block takes a group of whole samples (about 24 KiB of source bytes) through shared memory:
//   1. its threads copy the samples' bytes (gathered through `indices`) into shared memory with coalesced
//      16-byte loads, while one thread per sample makes that sample's Philox draw;
//   2. each sample's output is out_h * out_w * C contiguous floats in both layouts, so the group's output
//      is one contiguous range: each thread makes 4 consecutive floats (decoding channel, row and column
//      of the first with multiply-shift divisions), reads their bytes from shared memory and stores them
//      as one 16-byte store. When the 4 lie in one output row, as they always do where a row holds a
//      multiple of 4 floats, the row's checks are made once (row_values).
// Every load and store is full-width and coalesced whatever the shift or flip, and each source byte is
// read once. H200, 32x32x3, flip + translate 2, kernel alone: 85 % of the copy floor (NCHW, batch 50,000),
// 81 % (channels_last); reading the bytes from global memory per output pixel, as before, reached 43 %.
// Odd sizes take 1-byte loads or 1-float stores where 16-byte ones would be misaligned; samples too large
// for shared memory take augment_pixel_kernel, one thread per output pixel reading global memory.
#include <algorithm>

#include "kernels/gpu_portability.h"  // first: under HIP it brings __forceinline__ for the shared headers

#include "kernels/augment.h"
#include "kernels/augment_draw.h"
#include "kernels/augment_gpu.h"

namespace fovea::kernels {
namespace {

constexpr int kThreads = 256;
constexpr int64_t kGroupBytes = 24 * 1024;       // source bytes a block stages at once (several blocks per SM)
constexpr int64_t kMaxStagedBytes = 40 * 1024;   // one sample up to this size still goes through shared memory
constexpr int kMaxSamplesPerGroup = 64;          // for tiny images; each sample's draw takes one thread
constexpr int64_t kMaxGroupFloats = int64_t{1} << 30;  // keeps the flat float index of a group in an int
constexpr unsigned kMaxBlocks = 1u << 20;        // the grid strides over further groups
static_assert(kThreads >= kMaxSamplesPerGroup, "a thread draws each sample of the group");

// Division of numerators below 2^31 by a divisor fixed at launch, as a multiply-high, an add and a shift
// instead of a ~20-instruction integer division (Granlund & Montgomery, as in PyTorch's IntDivider).
struct FastDivisor {
  uint32_t multiplier = 1, shift = 0;

  FastDivisor() = default;
  explicit FastDivisor(uint32_t divisor) {
    while (shift < 32 && (uint64_t{1} << shift) < divisor) ++shift;
    multiplier = static_cast<uint32_t>((uint64_t{1} << 32) * ((uint64_t{1} << shift) - divisor) / divisor + 1);
  }
  __device__ __forceinline__ int operator()(int numerator) const {
    const uint32_t n = static_cast<uint32_t>(numerator);
    return static_cast<int>((__umulhi(n, multiplier) + n) >> shift);
  }
};

// The launch's sizes in 32 bits, and the divisors its index arithmetic needs.
struct GroupShape {
  int height, width, channels, out_h, out_w;
  int sample_bytes;         // height * width * channels: one staged source sample
  int sample_floats;        // out_h * out_w * channels: one sample's output
  int samples_per_group;
  bool vector_loads;        // sample_bytes and `images` allow 16-byte loads
  FastDivisor by_sample_floats, by_sample_vectors, by_sample_bytes, by_plane, by_channels, by_out_w;
};

// One sample's draw, made ready for the pixel loop: source row sy = y - row_shift, source column
// sx = column_base + column_step * x (the flip folded in), cutout rows [cut_y0, cut_y1) and columns
// [cut_x0, cut_x1) clipped to the output (empty without cutout).
struct alignas(16) SampleShift {  // (aligned: read from shared memory as two 16-byte loads)
  int row_shift, column_base, column_step;
  int cut_y0, cut_y1, cut_x0, cut_x1;
};

__device__ __forceinline__ int clamp_to(int64_t v, int64_t lo, int64_t hi) {
  return static_cast<int>(v < lo ? lo : v > hi ? hi : v);
}

__device__ SampleShift sample_shift(const AugmentParams& p, const GroupShape& g, int64_t row) {
  const AugmentDraw d = augment_detail::draw(p, row);
  // Shifts beyond the image only mean "every pixel outside": clamping them keeps the result and 32 bits.
  const int row_shift = clamp_to(p.pad + d.dy, -g.height, g.out_h);
  const int column_shift = clamp_to(p.pad + d.dx, -g.width, g.out_w);
  SampleShift s;
  s.row_shift = row_shift;
  s.column_base = d.flip ? g.out_w - 1 - column_shift : -column_shift;
  s.column_step = d.flip ? -1 : 1;
  const bool cut = p.cutout > 0;
  s.cut_y0 = cut ? clamp_to(d.cutout_y, 0, g.out_h) : 0;
  s.cut_y1 = cut ? clamp_to(d.cutout_y + p.cutout, 0, g.out_h) : 0;
  s.cut_x0 = cut ? clamp_to(d.cutout_x, 0, g.out_w) : 0;
  s.cut_x1 = cut ? clamp_to(d.cutout_x + p.cutout, 0, g.out_w) : 0;
  return s;
}

// Phase 1: the bytes of the group's `count` samples, back to back, into `staged`.
__device__ void stage_samples(const AugmentParams& p, const GroupShape& g, int64_t first, int count, uint8_t* staged) {
  if (g.vector_loads) {
    const int sample_vectors = g.sample_bytes / 16, vectors = count * sample_vectors;
    uint4* staged_vectors = reinterpret_cast<uint4*>(staged);
#pragma unroll 4
    for (int v = threadIdx.x; v < vectors; v += blockDim.x) {
      const int k = g.by_sample_vectors(v);
      const int64_t sample = p.indices ? p.indices[first + k] : first + k;
      const uint4* src = reinterpret_cast<const uint4*>(p.images + sample * g.sample_bytes);
      staged_vectors[v] = src[v - k * sample_vectors];
    }
  } else {
    const int bytes = count * g.sample_bytes;
#pragma unroll 4
    for (int i = threadIdx.x; i < bytes; i += blockDim.x) {
      const int k = g.by_sample_bytes(i);
      const int64_t sample = p.indices ? p.indices[first + k] : first + k;
      staged[i] = p.images[sample * g.sample_bytes + (i - k * g.sample_bytes)];
    }
  }
}

// The place of an output float in its sample: channel, output row and column.
struct OutputPosition {
  int c, y, x;
};

template <bool kChannelsLast>
__device__ __forceinline__ OutputPosition decode(const GroupShape& g, int offset) {
  OutputPosition at;
  int pixel;
  if (kChannelsLast) {  // [out_h][out_w][C]
    pixel = g.by_channels(offset);
    at.c = offset - pixel * g.channels;
  } else {  // [C][out_h][out_w]
    at.c = g.by_plane(offset);
    pixel = offset - at.c * (g.out_h * g.out_w);
  }
  at.y = g.by_out_w(pixel);
  at.x = pixel - at.y * g.out_w;
  return at;
}

// The position of the next float in memory order.
template <bool kChannelsLast>
__device__ __forceinline__ void advance(const GroupShape& g, OutputPosition& at) {
  if (kChannelsLast) {
    if (++at.c == g.channels) {
      at.c = 0;
      if (++at.x == g.out_w) at.x = 0, ++at.y;
    }
  } else if (++at.x == g.out_w) {
    at.x = 0;
    if (++at.y == g.out_h) at.y = 0, ++at.c;
  }
}

// augment_cpu's formula for one output float, the source byte read from shared memory. __fmul_rn keeps
// the scaling rounded on its own (no fused multiply-add with the mean), as on the CPU.
__device__ __forceinline__ float output_value(const GroupShape& g, const uint8_t* sample, const SampleShift& s,
                                              const float2* normalise, const OutputPosition& at) {
  const int sy = at.y - s.row_shift, sx = s.column_base + s.column_step * at.x;
  const bool inside = static_cast<unsigned>(sy) < static_cast<unsigned>(g.height) &&
                      static_cast<unsigned>(sx) < static_cast<unsigned>(g.width);
  const bool erased = at.y >= s.cut_y0 && at.y < s.cut_y1 && at.x >= s.cut_x0 && at.x < s.cut_x1;
  const unsigned byte = sample[inside ? (sy * g.width + sx) * g.channels + at.c : 0];
  const float pixel = __fmul_rn(static_cast<float>(inside ? byte : 0u), 1.0f / 255.0f);  // 0 * (1/255) == 0.0f
  const float2 mean_inv_std = normalise[at.c];
  return erased ? 0.0f : (pixel - mean_inv_std.x) * mean_inv_std.y;
}

// The 4 floats from `at` on when they lie in one output row (always, where a row holds a multiple of 4
// floats): the row's checks are made once, and the values are output_value's.
template <bool kChannelsLast>
__device__ __forceinline__ float4 row_values(const GroupShape& g, const uint8_t* sample, const SampleShift& s,
                                             const float2* normalise, OutputPosition at) {
  const int sy = at.y - s.row_shift;
  const bool row_inside = static_cast<unsigned>(sy) < static_cast<unsigned>(g.height);
  const unsigned columns_inside = row_inside ? g.width : 0;  // sx is inside when unsigned(sx) < columns_inside
  const unsigned cut_width = at.y >= s.cut_y0 && at.y < s.cut_y1 ? s.cut_x1 - s.cut_x0 : 0;  // erased columns
  const uint8_t* row = sample + (row_inside ? sy : 0) * g.width * g.channels;
  float values[4];
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    const int sx = s.column_base + s.column_step * at.x;
    const bool inside = static_cast<unsigned>(sx) < columns_inside;
    const bool erased = static_cast<unsigned>(at.x - s.cut_x0) < cut_width;
    const unsigned byte = row[(inside ? sx : 0) * g.channels + at.c];  // loaded either way: no predicated addressing
    const float pixel = __fmul_rn(static_cast<float>(inside ? byte : 0u), 1.0f / 255.0f);
    const float2 mean_inv_std = normalise[at.c];
    values[j] = erased ? 0.0f : (pixel - mean_inv_std.x) * mean_inv_std.y;
    if (!kChannelsLast) {
      ++at.x;
    } else if (++at.c == g.channels) {
      at.c = 0, ++at.x;
    }
  }
  return make_float4(values[0], values[1], values[2], values[3]);
}

// Phase 2: the group's output, kFloats consecutive floats per thread and step (4: one 16-byte store).
template <bool kChannelsLast, int kFloats>
__device__ void write_group(const AugmentParams& p, const GroupShape& g, int64_t first, int count, const uint8_t* staged,
                            const SampleShift* shifts, const float2* normalise) {
  float* out = p.out + first * g.sample_floats;
  const int floats = count * g.sample_floats;
  for (int f = threadIdx.x * kFloats; f < floats; f += blockDim.x * kFloats) {
    const int k = g.by_sample_floats(f);  // the kFloats floats lie in one sample: sample_floats % kFloats == 0
    const SampleShift s = shifts[k];
    const uint8_t* sample = staged + k * g.sample_bytes;
    OutputPosition at = decode<kChannelsLast>(g, f - k * g.sample_floats);
    if constexpr (kFloats == 4) {
      const bool in_one_row = kChannelsLast ? at.x * g.channels + at.c + 4 <= g.out_w * g.channels : at.x + 4 <= g.out_w;
      if (in_one_row) {  // (a float4 pointer indexed, not out + f cast: nvcc split the latter into 4 stores)
        reinterpret_cast<float4*>(out)[f / 4] = row_values<kChannelsLast>(g, sample, s, normalise, at);
        continue;
      }
    }
    float values[kFloats];
#pragma unroll
    for (int j = 0; j < kFloats; ++j) {
      values[j] = output_value(g, sample, s, normalise, at);
      advance<kChannelsLast>(g, at);
    }
    if constexpr (kFloats == 4) {
      reinterpret_cast<float4*>(out)[f / 4] = make_float4(values[0], values[1], values[2], values[3]);
    } else {
      static_assert(kFloats == 1, "stores are 16-byte vectors or single floats");
      out[f] = values[0];
    }
  }
}

template <bool kChannelsLast, int kFloats>
__global__ void __launch_bounds__(kThreads) augment_staged_kernel(const AugmentParams p, const GroupShape g) {
  extern __shared__ uint4 staged_storage[];  // samples_per_group * sample_bytes, 16-byte aligned
  uint8_t* staged = reinterpret_cast<uint8_t*>(staged_storage);
  __shared__ SampleShift shifts[kMaxSamplesPerGroup];
  __shared__ float2 normalise[4];
  if (threadIdx.x < 4) normalise[threadIdx.x] = make_float2(p.mean[threadIdx.x], p.inv_std[threadIdx.x]);
  const int64_t groups = (p.batch + g.samples_per_group - 1) / g.samples_per_group;
  for (int64_t group = blockIdx.x; group < groups; group += gridDim.x) {
    const int64_t first = group * g.samples_per_group;
    const int count = static_cast<int>(p.batch - first < g.samples_per_group ? p.batch - first : g.samples_per_group);
    if (static_cast<int>(threadIdx.x) < count) shifts[threadIdx.x] = sample_shift(p, g, first + threadIdx.x);
    stage_samples(p, g, first, count, staged);
    __syncthreads();
    write_group<kChannelsLast, kFloats>(p, g, first, count, staged, shifts, normalise);
    __syncthreads();  // the group's shared memory is read before the next group overwrites it
  }
}

// Fallback for samples larger than shared memory: one thread per output pixel and all its channels,
// kPixelSamples samples per block (one Philox latency serves their pixels), bytes read from global memory.
constexpr int kPixelSamples = 8;

__global__ void augment_pixel_kernel(const AugmentParams p) {
  const int out_h = static_cast<int>(p.height + 2 * p.pad), out_w = static_cast<int>(p.width + 2 * p.pad);
  const int C = static_cast<int>(p.channels), height = static_cast<int>(p.height), width = static_cast<int>(p.width);
  const int pixels = out_h * out_w;
  const int yx = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = yx / out_w, x = yx % out_w;
  __shared__ AugmentDraw draws[kPixelSamples];
  for (int64_t first = static_cast<int64_t>(blockIdx.y) * kPixelSamples; first < p.batch;
       first += static_cast<int64_t>(gridDim.y) * kPixelSamples) {
    const int count = static_cast<int>(p.batch - first < kPixelSamples ? p.batch - first : kPixelSamples);
    __syncthreads();  // the previous samples' draws are no longer read
    if (static_cast<int>(threadIdx.x) < count) draws[threadIdx.x] = augment_detail::draw(p, first + threadIdx.x);
    __syncthreads();
    if (yx >= pixels) continue;
    // Every sample's loads before any store: `out` may alias `images` as far as the compiler knows.
    float values[kPixelSamples][4];
#pragma unroll
    for (int k = 0; k < kPixelSamples; ++k) {
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
        const float pixel = c < C && inside ? __fmul_rn(src[c], 1.0f / 255.0f) : 0.0f;
        values[k][c] = erased ? 0.0f : (pixel - p.mean[c]) * p.inv_std[c];
      }
    }
#pragma unroll
    for (int k = 0; k < kPixelSamples; ++k) {
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

void launch_pixel_kernel(const AugmentParams& p, int64_t pixels, gpuStream_t stream) {
  constexpr int threads = 256;
  static_assert(threads >= kPixelSamples, "a thread draws each sample of the block");
  const int64_t sample_groups = (p.batch + kPixelSamples - 1) / kPixelSamples;
  const dim3 grid(static_cast<unsigned>((pixels + threads - 1) / threads), static_cast<unsigned>(std::min<int64_t>(sample_groups, 65535)));
  augment_pixel_kernel<<<grid, threads, 0, stream>>>(p);
  check_launch("augment_pixel_kernel");
}

template <bool kChannelsLast, int kFloats>
void launch_staged_kernel(const AugmentParams& p, const GroupShape& g, gpuStream_t stream) {
  const int64_t groups = (p.batch + g.samples_per_group - 1) / g.samples_per_group;
  const unsigned blocks = static_cast<unsigned>(std::min<int64_t>(groups, kMaxBlocks));
  const size_t staged_bytes = static_cast<size_t>(g.samples_per_group) * g.sample_bytes;
  augment_staged_kernel<kChannelsLast, kFloats><<<blocks, kThreads, staged_bytes, stream>>>(p, g);
  check_launch("augment_staged_kernel");
}

}  // namespace

void augment_gpu(const AugmentParams& p, void* stream) {
  const int64_t out_h = p.height + 2 * p.pad, out_w = p.width + 2 * p.pad;
  const int64_t pixels = out_h * out_w, sample_bytes = p.height * p.width * p.channels;
  if (p.batch == 0 || pixels == 0) return;
  const gpuStream_t gpu_stream = static_cast<gpuStream_t>(stream);
  const int64_t sample_floats = pixels * p.channels;
  if (sample_bytes == 0 || sample_bytes > kMaxStagedBytes || sample_floats > kMaxGroupFloats) {
    launch_pixel_kernel(p, pixels, gpu_stream);
    return;
  }
  GroupShape g;
  g.height = static_cast<int>(p.height), g.width = static_cast<int>(p.width), g.channels = static_cast<int>(p.channels);
  g.out_h = static_cast<int>(out_h), g.out_w = static_cast<int>(out_w);
  g.sample_bytes = static_cast<int>(sample_bytes), g.sample_floats = static_cast<int>(sample_floats);
  g.samples_per_group = static_cast<int>(std::clamp<int64_t>(
      std::min(kGroupBytes / sample_bytes, kMaxGroupFloats / sample_floats), 1, kMaxSamplesPerGroup));
  g.vector_loads = sample_bytes % 16 == 0 && reinterpret_cast<uintptr_t>(p.images) % 16 == 0;
  g.by_sample_floats = FastDivisor(g.sample_floats);
  g.by_sample_vectors = FastDivisor(std::max(g.sample_bytes / 16, 1));
  g.by_sample_bytes = FastDivisor(g.sample_bytes);
  g.by_plane = FastDivisor(g.out_h * g.out_w);
  g.by_channels = FastDivisor(g.channels);
  g.by_out_w = FastDivisor(g.out_w);
  const bool float4_stores = sample_floats % 4 == 0 && reinterpret_cast<uintptr_t>(p.out) % 16 == 0;
  if (p.channels_last) {
    float4_stores ? launch_staged_kernel<true, 4>(p, g, gpu_stream) : launch_staged_kernel<true, 1>(p, g, gpu_stream);
  } else {
    float4_stores ? launch_staged_kernel<false, 4>(p, g, gpu_stream) : launch_staged_kernel<false, 1>(p, g, gpu_stream);
  }
}

}  // namespace fovea::kernels
