// GPU 2x2 max pooling (see max_pool2x2.h); the CPU reference is max_pool2x2_cpu.cpp.
// A thread takes 16 bytes of channels (8 bf16 or 4 float32) at one output position: four 16-byte loads,
// one from each input position of the window (consecutive threads on consecutive channels, so every access
// is coalesced in NHWC), one 16-byte store, and the winners as one byte each. The backward writes every
// input position of the window (the gradient or zero), so no separate zero fill is needed.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "kernels/gpu_portability.h"  // first: the vendor runtime defines the device keywords

#include "kernels/bf16.h"
#include "kernels/max_pool2x2.h"
#include "kernels/max_pool2x2_window.h"

namespace fovea::kernels {
namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ float as_float(float v) { return v; }
__device__ __forceinline__ float as_float(uint16_t bits) { return bf16_to_float(bits); }

template <typename E, int Vec>
struct alignas(sizeof(E) * Vec) Pack {
  E v[Vec];
};

template <int Vec>
struct alignas(Vec) Winners {
  uint8_t v[Vec];
};

// Where work item i (an output position and a group of Vec channels) sits.
template <typename Index>
struct Item {
  Index n, oy, ox, channel;
};

template <typename Index, int Vec>
__device__ __forceinline__ Item<Index> locate(Index i, Index groups, Index out_h, Index out_w) {
  const Index group = i % groups, pixel = i / groups;
  const Index ox = pixel % out_w, rest = pixel / out_w;
  return {rest / out_h, rest % out_h, ox, group * Vec};
}

template <typename E, int Vec, typename Index>
__global__ void __launch_bounds__(kThreads) max_pool_forward_kernel(const MaxPool2x2Params p) {
  const Index H = static_cast<Index>(p.height), W = static_cast<Index>(p.width), C = static_cast<Index>(p.channels);
  const Index out_h = H / 2, out_w = W / 2, groups = C / Vec;
  const Index total = static_cast<Index>(p.batch) * out_h * out_w * groups;
  const E* input = static_cast<const E*>(p.input);
  E* output = static_cast<E*>(p.output);
  for (Index i = static_cast<Index>(blockIdx.x) * kThreads + threadIdx.x; i < total;
       i += static_cast<Index>(gridDim.x) * kThreads) {
    const Item<Index> at = locate<Index, Vec>(i, groups, out_h, out_w);
    const Index top_left = ((at.n * H + 2 * at.oy) * W + 2 * at.ox) * C + at.channel;
    Pack<E, Vec> window[4];
#pragma unroll
    for (int k = 0; k < 4; ++k)
      window[k] = *reinterpret_cast<const Pack<E, Vec>*>(input + top_left + ((k / 2) * W + k % 2) * C);
    Pack<E, Vec> best;
    Winners<Vec> winners;
#pragma unroll
    for (int j = 0; j < Vec; ++j) {
      float best_value = -INFINITY;
      E best_bits = window[0].v[j];  // kept alongside: indexing `window` by the winner would leave registers
      int winner = 0;
#pragma unroll
      for (int k = 0; k < 4; ++k) {
        const float value = as_float(window[k].v[j]);
        if (max_pool_detail::replaces(value, best_value)) {
          best_value = value;
          best_bits = window[k].v[j];
          winner = k;
        }
      }
      best.v[j] = best_bits;
      winners.v[j] = static_cast<uint8_t>(winner);
    }
    *reinterpret_cast<Pack<E, Vec>*>(output + i * Vec) = best;
    *reinterpret_cast<Winners<Vec>*>(p.argmax + i * Vec) = winners;
  }
}

template <typename E, int Vec, typename Index>
__global__ void __launch_bounds__(kThreads) max_pool_backward_kernel(const MaxPool2x2Params p, const MaxPool2x2Grads g) {
  const Index H = static_cast<Index>(p.height), W = static_cast<Index>(p.width), C = static_cast<Index>(p.channels);
  const Index out_h = H / 2, out_w = W / 2, groups = C / Vec;
  const Index total = static_cast<Index>(p.batch) * out_h * out_w * groups;
  const E* grad_output = static_cast<const E*>(g.grad_output);
  E* grad_input = static_cast<E*>(g.grad_input);
  for (Index i = static_cast<Index>(blockIdx.x) * kThreads + threadIdx.x; i < total;
       i += static_cast<Index>(gridDim.x) * kThreads) {
    const Item<Index> at = locate<Index, Vec>(i, groups, out_h, out_w);
    const Index top_left = ((at.n * H + 2 * at.oy) * W + 2 * at.ox) * C + at.channel;
    const Pack<E, Vec> gradient = *reinterpret_cast<const Pack<E, Vec>*>(grad_output + i * Vec);
    const Winners<Vec> winners = *reinterpret_cast<const Winners<Vec>*>(g.argmax + i * Vec);
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      Pack<E, Vec> share;
#pragma unroll
      for (int j = 0; j < Vec; ++j) share.v[j] = winners.v[j] == k ? gradient.v[j] : E(0);
      *reinterpret_cast<Pack<E, Vec>*>(grad_input + top_left + ((k / 2) * W + k % 2) * C) = share;
    }
    // The odd last column and row that no window covers (floor pooling) get their zeros from the windows
    // next to them: two positions beside the last column's windows, two below the last row's, one corner.
    const bool beside = (W & 1) && at.ox == out_w - 1, below = (H & 1) && at.oy == out_h - 1;
    if (beside || below) {
      Pack<E, Vec> zero;
#pragma unroll
      for (int j = 0; j < Vec; ++j) zero.v[j] = E(0);
      if (beside)
        for (Index r = 0; r < 2; ++r) *reinterpret_cast<Pack<E, Vec>*>(grad_input + top_left + (r * W + 2) * C) = zero;
      if (below)
        for (Index c = 0; c < 2; ++c) *reinterpret_cast<Pack<E, Vec>*>(grad_input + top_left + (2 * W + c) * C) = zero;
      if (beside && below) *reinterpret_cast<Pack<E, Vec>*>(grad_input + top_left + (2 * W + 2) * C) = zero;
    }
  }
}

