// GPU causal conv1d (see causal_conv1d.h); the CPU reference is causal_conv1d_cpu.cpp.
//
// Goal: the speed of a copy. Each element of x (and dout) is read once and out (and dx) written once,
// in coalesced 16-byte accesses, with few instructions per element: with SiLU and bf16 rounding the
// arithmetic is close to being the limit, so per-row work is spread over many elements. Design:
// - A warp splits into segments of `lanes` lanes (a power of two chosen on the host so that a row's
//   vectors fill them with few idle lanes). A segment takes one chunk of one row: lanes * V vectors
//   of 16 bytes (4 fp32 or 8 bf16), vector k of a lane at place slot + k * lanes, so each load and
//   store instruction covers contiguous memory. The segments of a warp take consecutive channels of
//   one batch row. Grid: x = chunk of the row, y = channel group, z = batch rows (each warp walks
//   kBatchPerWarp of them).
// - Vectors are aligned to the tensor, not to the row: Vim's rows (197, 730 elements) start anywhere.
//   A row's end vectors hold neighbouring rows' elements: those are read, zeroed in registers by the
//   lane that holds them (so that not even an inf or NaN of another row reaches this one), and never
//   written.
// - Slots run backwards through a segment's lanes, so the width - 1 elements of x before a vector
//   arrive from the next lane by one shuffle down (from the segment's first lane, by an XOR, for the
//   vectors that start a row of slots); the backward's gradient after a vector comes the other way.
//   Only a chunk's end lanes read a halo from memory, and only when the row goes on past that end.
// - Backward: dweight and dbias sums stay in registers over the warp's batch rows, then one sum over
//   the segment (XOR shuffles) and one atomicAdd per value, segment and channel.
// - Pointers not aligned to 16 bytes run the same code with one element a lane.
#include <algorithm>
#include <climits>
#include <cstring>
#include <stdexcept>

#include "kernels/gpu_portability.h"  // first: the vendor runtime defines the device keywords

#include "kernels/bf16.h"
#include "kernels/causal_conv1d.h"

namespace fovea::kernels {
namespace {

constexpr int kWarp = FOVEA_WARP_SIZE;
constexpr int kWarpsPerBlock = 8;
constexpr int kThreads = kWarpsPerBlock * kWarp;
constexpr int kVectorsPerLane = 2;  // V: 32 bytes of x (and of dout) in flight per lane
constexpr int kBatchPerWarp = 4;    // batch rows a warp walks (for each of its channels)
constexpr int64_t kMaxGridYZ = 65535;

template <typename T>
constexpr int kVectorElements = static_cast<int>(sizeof(uint4) / sizeof(T));

// ---- elements ---------------------------------------------------------------------------------------

template <typename T>
__device__ __forceinline__ uint32_t bits_of(T v) {
  if constexpr (sizeof(T) == 4) {
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    return bits;
  } else {
    return v;
  }
}

template <typename T>
__device__ __forceinline__ uint32_t stored_bits(float v) {
  if constexpr (sizeof(T) == 4) {
    return bits_of(v);
  } else {
    return float_to_bf16(v);
  }
}

template <typename T>
__device__ __forceinline__ float from_bits(uint32_t bits) {
  if constexpr (sizeof(T) == 4) {
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
  } else {
    return bf16_to_float(static_cast<uint16_t>(bits));
  }
}

// M elements as stored (bf16 two to a word), converted to float where used.
template <typename T, int M>
struct Raw {
  static constexpr int kPerWord = 4 / sizeof(T), kBits = 32 / kPerWord, kWords = (M + kPerWord - 1) / kPerWord;
  static constexpr uint32_t kMask = 0xffffffffu >> (32 - kBits);
  uint32_t word[kWords] = {};

