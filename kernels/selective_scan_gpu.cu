// GPU selective scan: the recurrence in registers, two threads per channel (b, d) with half its states each;
// the backward recomputes states per chunk into shared memory (see selective_scan_channel.h). Channel groups
// that do not fill a block take the untiled kernels, a thread per channel.
#include <stdexcept>
#include <type_traits>

#include "kernels/gpu_portability.h"
#include "kernels/selective_scan.h"
#include "kernels/selective_scan_channel.h"

namespace fovea::kernels {
namespace {

constexpr int kThreads = 64;

// Steps recomputed per chunk in the backward: 128 floats of shared memory per thread (32 KB a block).
template <int MaxN>
constexpr int64_t kChunk = 128 / MaxN;

// Grid: x = blocks of kThreads channels, y = batch row; so a warp never spans two batch rows.
template <int MaxN>
__global__ void __launch_bounds__(kThreads) scan_fwd_kernel(const SelectiveScanParams p) {
  const int64_t d = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (d >= p.dim) return;
  scan_detail::forward_channel<MaxN>(p, blockIdx.y, d);
}

template <int MaxN>
__global__ void __launch_bounds__(kThreads) scan_bwd_kernel(const SelectiveScanParams p, const SelectiveScanGrads g,
                                                            float* scratch, bool warp_uniform) {
  constexpr int64_t chunk = kChunk<MaxN>;
  __shared__ float states[kThreads * chunk * MaxN];
  const int64_t d = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x, b = blockIdx.y;
  const bool active = d < p.dim;
  const int64_t channel = active ? d : p.dim - 1;  // padding lanes shadow the last channel
  const int64_t chunks = (p.length + chunk - 1) / chunk;
  // Each block owns kThreads * chunks * state floats of scratch (padding lanes too), interleaved by thread.
  const int64_t block = static_cast<int64_t>(blockIdx.y) * gridDim.x + blockIdx.x;
  scan_detail::backward_channel<MaxN>(p, g, b, channel, chunk, scratch + block * kThreads * chunks * p.state + threadIdx.x,
                                      states + threadIdx.x, active, warp_uniform, kThreads);
}

dim3 grid_for(const SelectiveScanParams& p) {
  return dim3(static_cast<unsigned>((p.dim + kThreads - 1) / kThreads), static_cast<unsigned>(p.batch));
}

// Forward, tiled: a block is kThreads channels of one batch row; each 32-step tile of u, dt, z and of
// B, C is loaded into shared memory with coalesced reads (consecutive threads, consecutive steps), the
// recurrence runs from there with the state in registers, and outputs leave the same way.
constexpr int kTile = 32;

template <typename T>
__device__ __forceinline__ float load_as_float(const void* base, int64_t i) {
  if constexpr (sizeof(T) == 4) {
    return static_cast<const float*>(base)[i];
  } else {
    return bf16_to_float(static_cast<const uint16_t*>(base)[i]);
  }
}

template <typename T>
__device__ __forceinline__ void store_from_float(void* base, int64_t i, float value) {
  if constexpr (sizeof(T) == 4) {
    static_cast<float*>(base)[i] = value;
  } else {
    static_cast<uint16_t*>(base)[i] = float_to_bf16(value);
  }
}

// The tiled kernels keep A * log2(e) in registers, so each decay e^(dt A) is a single exp2 instruction.
constexpr float kLog2e = 1.4426950408889634f, kLn2 = 0.6931471805599453f;

// `Count` consecutive floats of a 16-byte aligned shared-memory row into registers, four per load.
template <int Count>
__device__ __forceinline__ void load_row(const float* row, float (&values)[Count]) {
  static_assert(Count % 4 == 0, "rows are read as float4");
#pragma unroll
  for (int q = 0; q < Count / 4; ++q) {
    const float4 v = reinterpret_cast<const float4*>(row)[q];
    values[4 * q] = v.x;
    values[4 * q + 1] = v.y;
    values[4 * q + 2] = v.z;
    values[4 * q + 3] = v.w;
  }
}

// Each channel's states are split across Split neighbouring threads (MaxN / Split states each; their
// parts of y added by warp shuffles): half the registers a thread and twice the threads of one state each,
// so more warps hide the latency of the exponentials and the shared-memory reads.
// Blocks kept resident per multiprocessor at N = 16 (the register budget that leaves): with the float4
// rows and the 4-step unroll the compiler would take 96 registers (5 blocks); held to 7 blocks it fits 72
// without spilling and ran 24 % faster (H200, fp32 L 197: 0.487 -> 0.368 ms; bf16 0.459 -> 0.349 ms).
template <int MaxN>
constexpr int kFwdBlocksPerSm = MaxN == 16 ? 7 : 1;
// Likewise the backward: 117 registers (4 blocks) held to 5 blocks, 96 registers: 2.694 -> 2.559 ms fwd+bwd.
template <int MaxN>
constexpr int kBwdBlocksPerSm = MaxN == 16 ? 5 : 1;

template <int MaxN, typename T, int Split>
__global__ void FOVEA_LAUNCH_BOUNDS(kThreads * Split, kFwdBlocksPerSm<MaxN>) scan_fwd_tiled_kernel(const SelectiveScanParams p) {
  constexpr int kStates = MaxN / Split;  // per thread
  __shared__ float s_u[kThreads][kTile + 1], s_dt[kThreads][kTile + 1], s_z[kThreads][kTile + 1];
  // B and C as [step][state]: a thread reads its states of a step with float4 loads, broadcast to the
  // threads of its part. A warp stores one state's 32 steps; a row stride of an odd multiple of 4 floats
  // spreads them over 8 banks (4-way conflicts), the most banks that 16-byte aligned rows allow.
  constexpr int kRow = MaxN + 4;
  __shared__ __align__(16) float s_B[kTile][kRow], s_C[kTile][kRow];
  const int tid = threadIdx.x, row = tid / Split, part = tid % Split;
  const int64_t b = blockIdx.y, d0 = static_cast<int64_t>(blockIdx.x) * kThreads, d = d0 + row;
  const int64_t N = p.state, L = p.length;
  const bool active = d < p.dim;
  const int64_t group = d0 / (p.dim / p.groups);
  const int64_t bc = (b * p.groups + group) * N * L;
  float a2[kStates], h[kStates];  // a2: A * log2(e)
#pragma unroll
  for (int j = 0; j < kStates; ++j) {
    const int n = part * kStates + j;
    a2[j] = active && n < N ? p.A[d * N + n] * kLog2e : 0.0f;
    h[j] = 0.0f;
  }
  const float Dd = active && p.D ? p.D[d] : 0.0f;
  // Tile loads and stores: thread `tid` always moves step `tile_step` of rows tile_row, tile_row +
  // kRowsPerPass, ... (consecutive threads, consecutive steps: coalesced), so its address advances by a
  // constant and a value costs a load and an add, not the index arithmetic of a (row, step) pair; the
  // channels' delta biases come from shared memory instead of a global load per value.
  constexpr int kRowsPerPass = kThreads * Split / kTile;
  static_assert(kThreads * Split % kTile == 0 && MaxN % kRowsPerPass == 0, "whole rows per pass");
  const int tile_step = tid % kTile, tile_row = tid / kTile;
  const int rows = p.dim - d0 < kThreads ? static_cast<int>(p.dim - d0) : kThreads;
  const int64_t row_stride = kRowsPerPass * L;
  const int64_t first = (b * p.dim + d0 + tile_row) * L + tile_step;  // (tile_row, tile_step) of the first tile
  __shared__ float s_bias[kThreads];
  if (tid < kThreads) s_bias[tid] = p.delta_bias && tid < rows ? p.delta_bias[d0 + tid] : 0.0f;
  __syncthreads();
  for (int64_t t0 = 0; t0 < L; t0 += kTile) {
    const int steps = static_cast<int>(L - t0 < kTile ? L - t0 : kTile);
    const bool step_in_tile = tile_step < steps;
    int64_t at = first + t0;
    for (int r = tile_row; r < kThreads; r += kRowsPerPass, at += row_stride) {
      const bool valid = step_in_tile && r < rows;
      float dt = valid ? load_as_float<T>(p.delta, at) + s_bias[r] : 0.0f;
      if (p.delta_softplus) dt = dt <= 20.0f ? log1pf(__expf(dt)) : dt;
      s_dt[r][tile_step] = dt;
      s_u[r][tile_step] = valid ? load_as_float<T>(p.u, at) : 0.0f;
      s_z[r][tile_step] = valid && p.z ? load_as_float<T>(p.z, at) : 0.0f;
    }
    int64_t bc_at = bc + tile_row * L + t0 + tile_step;
    for (int n = tile_row; n < MaxN; n += kRowsPerPass, bc_at += row_stride) {
      const bool valid = step_in_tile && n < N;
      s_B[tile_step][n] = valid ? load_as_float<T>(p.B, bc_at) : 0.0f;
      s_C[tile_step][n] = valid ? load_as_float<T>(p.C, bc_at) : 0.0f;
    }
    __syncthreads();
    // One step of the recurrence; part 0 writes the channel's output over its input.
    const auto step = [&](int c) {
      const float dt = s_dt[row][c], x = s_u[row][c], dtx = dt * x;
      float Bc[kStates], Cc[kStates];
      load_row(&s_B[c][part * kStates], Bc);
      load_row(&s_C[c][part * kStates], Cc);
      float y = 0.0f;
#pragma unroll
      for (int j = 0; j < kStates; ++j) {
        h[j] = gpu_fast_exp2(dt * a2[j]) * h[j] + dtx * Bc[j];
        y += Cc[j] * h[j];
      }
#pragma unroll
      for (int mask = 1; mask < Split; mask *= 2) y += gpu_shuffle_xor(y, mask);
      if (part == 0) {
        y += Dd * x;
        if (p.z) {  // SiLU(z) with one exponential and one reciprocal instruction (not a division)
          const float z = s_z[row][c];
          y *= z * gpu_fast_reciprocal(1.0f + gpu_fast_exp(-z));
        }
        s_u[row][c] = y;  // the tile now holds outputs
      }
    };
    // Four steps an iteration, so later steps' loads and exponentials overlap this one's shuffle. Unrolled
    // by hand: clang does not unroll a loop holding shuffles (convergent) by a count known only at run time.
    int next = 0;
    for (; next + 4 <= steps; next += 4) {
#pragma unroll
      for (int k = 0; k < 4; ++k) step(next + k);
    }
    for (; next < steps; ++next) step(next);
    __syncthreads();
    at = first + t0;
    for (int r = tile_row; r < kThreads; r += kRowsPerPass, at += row_stride)
      if (step_in_tile && r < rows) store_from_float<T>(p.out, at, s_u[r][tile_step]);
    __syncthreads();
  }
  if (active && p.last_state) {
    for (int j = 0; j < kStates; ++j) {
      const int n = part * kStates + j;
      if (n < N) p.last_state[(b * p.dim + d) * N + n] = h[j];
    }
  }
}

// Backward, tiled like the forward: per block kThreads channels of one batch row. A first pass
// records the state entering every kChunk-step chunk (coalesced scratch, interleaved by thread); then,
// chunk by chunk from the end, the chunk's inputs are loaded into shared memory, its states recomputed
// into a shared buffer, and the gradients computed backwards in time and written through the tiles.
template <int MaxN, typename T, int Split>
__global__ void FOVEA_LAUNCH_BOUNDS(kThreads * Split, kBwdBlocksPerSm<MaxN>) scan_bwd_tiled_kernel(const SelectiveScanParams p,
                                                                          const SelectiveScanGrads g, float* scratch) {
  constexpr int K = static_cast<int>(kChunk<MaxN>);
  constexpr int kStates = MaxN / Split;  // per thread
  __shared__ float s_u[kThreads][K + 1], s_dt[kThreads][K + 1], s_sig[kThreads][K + 1];
  __shared__ float s_z[kThreads][K + 1], s_dout[kThreads][K + 1];
  // B and C as [step][state], read with float4 as in the forward. A warp stores K steps of 32 / K =
  // MaxN / 4 states: a row stride of MaxN + MaxN / 4 puts those 32 floats in 32 different banks.
  constexpr int kRow = MaxN + MaxN / 4;
  __shared__ __align__(16) float s_B[K][kRow], s_C[K][kRow];
  __shared__ float s_h[K * MaxN * kThreads];  // state after each step of the chunk: [step][n][thread]
  const int tid = threadIdx.x, row = tid / Split, part = tid % Split;
  const int64_t b = blockIdx.y, d0 = static_cast<int64_t>(blockIdx.x) * kThreads, d = d0 + row;
  const int64_t N = p.state, L = p.length, chunks = (L + K - 1) / K;
  const bool active = d < p.dim;
  const int64_t group = d0 / (p.dim / p.groups), bc = (b * p.groups + group) * N * L;
  float* starts = scratch + (static_cast<int64_t>(blockIdx.y) * gridDim.x + blockIdx.x) * kThreads * chunks * N + row;
  float a2[kStates], h[kStates], dh[kStates], dA[kStates];  // a2: A * log2(e)
#pragma unroll
  for (int j = 0; j < kStates; ++j) {
    const int n = part * kStates + j;
    a2[j] = active && n < N ? p.A[d * N + n] * kLog2e : 0.0f;
    h[j] = dh[j] = dA[j] = 0.0f;
  }
  // Sums over the channel's states, each thread holding part of them.
  const auto across_parts = [](float v) {
#pragma unroll
    for (int mask = 1; mask < Split; mask *= 2) v += gpu_shuffle_xor(v, mask);
    return v;
  };
  const float Dd = active && p.D ? p.D[d] : 0.0f;

  // Chunk loads and stores as in the forward: thread `tid` always moves step `chunk_step` of rows
  // chunk_row, chunk_row + kRowsPerPass, ..., its address advancing by a constant.
  constexpr int kRowsPerPass = kThreads * Split / K;
  static_assert(kThreads * Split % K == 0 && kThreads % kRowsPerPass == 0 && MaxN % kRowsPerPass == 0,
                "whole rows per pass");
  const int chunk_step = tid % K, chunk_row = tid / K;
  const int rows = p.dim - d0 < kThreads ? static_cast<int>(p.dim - d0) : kThreads;
  const int64_t row_stride = kRowsPerPass * L;
  const int64_t first = (b * p.dim + d0 + chunk_row) * L + chunk_step;  // (chunk_row, chunk_step) of chunk 0
  __shared__ float s_bias[kThreads];
  if (tid < kThreads) s_bias[tid] = p.delta_bias && tid < rows ? p.delta_bias[d0 + tid] : 0.0f;
  __syncthreads();

  // Loads one chunk of inputs into the tiles; `with_grads` also the gate, the output gradient, C and the
  // softplus derivative (the state pass needs none of them).
  auto load_chunk = [&](int64_t t0, int steps, bool with_grads) {
    const bool step_in_chunk = chunk_step < steps;
    int64_t at = first + t0;
    for (int r = chunk_row; r < kThreads; r += kRowsPerPass, at += row_stride) {
      const int c = chunk_step;
      const bool valid = step_in_chunk && r < rows;
      const float raw = valid ? load_as_float<T>(p.delta, at) + s_bias[r] : 0.0f;
      const bool soft = p.delta_softplus && raw <= 20.0f;
      s_dt[r][c] = soft ? log1pf(__expf(raw)) : raw;
      s_u[r][c] = valid ? load_as_float<T>(p.u, at) : 0.0f;
      if (with_grads) {
        s_sig[r][c] = soft ? gpu_fast_reciprocal(1.0f + gpu_fast_exp(-raw)) : 1.0f;
        s_z[r][c] = valid && p.z ? load_as_float<T>(p.z, at) : 0.0f;
        s_dout[r][c] = valid ? load_as_float<T>(g.dout, at) : 0.0f;
      }
    }
    int64_t bc_at = bc + chunk_row * L + t0 + chunk_step;
    for (int n = chunk_row; n < MaxN; n += kRowsPerPass, bc_at += row_stride) {
      const bool valid = step_in_chunk && n < N;
      s_B[chunk_step][n] = valid ? load_as_float<T>(p.B, bc_at) : 0.0f;
      s_C[chunk_step][n] = valid && with_grads ? load_as_float<T>(p.C, bc_at) : 0.0f;
    }
  };

  // 1. The state entering each chunk.
  for (int64_t k = 0; k < chunks; ++k) {
    const int64_t t0 = k * K;
    const int steps = static_cast<int>(L - t0 < K ? L - t0 : K);
    load_chunk(t0, steps, false);
    __syncthreads();
#pragma unroll
    for (int j = 0; j < kStates; ++j) {
      const int n = part * kStates + j;
      if (n < N) starts[(k * N + n) * kThreads] = h[j];
    }
    for (int c = 0; c < steps; ++c) {
      const float dt = s_dt[row][c], dtx = dt * s_u[row][c];
      float Bc[kStates];
      load_row(&s_B[c][part * kStates], Bc);
#pragma unroll
      for (int j = 0; j < kStates; ++j) h[j] = gpu_fast_exp2(dt * a2[j]) * h[j] + dtx * Bc[j];
    }
    __syncthreads();
  }

  // 2. Gradients, chunk by chunk from the end.
  float dD = 0.0f, dbias = 0.0f;
  for (int64_t k = chunks - 1; k >= 0; --k) {
    const int64_t t0 = k * K;
    const int steps = static_cast<int>(L - t0 < K ? L - t0 : K);
    load_chunk(t0, steps, true);
    __syncthreads();
#pragma unroll
    for (int j = 0; j < kStates; ++j) {
      const int n = part * kStates + j;
      h[j] = n < N ? starts[(k * N + n) * kThreads] : 0.0f;
    }
    for (int c = 0; c < steps; ++c) {
      const float dt = s_dt[row][c], dtx = dt * s_u[row][c];
      float Bc[kStates], Cc[kStates];
      load_row(&s_B[c][part * kStates], Bc);
      load_row(&s_C[c][part * kStates], Cc);
      float y = 0.0f;
#pragma unroll
      for (int j = 0; j < kStates; ++j) {
        const int n = part * kStates + j;
        h[j] = gpu_fast_exp2(dt * a2[j]) * h[j] + dtx * Bc[j];
        s_h[(c * MaxN + n) * kThreads + row] = h[j];
        y += Cc[j] * h[j];
      }
      y = across_parts(y) + Dd * s_u[row][c];
      // dy (the gradient before the gate) replaces dout; dz replaces z (by the channel's first thread).
      if (p.z && part == 0) {
        const float dout = s_dout[row][c], z = s_z[row][c], sg = gpu_fast_reciprocal(1.0f + gpu_fast_exp(-z));
        s_z[row][c] = dout * y * sg * (1.0f + z * (1.0f - sg));
        s_dout[row][c] = dout * z * sg;
      }
    }
    __syncthreads();
    // dC[n, t] = sum over the block's channels of dy * h: each thread sums some (n, step) pairs, the threads
    // of a warp starting at different channels (all at the same one, they read one shared-memory bank 32 times).
    for (int i = tid; i < MaxN * K; i += kThreads * Split) {
      const int n = i / K, c = i % K;
      if (n >= N || c >= steps) continue;
      float sum = 0.0f;
      for (int k = 0; k < kThreads; ++k) {
        const int r = (k + i) & (kThreads - 1);  // each thread starts at another channel: another bank
        sum += s_dout[r][c] * s_h[(c * MaxN + n) * kThreads + r];
      }
      atomicAdd(g.dC + bc + n * L + t0 + c, sum);
    }
    __syncthreads();
    // One step back in time; the chunk's first step (`at_chunk_start`) takes the state before it from the
    // scratch, the others from shared memory: peeled off, so that no other step carries a global load.
    const auto back_step = [&](int c, auto at_chunk_start) {
      const float dt = s_dt[row][c], x = s_u[row][c], dy = s_dout[row][c], dtx = dt * x;
      float Bc[kStates], Cc[kStates];
      load_row(&s_B[c][part * kStates], Bc);
      load_row(&s_C[c][part * kStates], Cc);
      // dx and ddt's B x term share the sum of grad_h * B (times dt and x once a step); ddt's decay term
      // sums against a2, scaled back to A by ln 2 once a step.
      float grad_B = 0.0f, ddt_decay2 = 0.0f;
#pragma unroll
      for (int j = 0; j < kStates; ++j) {
        const int n = part * kStates + j;
        if (n < N) {
          float prev;
          if constexpr (decltype(at_chunk_start)::value) {
            prev = starts[(k * N + n) * kThreads];
          } else {
            prev = s_h[((c - 1) * MaxN + n) * kThreads + row];
          }
          const float decay = gpu_fast_exp2(dt * a2[j]);
          const float grad_h = dh[j] + dy * Cc[j];
          // Step c's state is no longer needed (only earlier ones are): its slot takes the dB term.
          s_h[(c * MaxN + n) * kThreads + row] = grad_h * dtx;
          grad_B += grad_h * Bc[j];
          const float grad_decay = grad_h * prev * decay;  // times dt: dA; times A: ddt
          ddt_decay2 += grad_decay * a2[j];
          dA[j] += grad_decay * dt;
          dh[j] = grad_h * decay;
        }
      }
      // The shuffles also order the other threads' reads of this step's tiles before the writes below.
      const float dx = across_parts(grad_B * dt) + dy * Dd;
      const float draw = across_parts(grad_B * x + ddt_decay2 * kLn2) * s_sig[row][c];
      if (part == 0) {
        dD += dy * x;
        dbias += draw;
        s_dt[row][c] = draw;  // ddelta
        s_u[row][c] = dx;     // du
      }
    };
    for (int c = steps - 1; c > 0; --c) back_step(c, std::false_type{});
    back_step(0, std::true_type{});
    __syncthreads();
    for (int i = tid; i < MaxN * K; i += kThreads * Split) {  // dB[n, t]: the same sums over the block
      const int n = i / K, c = i % K;
      if (n >= N || c >= steps) continue;
      float sum = 0.0f;
      for (int k = 0; k < kThreads; ++k) sum += s_h[(c * MaxN + n) * kThreads + ((k + i) & (kThreads - 1))];
      atomicAdd(g.dB + bc + n * L + t0 + c, sum);
    }
    int64_t at = first + t0;
    for (int r = chunk_row; r < kThreads; r += kRowsPerPass, at += row_stride) {
      if (chunk_step >= steps || r >= rows) continue;
      store_from_float<T>(g.du, at, s_u[r][chunk_step]);
      store_from_float<T>(g.ddelta, at, s_dt[r][chunk_step]);
      if (p.z) store_from_float<T>(g.dz, at, s_z[r][chunk_step]);
    }
    __syncthreads();
  }
  if (!active) return;
  for (int j = 0; j < kStates; ++j) {
    const int n = part * kStates + j;
    if (n < N) atomicAdd(g.dA + d * N + n, dA[j]);
  }
  if (part != 0) return;
  if (p.D) atomicAdd(g.dD + d, dD);
  if (p.delta_bias) atomicAdd(g.ddelta_bias + d, dbias);
}

// Threads per channel in the tiled kernels, each with a share of its states: 2 measured fastest on the H200
// (fp32 L 197, forward: 1 thread 0.492 ms, 2 0.413, 4 0.446; forward + backward: 4.039, 3.166, 3.308 ms).
constexpr int kSplit = 2;

template <int MaxN>
void launch_bwd(const SelectiveScanParams& p, const SelectiveScanGrads& g, float* scratch, dim3 grid, gpuStream_t s) {
  const bool tiled = p.groups == 1 || (p.dim / p.groups) % kThreads == 0;
  if (!tiled) {
    scan_bwd_kernel<MaxN><<<grid, kThreads, 0, s>>>(p, g, scratch, (p.dim / p.groups) % FOVEA_WARP_SIZE == 0);
  } else if (p.dtype == ScanDType::F32) {
    scan_bwd_tiled_kernel<MaxN, float, kSplit><<<grid, kThreads * kSplit, 0, s>>>(p, g, scratch);
  } else {
    scan_bwd_tiled_kernel<MaxN, uint16_t, kSplit><<<grid, kThreads * kSplit, 0, s>>>(p, g, scratch);
  }
}

template <int MaxN>
void launch_fwd(const SelectiveScanParams& p, dim3 grid, gpuStream_t s) {
  // The tile holds one group's B and C: every block's channels must share a group.
  const bool tiled = p.groups == 1 || (p.dim / p.groups) % kThreads == 0;
  if (!tiled) {
    scan_fwd_kernel<MaxN><<<grid, kThreads, 0, s>>>(p);
  } else if (p.dtype == ScanDType::F32) {
    scan_fwd_tiled_kernel<MaxN, float, kSplit><<<grid, kThreads * kSplit, 0, s>>>(p);
  } else {
    scan_fwd_tiled_kernel<MaxN, uint16_t, kSplit><<<grid, kThreads * kSplit, 0, s>>>(p);
  }
}

void check(const SelectiveScanParams& p) {
  if (p.state < 1 || p.state > kMaxScanState) throw std::invalid_argument("selective scan: state size must be 1..64");
  if (p.groups < 1 || p.dim % p.groups != 0) throw std::invalid_argument("selective scan: groups must divide dim");
}


}  // namespace

void selective_scan_fwd_gpu(const SelectiveScanParams& p, void* stream) {
  check(p);
  if (p.batch * p.dim == 0 || p.length == 0) return;
  const auto s = static_cast<gpuStream_t>(stream);
  if (p.state <= 16) {
    launch_fwd<16>(p, grid_for(p), s);
  } else if (p.state <= 32) {
    launch_fwd<32>(p, grid_for(p), s);
  } else {
    launch_fwd<64>(p, grid_for(p), s);
  }
  check_launch("selective_scan_fwd");
}

size_t selective_scan_bwd_scratch_floats(const SelectiveScanParams& p) {
  const int64_t chunk = p.state <= 16 ? kChunk<16> : (p.state <= 32 ? kChunk<32> : kChunk<64>);
  const int64_t padded_dim = (p.dim + kThreads - 1) / kThreads * kThreads;
  return static_cast<size_t>(p.batch * padded_dim * ((p.length + chunk - 1) / chunk) * p.state);
}

void selective_scan_bwd_gpu(const SelectiveScanParams& p, const SelectiveScanGrads& g, float* scratch, void* stream) {
  check(p);
  if (p.batch * p.dim == 0 || p.length == 0) return;
  const auto s = static_cast<gpuStream_t>(stream);
  if (p.state <= 16) {
    launch_bwd<16>(p, g, scratch, grid_for(p), s);
  } else if (p.state <= 32) {
    launch_bwd<32>(p, g, scratch, grid_for(p), s);
  } else {
    launch_bwd<64>(p, g, scratch, grid_for(p), s);
  }
  check_launch("selective_scan_bwd");
}

}  // namespace fovea::kernels