int64_t work_items(const MaxPool2x2Params& p, int vec) {
  return p.batch * (p.height / 2) * (p.width / 2) * (p.channels / vec);
}

unsigned blocks_for(int64_t items) {
  constexpr int64_t kMaxBlocks = int64_t{1} << 20;  // the loops stride over the rest
  return static_cast<unsigned>(std::min<int64_t>((items + kThreads - 1) / kThreads, kMaxBlocks));
}

// Calls launch(E, Vec, Index) with the widest vector the channel count allows and 32-bit indices where
// every offset fits.
template <typename Launch>
void dispatch(const MaxPool2x2Params& p, Launch&& launch) {
  const int elements_per_16_bytes = p.bf16 ? 8 : 4;
  const int vec = p.channels % elements_per_16_bytes == 0 ? elements_per_16_bytes : 1;
  const bool small = p.batch * p.height * p.width * p.channels < (int64_t{1} << 31);
  const auto with_vec = [&](auto element, auto index) {
    using E = decltype(element);
    using Index = decltype(index);
    if (vec == 1) {
      launch(Pack<E, 1>{}, Index{});
    } else if constexpr (sizeof(E) == 2) {
      launch(Pack<E, 8>{}, Index{});
    } else {
      launch(Pack<E, 4>{}, Index{});
    }
  };
  if (p.bf16) {
    small ? with_vec(uint16_t{}, int32_t{}) : with_vec(uint16_t{}, int64_t{});
  } else {
    small ? with_vec(float{}, int32_t{}) : with_vec(float{}, int64_t{});
  }
}

template <typename E, int Vec>
constexpr int vec_of(Pack<E, Vec>) {
  return Vec;
}

}  // namespace

void max_pool2x2_forward_gpu(const MaxPool2x2Params& p, void* stream) {
  dispatch(p, [&](auto pack, auto index) {
    using E = std::remove_reference_t<decltype(pack.v[0])>;
    constexpr int Vec = vec_of(decltype(pack){});
    const int64_t items = work_items(p, Vec);
    if (items == 0) return;
    max_pool_forward_kernel<E, Vec, decltype(index)>
        <<<blocks_for(items), kThreads, 0, static_cast<gpuStream_t>(stream)>>>(p);
    check_launch("max_pool_forward_kernel");
  });
}

void max_pool2x2_backward_gpu(const MaxPool2x2Params& p, const MaxPool2x2Grads& g, void* stream) {
  dispatch(p, [&](auto pack, auto index) {
    using E = std::remove_reference_t<decltype(pack.v[0])>;
    constexpr int Vec = vec_of(decltype(pack){});
    const int64_t items = work_items(p, Vec);
    if (items == 0) return;
    max_pool_backward_kernel<E, Vec, decltype(index)>
        <<<blocks_for(items), kThreads, 0, static_cast<gpuStream_t>(stream)>>>(p, g);
    check_launch("max_pool_backward_kernel");
  });
}

}  // namespace fovea::kernels