  __device__ __forceinline__ uint32_t bits(int j) const {
    return word[j / kPerWord] >> (kBits * (j % kPerWord)) & kMask;
  }
  __device__ __forceinline__ float operator[](int j) const { return from_bits<T>(bits(j)); }
  __device__ __forceinline__ void set(int j, uint32_t b) { word[j / kPerWord] |= b << (kBits * (j % kPerWord)); }
  // Zeroes the elements outside [lo, hi).
  __device__ __forceinline__ void keep(int lo, int hi) {
#pragma unroll
    for (int j = 0; j < M; ++j)
      if (j < lo || j >= hi) word[j / kPerWord] &= ~(kMask << (kBits * (j % kPerWord)));
  }
};

// The M elements from element `first` (a multiple of M); those from `total` on read as zero.
template <typename T, int M>
__device__ __forceinline__ Raw<T, M> load_vector(const T* __restrict__ base, int64_t first, int64_t total) {
  Raw<T, M> r;
  if constexpr (M > 1) {
    if (first + M <= total) {
      const uint4 q = *reinterpret_cast<const uint4*>(base + first);
      r.word[0] = q.x, r.word[1] = q.y, r.word[2] = q.z, r.word[3] = q.w;
      return r;
    }
  }
#pragma unroll
  for (int j = 0; j < M; ++j)
    if (first + j < total) r.set(j, bits_of(base[first + j]));
  return r;
}

// Writes the elements first + j with offset + j in [0, length): a row's own, never its neighbours'.
template <typename T, int M>
__device__ __forceinline__ void store_vector(void* out, int64_t first, int offset, int length, const float (&v)[M]) {
  T* __restrict__ base = static_cast<T*>(out) + first;
  Raw<T, M> packed;
  if constexpr (sizeof(T) == 2 && M % 2 == 0) {  // bf16 pairs: one conversion instruction a word
#pragma unroll
    for (int j = 0; j < M; j += 2) packed.word[j / 2] = floats_to_bf16x2(v[j], v[j + 1]);
  } else {
#pragma unroll
    for (int j = 0; j < M; ++j) packed.set(j, stored_bits<T>(v[j]));
  }
  if constexpr (M > 1) {
    if (offset >= 0 && offset + M <= length) {
      *reinterpret_cast<uint4*>(base) = make_uint4(packed.word[0], packed.word[1], packed.word[2], packed.word[3]);
      return;
    }
  }
#pragma unroll
  for (int j = 0; j < M; ++j) {
    if (offset + j >= 0 && offset + j < length) {
      if constexpr (sizeof(T) == 4) {
        reinterpret_cast<uint32_t*>(base)[j] = packed.bits(j);
      } else {
        reinterpret_cast<uint16_t*>(base)[j] = static_cast<uint16_t>(packed.bits(j));
      }
    }
  }
}

// ---- rows, segments and lanes -----------------------------------------------------------------------

// Where a lane sits: in segments of `lanes` lanes whose slots run backwards (slot 0, a chunk's first
// vector, in the segment's last lane), so the previous slot is in the next lane.
struct Lane {
  int lanes;    // per segment
  int segment;  // in the warp
  int slot;     // of the lane's first vector in the chunk; vector k is at slot + k * lanes
};

__device__ __forceinline__ Lane lane_of(int lanes) {
  const int lane = threadIdx.x % kWarp;
  return {lanes, lane / lanes, lanes - 1 - lane % lanes};
}

// The part of one row that a segment's chunk covers, seen from one lane.
struct Piece {
  int64_t begin = 0;       // the row's first element
  int offset = 0;          // the lane's vector 0 starts at begin + offset (negative: previous row)
  int stride = 0;          // elements from one of the lane's vectors to the next
  bool present = false;    // the chunk touches the row    } uniform
  bool continues = false;  // the row goes on after it     } across the segment

