// GPU fused BatchNorm + GELU (see batch_norm_gelu.h); the CPU reference is batch_norm_gelu_cpu.cpp.
// Every kernel gives a thread a fixed group of 4 channels (16 or 8 bytes) and walks rows:
// the `lanes` threads that cover a row's channels read it as one coalesced stretch, the block covers
// kThreads / lanes consecutive rows at a time, and the grid strides over the rest. Channel sums go
// register -> shared memory (a tree over the block's rows) -> one partial per block in global scratch ->
// a small kernel that adds the blocks' partials in double, many threads per channel.
#include <algorithm>
#include <type_traits>

#include "kernels/gpu_portability.h"  // first: the vendor runtime defines the device keywords

#include "kernels/batch_norm_gelu.h"
#include "kernels/batch_norm_gelu_point.h"
#include "kernels/bf16.h"

namespace fovea::kernels {
namespace {

constexpr int kThreads = 256;
constexpr int kRowPassesPerThread = 8;  // enough rows per thread to hide the first load's latency
constexpr int64_t kMaxBlocks = 512;     // about as many as an H200 keeps resident; partials stay few
constexpr int kMinBlocksPerSm = 3;      // caps registers at 85 a thread: memory-bound kernels need occupancy

constexpr int kVec = 4;                 // channels a thread: 16-byte (float32) or 8-byte (bf16) accesses; 8 bf16
                                        // channels would need more than 85 registers in the backward
template <int Vec>
constexpr int kUnroll = 4;              // rows whose loads a thread issues before using them

template <typename E, int Vec>
struct alignas(sizeof(E) * Vec) Pack {
  E v[Vec];
};

__device__ __forceinline__ float as_float(float v) { return v; }
__device__ __forceinline__ float as_float(uint16_t bits) { return bf16_to_float(bits); }

template <typename E>
__device__ __forceinline__ E from_float(float v) {
  if constexpr (std::is_same_v<E, float>) {
    return v;
  } else {
    return float_to_bf16(v);
  }
}

// How threads map onto a [rows, channels] tensor; the same for every kernel of one call.
struct Layout {
  int vec = 1;          // channels per thread
  int lanes = 1;        // threads across a row (a power of two)
  int64_t tiles = 1;    // blocks across the channels (gridDim.y), when a row is wider than kThreads groups
  int64_t blocks = 1;   // blocks along the rows (gridDim.x)
};

Layout layout_for(const BatchNormGeluParams& p) {
  Layout l;
  l.vec = p.channels % kVec == 0 ? kVec : 1;
  const int64_t groups = p.channels / l.vec;
  while (l.lanes < groups && l.lanes < kThreads) l.lanes *= 2;
  l.tiles = (groups + l.lanes - 1) / l.lanes;
  const int64_t rows_per_pass = kThreads / l.lanes;
  const int64_t passes = (p.rows + rows_per_pass - 1) / rows_per_pass;
  l.blocks = std::clamp<int64_t>((passes + kRowPassesPerThread - 1) / kRowPassesPerThread, 1, kMaxBlocks);
  return l;
}

// The thread's place: its channel group and its first row; rows then advance by `row_step`.
struct Place {
  int lane, sub;
  int64_t channel, row, row_step;
  bool active;
};

__device__ __forceinline__ Place place(const BatchNormGeluParams& p, int lanes, int vec) {
  Place at;
  at.lane = threadIdx.x & (lanes - 1);
  at.sub = threadIdx.x / lanes;
  const int64_t group = static_cast<int64_t>(blockIdx.y) * lanes + at.lane;
  at.channel = group * vec;
  at.active = at.channel < p.channels;
  const int rows_per_pass = kThreads / lanes;
  at.row = static_cast<int64_t>(blockIdx.x) * rows_per_pass + at.sub;
  at.row_step = static_cast<int64_t>(gridDim.x) * rows_per_pass;
  return at;
}

template <int Vec>
__device__ __forceinline__ void load_channels(const BatchNormGeluParams& p, int64_t c0, bn_gelu::Channel (&ch)[Vec]) {
#pragma unroll
  for (int j = 0; j < Vec; ++j)
    ch[j] = {p.mean[c0 + j], p.invstd[c0 + j], p.weight ? p.weight[c0 + j] : 1.0f, p.bias ? p.bias[c0 + j] : 0.0f};
}

// The packs of rows r, r + step, ... (kUnroll of them, those below `rows`) at `channel`: all loads issued
// before any is used.
template <typename E, int Vec>
__device__ __forceinline__ void load_rows(const E* base, int64_t r, int64_t step, int64_t rows, int64_t C,
                                          int64_t channel, Pack<E, Vec> (&out)[kUnroll<Vec>]) {
#pragma unroll
  for (int u = 0; u < kUnroll<Vec>; ++u) {
    const int64_t row = r + u * step;
    if (row < rows) out[u] = *reinterpret_cast<const Pack<E, Vec>*>(base + row * C + channel);
  }
}

// Sums over rows of each channel, two at a time: (x - shift, (x - shift)^2) for the statistics (shifted by
// the first row's value, so that a large mean does not cancel the variance away), (dz, dz * xhat) for the
// backward. Writes the block's partials to partials[(blockIdx.x * 2 + k) * channels + c].
template <typename E, int Vec, bool Backward>
__global__ void __launch_bounds__(kThreads, kMinBlocksPerSm)
    channel_sums_kernel(const BatchNormGeluParams p, const BatchNormGeluGrads g, int lanes, float* partials) {
  __shared__ float shared[2][kThreads * Vec];
  const Place at = place(p, lanes, Vec);
  const int64_t C = p.channels;
  const E* input = static_cast<const E*>(p.input);
  const E* grad_output = static_cast<const E*>(g.grad_output);
  float first[Vec], second[Vec], shift[Vec];
  bn_gelu::Channel ch[Vec];
#pragma unroll
  for (int j = 0; j < Vec; ++j) first[j] = second[j] = shift[j] = 0.0f;
  if (at.active) {
    if constexpr (Backward) {
      load_channels<Vec>(p, at.channel, ch);
    } else {
      const Pack<E, Vec> row0 = *reinterpret_cast<const Pack<E, Vec>*>(input + at.channel);
#pragma unroll
      for (int j = 0; j < Vec; ++j) shift[j] = as_float(row0.v[j]);
    }
    for (int64_t r = at.row; r < p.rows; r += kUnroll<Vec> * at.row_step) {
      Pack<E, Vec> x[kUnroll<Vec>], dy[kUnroll<Vec>];
      load_rows<E, Vec>(input, r, at.row_step, p.rows, C, at.channel, x);
      if constexpr (Backward) load_rows<E, Vec>(grad_output, r, at.row_step, p.rows, C, at.channel, dy);
#pragma unroll
      for (int u = 0; u < kUnroll<Vec>; ++u) {
        if (r + u * at.row_step >= p.rows) break;
#pragma unroll
        for (int j = 0; j < Vec; ++j) {
          const float xv = as_float(x[u].v[j]);
          if constexpr (Backward) {
            const float dz = as_float(dy[u].v[j]) * bn_gelu::gelu_derivative(bn_gelu::pre_activation(ch[j], xv));
            first[j] += dz;
            second[j] += dz * bn_gelu::normalized(ch[j], xv);
          } else {
            const float d = xv - shift[j];
            first[j] += d;
            second[j] += d * d;
          }
        }
      }
    }
  }
#pragma unroll
  for (int j = 0; j < Vec; ++j) {
    shared[0][threadIdx.x * Vec + j] = first[j];
    shared[1][threadIdx.x * Vec + j] = second[j];
  }
  __syncthreads();
  for (int stride = kThreads / lanes / 2; stride > 0; stride /= 2) {
    if (at.sub < stride) {
      const int mine = threadIdx.x * Vec, theirs = (threadIdx.x + stride * lanes) * Vec;
#pragma unroll
      for (int j = 0; j < Vec; ++j) {
        shared[0][mine + j] += shared[0][theirs + j];
        shared[1][mine + j] += shared[1][theirs + j];
      }
    }
    __syncthreads();
  }
  if (at.sub == 0 && at.active) {
#pragma unroll
    for (int j = 0; j < Vec; ++j) {
      partials[(blockIdx.x * 2 + 0) * C + at.channel + j] = shared[0][at.lane * Vec + j];
      partials[(blockIdx.x * 2 + 1) * C + at.channel + j] = shared[1][at.lane * Vec + j];
    }
  }
}

// The blocks' partials of each channel added in double by a block of kThreads: kFinishChannels consecutive
// channels (coalesced reads) times kThreads / kFinishChannels slices of the blocks, the slices then added in
// shared memory. Leaves the two sums in *first and *second of the slice-0 threads (returns false elsewhere).
constexpr int kFinishChannels = 8;
constexpr int kFinishSlices = kThreads / kFinishChannels;

__device__ __forceinline__ bool add_partials(const float* partials, int64_t blocks, int64_t C, int64_t* channel,
                                             double* first, double* second) {
  __shared__ double shared[2][kFinishSlices][kFinishChannels];
  const int lane = threadIdx.x % kFinishChannels, slice = threadIdx.x / kFinishChannels;
  const int64_t c = static_cast<int64_t>(blockIdx.x) * kFinishChannels + lane;
  double a = 0.0, b = 0.0;
  if (c < C) {
#pragma unroll 4
    for (int64_t block = slice; block < blocks; block += kFinishSlices) {
      a += partials[(block * 2 + 0) * C + c];
      b += partials[(block * 2 + 1) * C + c];
    }
  }
  shared[0][slice][lane] = a;
  shared[1][slice][lane] = b;
  __syncthreads();
  if (slice != 0 || c >= C) return false;
  for (int s = 1; s < kFinishSlices; ++s) {
    a += shared[0][s][lane];
    b += shared[1][s][lane];
  }
  *channel = c;
  *first = a;
  *second = b;
  return true;
}

unsigned finish_blocks(const BatchNormGeluParams& p) {
  return static_cast<unsigned>((p.channels + kFinishChannels - 1) / kFinishChannels);
}

template <typename E>
__global__ void __launch_bounds__(kThreads)
    statistics_finish_kernel(const BatchNormGeluParams p, const float* partials, int64_t blocks) {
  int64_t c;
  double shifted_sum, shifted_squares;
  if (!add_partials(partials, blocks, p.channels, &c, &shifted_sum, &shifted_squares)) return;
  const double rows = static_cast<double>(p.rows), shifted_mean = shifted_sum / rows;
  const double variance = fmax(shifted_squares / rows - shifted_mean * shifted_mean, 0.0);
  const double mean = as_float(static_cast<const E*>(p.input)[c]) + shifted_mean;
  p.mean[c] = static_cast<float>(mean);
  p.invstd[c] = static_cast<float>(rsqrt(variance + p.eps));
  if (p.running_mean) p.running_mean[c] = static_cast<float>((1.0 - p.momentum) * p.running_mean[c] + p.momentum * mean);
  if (p.running_var) {
    const double unbiased = p.rows > 1 ? variance * rows / (rows - 1.0) : variance;
    p.running_var[c] = static_cast<float>((1.0 - p.momentum) * p.running_var[c] + p.momentum * unbiased);
  }
}

__global__ void __launch_bounds__(kThreads)
    gradient_sums_finish_kernel(const BatchNormGeluParams p, const BatchNormGeluGrads g, const float* partials,
                                int64_t blocks) {
  int64_t c;
  double sum_dz, sum_dz_xhat;
  if (!add_partials(partials, blocks, p.channels, &c, &sum_dz, &sum_dz_xhat)) return;
  g.grad_bias[c] = static_cast<float>(sum_dz);
  g.grad_weight[c] = static_cast<float>(sum_dz_xhat);
}

template <typename E, int Vec>
__global__ void __launch_bounds__(kThreads, kMinBlocksPerSm) forward_kernel(const BatchNormGeluParams p, int lanes) {
  const Place at = place(p, lanes, Vec);
  if (!at.active) return;
  const int64_t C = p.channels;
  bn_gelu::Channel ch[Vec];
  load_channels<Vec>(p, at.channel, ch);
  const E* input = static_cast<const E*>(p.input);
  E* output = static_cast<E*>(p.output);
  for (int64_t r = at.row; r < p.rows; r += kUnroll<Vec> * at.row_step) {
    Pack<E, Vec> x[kUnroll<Vec>];
    load_rows<E, Vec>(input, r, at.row_step, p.rows, C, at.channel, x);
#pragma unroll
    for (int u = 0; u < kUnroll<Vec>; ++u) {
      const int64_t row = r + u * at.row_step;
      if (row >= p.rows) break;
      Pack<E, Vec> y;
#pragma unroll
      for (int j = 0; j < Vec; ++j) y.v[j] = from_float<E>(bn_gelu::gelu(bn_gelu::pre_activation(ch[j], as_float(x[u].v[j]))));
      *reinterpret_cast<Pack<E, Vec>*>(output + row * C + at.channel) = y;
    }
  }
}

template <typename E, int Vec>
__global__ void __launch_bounds__(kThreads, kMinBlocksPerSm)
    input_gradient_kernel(const BatchNormGeluParams p, const BatchNormGeluGrads g, int lanes) {
  const Place at = place(p, lanes, Vec);
  if (!at.active) return;
  const int64_t C = p.channels;
  bn_gelu::Channel ch[Vec];
  load_channels<Vec>(p, at.channel, ch);
  float mean_dz[Vec], mean_dz_xhat[Vec];
  const float rows = static_cast<float>(p.rows);
#pragma unroll
  for (int j = 0; j < Vec; ++j) {
    mean_dz[j] = g.batch_statistics ? g.grad_bias[at.channel + j] / rows : 0.0f;
    mean_dz_xhat[j] = g.batch_statistics ? g.grad_weight[at.channel + j] / rows : 0.0f;
  }
  const E* input = static_cast<const E*>(p.input);
  const E* grad_output = static_cast<const E*>(g.grad_output);
  E* grad_input = static_cast<E*>(g.grad_input);
  for (int64_t r = at.row; r < p.rows; r += kUnroll<Vec> * at.row_step) {
    Pack<E, Vec> x[kUnroll<Vec>], dy[kUnroll<Vec>];
    load_rows<E, Vec>(input, r, at.row_step, p.rows, C, at.channel, x);
    load_rows<E, Vec>(grad_output, r, at.row_step, p.rows, C, at.channel, dy);
#pragma unroll
    for (int u = 0; u < kUnroll<Vec>; ++u) {
      const int64_t row = r + u * at.row_step;
      if (row >= p.rows) break;
      Pack<E, Vec> dx;
#pragma unroll
      for (int j = 0; j < Vec; ++j) {
        const float xv = as_float(x[u].v[j]);
        const float dz = as_float(dy[u].v[j]) * bn_gelu::gelu_derivative(bn_gelu::pre_activation(ch[j], xv));
        dx.v[j] = from_float<E>(bn_gelu::input_gradient(ch[j], xv, dz, mean_dz[j], mean_dz_xhat[j]));
      }
      *reinterpret_cast<Pack<E, Vec>*>(grad_input + row * C + at.channel) = dx;
    }
  }
}

// Calls launch(E{}, std::integral_constant<int, Vec>{}) for the call's element type and vector width.
template <typename Launch>
void dispatch(const BatchNormGeluParams& p, const Layout& l, Launch&& launch) {
  if (p.bf16) {
    l.vec == kVec ? launch(uint16_t{}, std::integral_constant<int, kVec>{}) : launch(uint16_t{}, std::integral_constant<int, 1>{});
  } else {
    l.vec == kVec ? launch(float{}, std::integral_constant<int, kVec>{}) : launch(float{}, std::integral_constant<int, 1>{});
  }
}

dim3 grid_of(const Layout& l) { return dim3(static_cast<unsigned>(l.blocks), static_cast<unsigned>(l.tiles)); }

}  // namespace

size_t batch_norm_gelu_scratch_floats(const BatchNormGeluParams& p) {
  return static_cast<size_t>(layout_for(p).blocks * 2 * p.channels);
}

void batch_norm_gelu_statistics_gpu(const BatchNormGeluParams& p, float* scratch, void* stream) {
  if (p.rows == 0 || p.channels == 0) return;
  const Layout l = layout_for(p);
  const auto s = static_cast<gpuStream_t>(stream);
  dispatch(p, l, [&](auto element, auto vec) {
    using E = decltype(element);
    channel_sums_kernel<E, decltype(vec)::value, false><<<grid_of(l), kThreads, 0, s>>>(p, BatchNormGeluGrads{}, l.lanes, scratch);
    check_launch("channel_sums_kernel");
    statistics_finish_kernel<E><<<finish_blocks(p), kThreads, 0, s>>>(p, scratch, l.blocks);
    check_launch("statistics_finish_kernel");
  });
}

void batch_norm_gelu_forward_gpu(const BatchNormGeluParams& p, void* stream) {
  if (p.rows == 0 || p.channels == 0) return;
  const Layout l = layout_for(p);
  dispatch(p, l, [&](auto element, auto vec) {
    forward_kernel<decltype(element), decltype(vec)::value>
        <<<grid_of(l), kThreads, 0, static_cast<gpuStream_t>(stream)>>>(p, l.lanes);
    check_launch("forward_kernel");
  });
}

void batch_norm_gelu_backward_gpu(const BatchNormGeluParams& p, const BatchNormGeluGrads& g, float* scratch,
                                  void* stream) {
  if (p.rows == 0 || p.channels == 0) return;
  const Layout l = layout_for(p);
  const auto s = static_cast<gpuStream_t>(stream);
  dispatch(p, l, [&](auto element, auto vec) {
    using E = decltype(element);
    constexpr int Vec = decltype(vec)::value;
    channel_sums_kernel<E, Vec, true><<<grid_of(l), kThreads, 0, s>>>(p, g, l.lanes, scratch);
    check_launch("channel_sums_kernel");
    gradient_sums_finish_kernel<<<finish_blocks(p), kThreads, 0, s>>>(p, g, scratch, l.blocks);
    check_launch("gradient_sums_finish_kernel");
    input_gradient_kernel<E, Vec><<<grid_of(l), kThreads, 0, s>>>(p, g, l.lanes);
    check_launch("input_gradient_kernel");
  });
}

}  // namespace fovea::kernels
