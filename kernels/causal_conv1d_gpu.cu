// GPU causal conv1d (see causal_conv1d.h); the CPU reference is causal_conv1d_cpu.cpp.
#include <stdexcept>

#include "kernels/gpu_portability.h"  // first: the vendor runtime defines the device keywords

#include "kernels/bf16.h"
#include "kernels/causal_conv1d.h"

namespace fovea::kernels {
namespace {

// A warp per (batch, channel) row: lanes walk the row 32 steps at a time, so reads and writes are
// coalesced and the (width - 1)-step halo comes from the L1 cache. dtype is a template parameter.
constexpr int kWarps = 8;
constexpr int kThreads = kWarps * FOVEA_WARP_SIZE;

template <typename T>
__device__ __forceinline__ float read(const void* base, int64_t i) {
  if constexpr (sizeof(T) == 4) {
    return static_cast<const float*>(base)[i];
  } else {
    return bf16_to_float(static_cast<const uint16_t*>(base)[i]);
  }
}

template <typename T>
__device__ __forceinline__ void write(void* base, int64_t i, float v) {
  if constexpr (sizeof(T) == 4) {
    static_cast<float*>(base)[i] = v;
  } else {
    static_cast<uint16_t*>(base)[i] = float_to_bf16(v);
  }
}

template <typename T>
__device__ __forceinline__ float pre_at(const CausalConv1dParams& p, const float* w, float bias, int64_t base, int64_t t) {
  float s = bias;
#pragma unroll
  for (int k = 0; k < 4; ++k) {
    const int64_t src = t - (p.width - 1) + k;
    if (k < p.width && src >= 0) s += w[k] * read<T>(p.x, base + src);
  }
  return s;
}

// Each lane first loads what kUnroll of its outputs need, then computes and stores them: x and out are
// plain pointers that may alias, so the compiler cannot move a later iteration's loads above a store, and
// one output at a time meant a full memory latency per output (50 % of copy bandwidth at best, 24 % for
// bf16); this way four loads are in flight per lane.
constexpr int kUnroll = 4;

template <typename T>
__global__ void __launch_bounds__(kThreads) conv_fwd_kernel(const CausalConv1dParams p) {
  const int lane = threadIdx.x % FOVEA_WARP_SIZE;
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarps + threadIdx.x / FOVEA_WARP_SIZE;
  if (row >= p.batch * p.dim) return;
  const int64_t d = row % p.dim, base = row * p.length;
  float w[4];
#pragma unroll
  for (int k = 0; k < 4; ++k) w[k] = k < p.width ? p.weight[d * p.width + k] : 0.0f;
  const float bias = p.bias ? p.bias[d] : 0.0f;
  for (int64_t t0 = lane; t0 < p.length; t0 += kUnroll * FOVEA_WARP_SIZE) {
    float pre[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t t = t0 + u * FOVEA_WARP_SIZE;
      pre[u] = t < p.length ? pre_at<T>(p, w, bias, base, t) : 0.0f;
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t t = t0 + u * FOVEA_WARP_SIZE;
      if (t < p.length) write<T>(p.out, base + t, p.silu ? pre[u] / (1.0f + __expf(-pre[u])) : pre[u]);
    }
  }
}

// Lanes compute d loss / d pre at t0 + lane; dx at s needs it at s .. s + width - 1, which the next
// lanes hold: windows advance by FOVEA_WARP_SIZE - 3 so that every dx has its neighbours in the warp.
template <typename T>
__global__ void __launch_bounds__(kThreads) conv_bwd_kernel(const CausalConv1dParams p, const CausalConv1dGrads g) {
  const int lane = threadIdx.x % FOVEA_WARP_SIZE;
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarps + threadIdx.x / FOVEA_WARP_SIZE;
  if (row >= p.batch * p.dim) return;  // whole warps leave together: rows are per warp
  const int64_t d = row % p.dim, base = row * p.length;
  float w[4], dw[4] = {0, 0, 0, 0}, dbias = 0.0f;
#pragma unroll
  for (int k = 0; k < 4; ++k) w[k] = k < p.width ? p.weight[d * p.width + k] : 0.0f;
  const float bias = p.bias ? p.bias[d] : 0.0f;
  // w reversed, with constant indices only (w[width - 1 - j] would put w in local memory).
  float w_reversed[4];
#pragma unroll
  for (int j = 0; j < 4; ++j) {
    w_reversed[j] = 0.0f;
#pragma unroll
    for (int k = 0; k < 4; ++k)
      if (k == p.width - 1 - j) w_reversed[j] = w[k];
  }
  constexpr int kStep = FOVEA_WARP_SIZE - 3;
  // kUnroll windows at a time: all their loads first (see conv_fwd_kernel), then shuffles and stores.
  for (int64_t first = 0; first < p.length; first += kUnroll * kStep) {
    float grad[kUnroll], xs[kUnroll][4];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t t = first + u * kStep + lane;
      grad[u] = 0.0f;
#pragma unroll
      for (int k = 0; k < 4; ++k) {
        const int64_t src = t - (p.width - 1) + k;
        xs[u][k] = k < p.width && src >= 0 && t < p.length ? read<T>(p.x, base + src) : 0.0f;
      }
      if (t < p.length) {
        const float dout = read<T>(g.dout, base + t);
        if (p.silu) {
          float pre = bias;
#pragma unroll
          for (int k = 0; k < 4; ++k)
            if (k < p.width && t - (p.width - 1) + k >= 0) pre += w[k] * xs[u][k];
          const float sg = 1.0f / (1.0f + __expf(-pre));
          grad[u] = dout * sg * (1.0f + pre * (1.0f - sg));
        } else {
          grad[u] = dout;
        }
      }
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t t = first + u * kStep + lane;
      // dx[t] = sum_j grad[t + j] * w[width - 1 - j]
      float dx = 0.0f;
#pragma unroll
      for (int j = 0; j < 4; ++j) {
        const float neighbour = gpu_shuffle_down(grad[u], j);
        if (j < p.width) dx += neighbour * w_reversed[j];
      }
      if (lane < kStep && t < p.length) {
        write<T>(g.dx, base + t, dx);
        dbias += grad[u];
#pragma unroll
        for (int k = 0; k < 4; ++k)
          if (k < p.width && t - (p.width - 1) + k >= 0) dw[k] += grad[u] * xs[u][k];
      }
    }
  }
#pragma unroll
  for (int k = 0; k < 4; ++k) dw[k] = gpu_warp_total(dw[k]);
  dbias = gpu_warp_total(dbias);
  if (lane == 0) {
    for (int64_t k = 0; k < p.width; ++k) atomicAdd(g.dweight + d * p.width + k, dw[k]);
    if (g.dbias) atomicAdd(g.dbias + d, dbias);
  }
}

unsigned blocks_for(const CausalConv1dParams& p) {
  return static_cast<unsigned>((p.batch * p.dim + kWarps - 1) / kWarps);
}

void check(const CausalConv1dParams& p) {
  if (p.width < 2 || p.width > 4) throw std::invalid_argument("causal conv1d: width must be 2..4");
}

}  // namespace

void causal_conv1d_fwd_gpu(const CausalConv1dParams& p, void* stream) {
  check(p);
  if (p.batch * p.dim == 0 || p.length == 0) return;
  const auto s = static_cast<gpuStream_t>(stream);
  if (p.dtype == ScanDType::F32) {
    conv_fwd_kernel<float><<<blocks_for(p), kThreads, 0, s>>>(p);
  } else {
    conv_fwd_kernel<uint16_t><<<blocks_for(p), kThreads, 0, s>>>(p);
  }
  check_launch("causal_conv1d_fwd");
}

void causal_conv1d_bwd_gpu(const CausalConv1dParams& p, const CausalConv1dGrads& g, void* stream) {
  check(p);
  if (p.batch * p.dim == 0 || p.length == 0) return;
  const auto s = static_cast<gpuStream_t>(stream);
  if (p.dtype == ScanDType::F32) {
    conv_bwd_kernel<float><<<blocks_for(p), kThreads, 0, s>>>(p, g);
  } else {
    conv_bwd_kernel<uint16_t><<<blocks_for(p), kThreads, 0, s>>>(p, g);
  }
  check_launch("causal_conv1d_bwd");
}

}  // namespace fovea::kernels