  __device__ __forceinline__ int offset_of(int k) const { return offset + k * stride; }
};

template <int M, int V>
__device__ __forceinline__ Piece piece_of(const CausalConv1dParams& p, int64_t b, int64_t d, const Lane& l) {
  Piece s;
  s.offset = INT_MAX / 2;  // inactive everywhere
  if (b >= p.batch || d >= p.dim) return s;
  const int length = static_cast<int>(p.length);
  s.begin = (b * p.dim + d) * p.length;
  const int lead = static_cast<int>(static_cast<uint32_t>(s.begin) % M);  // row elements before a boundary
  const int chunk_offset = static_cast<int>(blockIdx.x) * l.lanes * V * M - lead;
  s.present = chunk_offset < length;
  s.continues = chunk_offset + l.lanes * V * M < length;
  s.offset = chunk_offset + l.slot * M;
  s.stride = l.lanes * M;
  return s;
}

// The value of `v` in lane - ahead (the slot `ahead` further on): a shuffle down between two
// lane-reversing XORs, since the portability header has no shuffle up.
__device__ __forceinline__ float from_next_slot(float v, int ahead) {
  return gpu_shuffle_xor(gpu_shuffle_down(gpu_shuffle_xor(v, kWarp - 1), ahead), kWarp - 1);
}

// Slots at each end of a chunk whose halo of H elements lies outside it (V > 1 needs M >= H: one).
template <int M, int H>
constexpr int kEdgeSlots = (H + M - 1) / M;

// ---- taps and activation ----------------------------------------------------------------------------

template <int W>
struct Taps {
  float w[W] = {};
  float bias = 0.0f;
};

template <int W>
__device__ __forceinline__ Taps<W> taps_of(const CausalConv1dParams& p, int64_t d) {
  Taps<W> t;
  if (d >= p.dim) return t;
#pragma unroll
  for (int k = 0; k < W; ++k) t.w[k] = p.weight[d * W + k];
  if (p.bias) t.bias = p.bias[d];
  return t;
}

// The pre-activation of the element whose oldest tap is window[at]; same order as the CPU reference.
template <int W, int Len>
__device__ __forceinline__ float pre_activation(const Taps<W>& taps, const float (&window)[Len], int at) {
  float s = taps.bias;
#pragma unroll
  for (int k = 0; k < W; ++k) s += taps.w[k] * window[at + k];
  return s;
}

// 1 / (1 + e^-x) in two special-function instructions and an add (the SiLU was most of the arithmetic
// per element): the values of __fdividef and __expf without __expf's fix-up for subnormal results.
// Within a few ulp of the CPU reference's expf and division, as before.
__device__ __forceinline__ float sigmoid(float x) { return gpu_fast_reciprocal(1.0f + gpu_fast_exp(-x)); }

__device__ __forceinline__ float activate(bool silu, float pre) { return silu ? pre * sigmoid(pre) : pre; }

// d loss / d pre-activation.
__device__ __forceinline__ float pre_gradient(bool silu, float pre, float dout) {
  if (!silu) return dout;
  const float s = sigmoid(pre);
  return dout * s * (1.0f + pre * (1.0f - s));
}

// ---- x windows --------------------------------------------------------------------------------------

// What a lane loads of x for one row: its vectors (zero before the row) and, at a chunk's first slots
// when an earlier chunk exists, the H elements before them.
template <typename T, int M, int V, int H>
struct XRow {
  Piece piece;
  Raw<T, M> own[V];
  float before[H];
};

template <typename T, int M, int V, int H>
__device__ __forceinline__ XRow<T, M, V, H> load_x_row(const CausalConv1dParams& p, int64_t b, int64_t d,
                                                       const Lane& l, int64_t total, bool zero_after_row) {
  XRow<T, M, V, H> r;
  r.piece = piece_of<M, V>(p, b, d, l);
  const Piece& s = r.piece;
  const T* __restrict__ x = static_cast<const T*>(p.x);
  const int length = static_cast<int>(p.length);
#pragma unroll
  for (int k = 0; k < V; ++k) {
    const int offset = s.offset_of(k);
    if (offset < length) r.own[k] = load_vector<T, M>(x, s.begin + offset, total);
    // The row's end vectors: the neighbours' elements read as zero, so that their values (inf or NaN
    // ones too) never reach this row's results. The forward needs it before the row only.
    if (offset < 0 || (zero_after_row && offset < length && offset + M > length))
      r.own[k].keep(-offset, length - offset);
  }
  const bool halo = blockIdx.x > 0 && s.present && l.slot < kEdgeSlots<M, H>;
  if constexpr (M >= H) {  // the previous vector, whole (an earlier chunk's, so inside the tensor)
    Raw<T, M> previous;
    if (halo) previous = load_vector<T, M>(x, s.begin + s.offset - M, total);
#pragma unroll
    for (int i = 0; i < H; ++i) r.before[i] = s.offset - H + i >= 0 ? previous[M - H + i] : 0.0f;
  } else {
#pragma unroll
    for (int i = 0; i < H; ++i) {
      const int at = s.offset - H + i;
      r.before[i] = halo && at >= 0 ? from_bits<T>(bits_of(x[s.begin + at])) : 0.0f;
    }
  }
  return r;
}

// window[k][i] = x at element offset_of(k) - H + i (zero before the row). Every lane must call it.
template <typename T, int M, int V, int H>
__device__ __forceinline__ void x_windows(const XRow<T, M, V, H>& in, const Lane& l, float (&window)[V][H + M]) {
  static_assert(V == 1 || M >= H, "several vectors a lane need the halo within one vector");
#pragma unroll
  for (int k = 0; k < V; ++k) {
#pragma unroll
    for (int i = 0; i < H; ++i) {
      const int back = (H - i + M - 1) / M;  // slots back to the element's owner
      const float next_lane = gpu_shuffle_down(in.own[k][i - H + back * M], back);
      float value = next_lane;
      if (k > 0) {  // slot 0's vector k follows the last slot's vector k - 1, in the segment's first lane
        const float first_lane = gpu_shuffle_xor(in.own[k > 0 ? k - 1 : 0][M - H + i], l.lanes - 1);
        if (l.slot == 0) value = first_lane;
      } else if (l.slot < back) {
        value = in.before[i];
      }
      window[k][i] = value;
    }
#pragma unroll
    for (int j = 0; j < M; ++j) window[k][H + j] = in.own[k][j];
  }
}

// ---- forward ----------------------------------------------------------------------------------------

template <typename T, int W, int M, int V>
__global__ void __launch_bounds__(kThreads) conv_fwd_kernel(const CausalConv1dParams p, int lanes) {
  constexpr int H = W - 1;
  const Lane l = lane_of(lanes);
  const int length = static_cast<int>(p.length);
  const int64_t total = p.batch * p.dim * p.length, channels_per_block = kWarpsPerBlock * (kWarp / lanes);
  for (int64_t group = blockIdx.y; group * channels_per_block < p.dim; group += gridDim.y) {
    const int64_t d = group * channels_per_block + threadIdx.x / kWarp * (kWarp / lanes) + l.segment;
    const Taps<W> taps = taps_of<W>(p, d);
    for (int64_t b = blockIdx.z; b < p.batch; b += gridDim.z) {
      const XRow<T, M, V, H> row = load_x_row<T, M, V, H>(p, b, d, l, total, false);
      float window[V][H + M];
      x_windows<T, M, V, H>(row, l, window);
#pragma unroll
      for (int k = 0; k < V; ++k) {
        float result[M];
#pragma unroll
        for (int j = 0; j < M; ++j) result[j] = activate(p.silu, pre_activation<W>(taps, window[k], j));
        const int offset = row.piece.offset_of(k);
        if (offset < length) store_vector<T, M>(p.out, row.piece.begin + offset, offset, length, result);
      }
    }
  }
}

// ---- backward ---------------------------------------------------------------------------------------

// What a lane loads for one row: x as in the forward, its vectors of dout (zero outside the row) and,
// at a chunk's last slots when the row goes on, x and dout at the H elements after the chunk.
template <typename T, int M, int V, int H>
struct GradRow {
  XRow<T, M, V, H> x;
  Raw<T, M> dout[V];
  float x_after[H];
  float dout_after[H];
};

template <typename T, int M, int V, int H>
__device__ __forceinline__ GradRow<T, M, V, H> load_grad_row(const CausalConv1dParams& p, const CausalConv1dGrads& g,
                                                             int64_t b, int64_t d, const Lane& l, int64_t total) {
  GradRow<T, M, V, H> r;
  r.x = load_x_row<T, M, V, H>(p, b, d, l, total, true);
  const Piece& s = r.x.piece;
  const int length = static_cast<int>(p.length);
  const T* __restrict__ x = static_cast<const T*>(p.x);
  const T* __restrict__ dout = static_cast<const T*>(g.dout);
#pragma unroll
  for (int k = 0; k < V; ++k) {
    const int offset = s.offset_of(k);
    if (offset < length) r.dout[k] = load_vector<T, M>(dout, s.begin + offset, total);
    if (offset < 0 || (offset < length && offset + M > length)) r.dout[k].keep(-offset, length - offset);
  }
  const bool halo = s.continues && l.slot >= l.lanes - kEdgeSlots<M, H>;
  if constexpr (M >= H) {  // the next vectors, whole
    const int next = s.offset_of(V - 1) + M;
    Raw<T, M> x_next, dout_next;
    if (halo) {
      x_next = load_vector<T, M>(x, s.begin + next, total);
      dout_next = load_vector<T, M>(dout, s.begin + next, total);
    }
#pragma unroll
    for (int i = 0; i < H; ++i) {
      r.x_after[i] = next + i < length ? x_next[i] : 0.0f;
      r.dout_after[i] = next + i < length ? dout_next[i] : 0.0f;
    }
  } else {
#pragma unroll
    for (int i = 0; i < H; ++i) {
      const int at = s.offset_of(V - 1) + M + i;
      const bool load = halo && at < length;
      r.x_after[i] = load ? from_bits<T>(bits_of(x[s.begin + at])) : 0.0f;
      r.dout_after[i] = load ? from_bits<T>(bits_of(dout[s.begin + at])) : 0.0f;
    }
  }
  return r;
}

// grad[k][M + i] = the gradient at element offset_of(k) + M + i: from the lanes holding the next slots,
// or past the chunk's end computed from the loaded halo (zero past the row). Every lane must call it.
template <typename T, int W, int M, int V>
__device__ __forceinline__ void gradients_after(bool silu, const Taps<W>& taps, const float (&window)[V][W - 1 + M],
                                                const GradRow<T, M, V, W - 1>& in, const Lane& l,
                                                float (&grad)[V][M + W - 1]) {
  constexpr int H = W - 1;
#pragma unroll
  for (int k = 0; k < V; ++k) {
#pragma unroll
    for (int i = 0; i < H; ++i) {
      const int ahead = (M + i) / M;  // slots ahead to the element's owner
      grad[k][M + i] = from_next_slot(grad[k][M + i - ahead * M], ahead);
      if (k + 1 < V) {  // the last slot's vector k is followed by slot 0's vector k + 1, in the last lane
        const float last_lane = gpu_shuffle_xor(grad[k + 1 < V ? k + 1 : k][i], l.lanes - 1);
        if (l.slot == l.lanes - 1) grad[k][M + i] = last_lane;
      }
    }
  }
  if (l.slot >= l.lanes - kEdgeSlots<M, H>) {  // past the chunk's last vector
    float extended[H + M + H];  // x from offset_of(V - 1) - H on
#pragma unroll
    for (int i = 0; i < H + M; ++i) extended[i] = window[V - 1][i];
#pragma unroll
    for (int i = 0; i < H; ++i) extended[H + M + i] = in.x_after[i];
#pragma unroll
    for (int i = 0; i < H; ++i) {
      if (l.slot + (M + i) / M < l.lanes) continue;
      if (in.x.piece.continues) {
        grad[V - 1][M + i] = pre_gradient(silu, pre_activation<W>(taps, extended, M + i), in.dout_after[i]);
      } else {
        grad[V - 1][M + i] = 0.0f;
      }
    }
  }
}

template <int W>
struct WeightGrads {
  float dw[W] = {};
  float dbias = 0.0f;
};

// dx for one row, and its terms of dweight and dbias added to `sums`. Every lane must call it.
template <typename T, int W, int M, int V>
__device__ __forceinline__ void backward_row(const CausalConv1dParams& p, const CausalConv1dGrads& g,
                                             const Taps<W>& taps, const GradRow<T, M, V, W - 1>& row, const Lane& l,
                                             WeightGrads<W>& sums) {
  constexpr int H = W - 1;
  const int length = static_cast<int>(p.length);
  float window[V][H + M], grad[V][M + H];
  x_windows<T, M, V, H>(row.x, l, window);
#pragma unroll
  for (int k = 0; k < V; ++k)
#pragma unroll
    for (int j = 0; j < M; ++j)
      grad[k][j] = pre_gradient(p.silu, pre_activation<W>(taps, window[k], j), row.dout[k][j]);
  gradients_after<T, W, M, V>(p.silu, taps, window, row, l, grad);
#pragma unroll
  for (int k = 0; k < V; ++k) {
    // dx[t] = sum_m grad[t + m] * w[width - 1 - m]; the gradient is zero outside the row.
    float result[M];
#pragma unroll
    for (int j = 0; j < M; ++j) {
      float sum = 0.0f;
#pragma unroll
      for (int m = 0; m < W; ++m) sum += grad[k][j + m] * taps.w[W - 1 - m];
      result[j] = sum;
    }
    const int offset = row.x.piece.offset_of(k);
    if (offset < length) store_vector<T, M>(g.dx, row.x.piece.begin + offset, offset, length, result);
#pragma unroll
    for (int j = 0; j < M; ++j) {
      sums.dbias += grad[k][j];
#pragma unroll
      for (int i = 0; i < W; ++i) sums.dw[i] += grad[k][j] * window[k][j + i];
    }
  }
}

// The sum over the segment's lanes, in each of them (XOR partners below `lanes` stay in the segment).
__device__ __forceinline__ float segment_total(float v, int lanes) {
  for (int mask = lanes / 2; mask > 0; mask /= 2) v += gpu_shuffle_xor(v, mask);
  return v;
}

template <typename T, int W, int M, int V>
__global__ void __launch_bounds__(kThreads) conv_bwd_kernel(const CausalConv1dParams p, const CausalConv1dGrads g,
                                                            int lanes) {
  constexpr int H = W - 1;
  const Lane l = lane_of(lanes);
  const int64_t total = p.batch * p.dim * p.length, channels_per_block = kWarpsPerBlock * (kWarp / lanes);
  for (int64_t group = blockIdx.y; group * channels_per_block < p.dim; group += gridDim.y) {
    const int64_t d = group * channels_per_block + threadIdx.x / kWarp * (kWarp / lanes) + l.segment;
    const Taps<W> taps = taps_of<W>(p, d);
    WeightGrads<W> sums;
    for (int64_t b = blockIdx.z; b < p.batch; b += gridDim.z)
      backward_row<T, W, M, V>(p, g, taps, load_grad_row<T, M, V, H>(p, g, b, d, l, total), l, sums);
#pragma unroll
    for (int k = 0; k < W; ++k) sums.dw[k] = segment_total(sums.dw[k], lanes);
    sums.dbias = segment_total(sums.dbias, lanes);
    if (l.slot == 0 && d < p.dim) {
#pragma unroll
      for (int k = 0; k < W; ++k) atomicAdd(g.dweight + d * W + k, sums.dw[k]);
      if (g.dbias) atomicAdd(g.dbias + d, sums.dbias);
    }
  }
}

// ---- launch -----------------------------------------------------------------------------------------

// The most vectors of M elements a row of `length` touches.
template <int M>
int64_t row_vectors(int64_t length) {
  return (length + M - 2) / M + 1;
}

// Lanes per segment: the fewest idle vector places for a row, the wider segment on a tie (fewer chunk
// ends). At least 8 lanes, so that a segment's access covers at least 128 contiguous bytes.
template <int M, int V>
int lanes_for(int64_t length) {
  const int64_t vectors = row_vectors<M>(length);
  auto places = [&](int64_t lanes) { return (vectors + lanes * V - 1) / (lanes * V) * lanes * V; };
  int best = kWarp;
  for (int lanes = kWarp; lanes >= 8; lanes /= 2)
    if (places(lanes) < places(best)) best = lanes;
  return best;
}

template <int M, int V>
dim3 grid_for(const CausalConv1dParams& p, int lanes) {
  const int64_t channels_per_block = kWarpsPerBlock * (kWarp / lanes);
  const int64_t channel_groups = (p.dim + channels_per_block - 1) / channels_per_block;
  const int64_t batch_groups = (p.batch + kBatchPerWarp - 1) / kBatchPerWarp;
  return dim3(static_cast<unsigned>((row_vectors<M>(p.length) + lanes * V - 1) / (lanes * V)),
              static_cast<unsigned>(std::min(channel_groups, kMaxGridYZ)),
              static_cast<unsigned>(std::min(batch_groups, kMaxGridYZ)));
}

bool aligned16(const void* ptr) { return reinterpret_cast<uintptr_t>(ptr) % sizeof(uint4) == 0; }

template <typename T, int W, int M, int V>
void launch_fwd_with(const CausalConv1dParams& p, gpuStream_t stream) {
  const int lanes = lanes_for<M, V>(p.length);
  conv_fwd_kernel<T, W, M, V><<<grid_for<M, V>(p, lanes), kThreads, 0, stream>>>(p, lanes);
}

template <typename T, int W, int M, int V>
void launch_bwd_with(const CausalConv1dParams& p, const CausalConv1dGrads& g, gpuStream_t stream) {
  const int lanes = lanes_for<M, V>(p.length);
  conv_bwd_kernel<T, W, M, V><<<grid_for<M, V>(p, lanes), kThreads, 0, stream>>>(p, g, lanes);
}

template <typename T, int W>
void launch_fwd(const CausalConv1dParams& p, gpuStream_t stream) {
  if (aligned16(p.x) && aligned16(p.out)) {
    launch_fwd_with<T, W, kVectorElements<T>, kVectorsPerLane>(p, stream);
  } else {
    launch_fwd_with<T, W, 1, 1>(p, stream);
  }
}

template <typename T, int W>
void launch_bwd(const CausalConv1dParams& p, const CausalConv1dGrads& g, gpuStream_t stream) {
  if (aligned16(p.x) && aligned16(g.dout) && aligned16(g.dx)) {
    launch_bwd_with<T, W, kVectorElements<T>, kVectorsPerLane>(p, g, stream);
  } else {
    launch_bwd_with<T, W, 1, 1>(p, g, stream);
  }
}

template <typename T>
void launch_fwd_width(const CausalConv1dParams& p, gpuStream_t stream) {
  switch (p.width) {
    case 2: return launch_fwd<T, 2>(p, stream);
    case 3: return launch_fwd<T, 3>(p, stream);
    default: return launch_fwd<T, 4>(p, stream);
  }
}

template <typename T>
void launch_bwd_width(const CausalConv1dParams& p, const CausalConv1dGrads& g, gpuStream_t stream) {
  switch (p.width) {
    case 2: return launch_bwd<T, 2>(p, g, stream);
    case 3: return launch_bwd<T, 3>(p, g, stream);
    default: return launch_bwd<T, 4>(p, g, stream);
  }
}

void check(const CausalConv1dParams& p) {
  if (p.width < 2 || p.width > 4) throw std::invalid_argument("causal conv1d: width must be 2..4");
  // Offsets within a row are int; a chunk's offset reaches the length plus one warp of lanes.
  if (p.length > INT_MAX / 2) throw std::invalid_argument("causal conv1d: length too large");
}

}  // namespace

void causal_conv1d_fwd_gpu(const CausalConv1dParams& p, void* stream) {
  check(p);
  if (p.batch * p.dim == 0 || p.length == 0) return;
  const auto s = static_cast<gpuStream_t>(stream);
  if (p.dtype == ScanDType::F32) {
    launch_fwd_width<float>(p, s);
  } else {
    launch_fwd_width<uint16_t>(p, s);
  }
  check_launch("causal_conv1d_fwd");
}

void causal_conv1d_bwd_gpu(const CausalConv1dParams& p, const CausalConv1dGrads& g, void* stream) {
  check(p);
  if (p.batch * p.dim == 0 || p.length == 0) return;
  const auto s = static_cast<gpuStream_t>(stream);
  if (p.dtype == ScanDType::F32) {
    launch_bwd_width<float>(p, g, s);
  } else {
    launch_bwd_width<uint16_t>(p, g, s);
  }
  check_launch("causal_conv1d_bwd");
}

}  // namespace fovea::kernels
