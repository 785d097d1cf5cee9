// The selective scan of one channel (b, d), forward and backward, written once for the CPU reference
// and the GPU kernels. The backward recomputes states chunk by chunk from the states that entered each
// chunk (saved by the forward pass), so it needs O(length / chunk + chunk) floats per channel, not O(length).
#pragma once
#include <math.h>

#if defined(__CUDACC__) || defined(__HIPCC__)
#include "kernels/gpu_portability.h"  // FOVEA_WARP_SIZE, atomics and shuffles in device code
#endif

#include "kernels/bf16.h"
#include "kernels/selective_scan.h"

namespace fovea::kernels::scan_detail {

#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
#define FOVEA_SCAN_DEVICE_PASS 1
FOVEA_HOST_DEVICE void accumulate(float* target, float value) { atomicAdd(target, value); }
FOVEA_HOST_DEVICE float fast_exp(float x) { return __expf(x); }

// Adds `value` of every lane of the warp into *target with one atomic, when all lanes of the warp
// target the same address (`warp_uniform`: channels of one batch row and one group); otherwise one
// atomic per lane. Must be reached by all lanes of the warp together.
FOVEA_HOST_DEVICE void accumulate_across_warp(float* target, float value, bool warp_uniform) {
  if (!warp_uniform) {
    atomicAdd(target, value);
    return;
  }
  value = gpu_warp_total(value);
  if (threadIdx.x % FOVEA_WARP_SIZE == 0) atomicAdd(target, value);
}
#else
FOVEA_HOST_DEVICE void accumulate(float* target, float value) { *target += value; }
FOVEA_HOST_DEVICE float fast_exp(float x) { return expf(x); }
FOVEA_HOST_DEVICE void accumulate_across_warp(float* target, float value, bool) { *target += value; }
#endif

FOVEA_HOST_DEVICE float load(ScanDType type, const void* base, int64_t i) {
  return type == ScanDType::F32 ? static_cast<const float*>(base)[i] : bf16_to_float(static_cast<const uint16_t*>(base)[i]);
}

FOVEA_HOST_DEVICE void store(ScanDType type, void* base, int64_t i, float value) {
  if (type == ScanDType::F32) {
    static_cast<float*>(base)[i] = value;
  } else {
    static_cast<uint16_t*>(base)[i] = float_to_bf16(value);
  }
}

FOVEA_HOST_DEVICE float softplus(float x) { return x <= 20.0f ? log1pf(expf(x)) : x; }
FOVEA_HOST_DEVICE float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

struct Channel {
  int64_t io;  // offset of (b, d, 0) in u / delta / z / out
  int64_t bc;  // offset of (b, g, 0, 0) in B / C
  int64_t d;
};

FOVEA_HOST_DEVICE Channel channel(const SelectiveScanParams& p, int64_t b, int64_t d) {
  const int64_t g = d / (p.dim / p.groups);
  return {(b * p.dim + d) * p.length, (b * p.groups + g) * p.state * p.length, d};
}

FOVEA_HOST_DEVICE float step_dt(const SelectiveScanParams& p, const Channel& c, int64_t t, float bias, float* raw) {
  const float r = load(p.dtype, p.delta, c.io + t) + bias;
  *raw = r;
  return p.delta_softplus ? softplus(r) : r;
}

// Runs the recurrence over [t_begin, t_end) from state h. Writes out / last state when asked
// (forward pass), records the state entering each chunk in chunk_starts (if given), and the state after
// each step in states[(t - t_begin) * MaxN + n] (if given).
// Buffers are strided by `stride` floats (1 on the CPU; the thread count on the GPU, so that the
// threads of a warp touch consecutive addresses: no shared-memory bank conflicts, coalesced scratch).
template <int MaxN>
FOVEA_HOST_DEVICE void run_steps(const SelectiveScanParams& p, const Channel& c, int64_t t_begin, int64_t t_end,
                                 float* h, bool write_out, int64_t chunk, float* chunk_starts, float* states,
                                 int64_t stride = 1) {
  const int64_t N = p.state, L = p.length;
  const float bias = p.delta_bias ? p.delta_bias[c.d] : 0.0f;
  const float Dd = p.D ? p.D[c.d] : 0.0f;
  float a[MaxN];
  for (int n = 0; n < MaxN; ++n) a[n] = n < N ? p.A[c.d * N + n] : 0.0f;
  for (int64_t t = t_begin; t < t_end; ++t) {
    if (chunk_starts && t % chunk == 0) {
      for (int n = 0; n < MaxN; ++n) if (n < N) chunk_starts[((t / chunk) * N + n) * stride] = h[n];
    }
    float raw;
    const float dt = step_dt(p, c, t, bias, &raw);
    const float x = load(p.dtype, p.u, c.io + t);
    float y = 0.0f;
    for (int n = 0; n < MaxN; ++n) {
      if (n < N) {
        const float Bn = load(p.dtype, p.B, c.bc + n * L + t), Cn = load(p.dtype, p.C, c.bc + n * L + t);
        h[n] = fast_exp(dt * a[n]) * h[n] + dt * Bn * x;
        y += Cn * h[n];
        if (states) states[((t - t_begin) * MaxN + n) * stride] = h[n];
      }
    }
    if (write_out) {
      y += Dd * x;
      if (p.z) {
        const float z = load(p.dtype, p.z, c.io + t);
        y *= z * sigmoid(z);
      }
      store(p.dtype, p.out, c.io + t, y);
    }
  }
}

template <int MaxN>
FOVEA_HOST_DEVICE void forward_channel(const SelectiveScanParams& p, int64_t b, int64_t d) {
  const Channel c = channel(p, b, d);
  float h[MaxN];
  for (int n = 0; n < MaxN; ++n) h[n] = 0.0f;
  run_steps<MaxN>(p, c, 0, p.length, h, true, 1, nullptr, nullptr);
  if (p.last_state) {
    for (int n = 0; n < MaxN; ++n) if (n < p.state) p.last_state[(b * p.dim + d) * p.state + n] = h[n];
  }
}

// chunk_starts: ceil(length / chunk) * state floats; states: chunk * MaxN floats (per channel), both
// strided by `stride` (see run_steps).
// `active` false: a padding lane (d clamped to a real channel) that runs along so that warp-wide
// reductions see every lane, contributes zero and stores nothing.
template <int MaxN>
FOVEA_HOST_DEVICE void backward_channel(const SelectiveScanParams& p, const SelectiveScanGrads& g, int64_t b, int64_t d,
                                        int64_t chunk, float* chunk_starts, float* states, bool active = true,
                                        bool warp_uniform = false, int64_t stride = 1) {
  const Channel c = channel(p, b, d);
  const int64_t N = p.state, L = p.length;
  float h[MaxN], a[MaxN], dh[MaxN], dA[MaxN];
  for (int n = 0; n < MaxN; ++n) {
    h[n] = 0.0f;
    dh[n] = 0.0f;
    dA[n] = 0.0f;
    a[n] = n < N ? p.A[d * N + n] : 0.0f;
  }
  run_steps<MaxN>(p, c, 0, L, h, false, chunk, chunk_starts, nullptr, stride);  // the state entering each chunk

  const float bias = p.delta_bias ? p.delta_bias[d] : 0.0f;
  const float Dd = p.D ? p.D[d] : 0.0f;
  float dD = 0.0f, dbias = 0.0f;
  const int64_t chunks = (L + chunk - 1) / chunk;
  for (int64_t k = chunks - 1; k >= 0; --k) {
    const int64_t t0 = k * chunk, t1 = t0 + chunk < L ? t0 + chunk : L;
    for (int n = 0; n < MaxN; ++n) h[n] = n < N ? chunk_starts[(k * N + n) * stride] : 0.0f;
    run_steps<MaxN>(p, c, t0, t1, h, false, chunk, nullptr, states, stride);  // states after each step of the chunk
    for (int64_t t = t1 - 1; t >= t0; --t) {
      float raw;
      const float dt = step_dt(p, c, t, bias, &raw);
      const float x = load(p.dtype, p.u, c.io + t);
      const float dout = active ? load(p.dtype, g.dout, c.io + t) : 0.0f;
      const float* h_t = states + (t - t0) * MaxN * stride;
      const float* h_prev = t > t0 ? states + (t - t0 - 1) * MaxN * stride : nullptr;
      float dy = dout;
      if (p.z) {
        float y = Dd * x;
        for (int n = 0; n < MaxN; ++n) if (n < N) y += load(p.dtype, p.C, c.bc + n * L + t) * h_t[n * stride];
        const float z = load(p.dtype, p.z, c.io + t), s = sigmoid(z);
        if (active) store(p.dtype, g.dz, c.io + t, dout * y * s * (1.0f + z * (1.0f - s)));
        dy = dout * z * s;
      }
      dD += dy * x;
      float dx = dy * Dd, ddt = 0.0f;
      for (int n = 0; n < MaxN; ++n) {
        if (n < N) {
          const float Bn = load(p.dtype, p.B, c.bc + n * L + t), Cn = load(p.dtype, p.C, c.bc + n * L + t);
          const float prev = h_prev ? h_prev[n * stride] : chunk_starts[(k * N + n) * stride];
          const float decay = fast_exp(dt * a[n]);
          const float grad_h = dh[n] + dy * Cn;  // d loss / d h_t
          accumulate_across_warp(g.dC + c.bc + n * L + t, dy * h_t[n * stride], warp_uniform);
          accumulate_across_warp(g.dB + c.bc + n * L + t, grad_h * dt * x, warp_uniform);
          dx += grad_h * dt * Bn;
          ddt += grad_h * (Bn * x + prev * decay * a[n]);
          dA[n] += grad_h * prev * decay * dt;
          dh[n] = grad_h * decay;  // flows to h_{t-1}
        }
      }
      const float draw = p.delta_softplus ? (raw <= 20.0f ? ddt * sigmoid(raw) : ddt) : ddt;
      dbias += draw;
      if (active) {
        store(p.dtype, g.ddelta, c.io + t, draw);
        store(p.dtype, g.du, c.io + t, dx);
      }
    }
  }
  if (!active) return;
  for (int n = 0; n < MaxN; ++n) if (n < N) accumulate(g.dA + d * N + n, dA[n]);
  if (p.D) accumulate(g.dD + d, dD);
  if (p.delta_bias) accumulate(g.ddelta_bias + d, dbias);
}

}  // namespace fovea::kernels::scan_detail
