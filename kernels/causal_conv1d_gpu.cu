// GPU causal conv1d: one thread per output position, consecutive threads on consecutive time steps
// of one (batch, channel) row, so every read and write is coalesced; the weight gradients are summed
// over the block in shared memory before one atomic per block.
#include <stdexcept>

#include "kernels/causal_conv1d.h"
#include "kernels/causal_conv1d_point.h"
#include "kernels/gpu_portability.h"

namespace fovea::kernels {
namespace {

constexpr int kThreads = 256;

__global__ void __launch_bounds__(kThreads) conv_fwd_kernel(const CausalConv1dParams p) {
  const int64_t row = blockIdx.x, d = row % p.dim;
  const int64_t t = static_cast<int64_t>(blockIdx.y) * kThreads + threadIdx.x;
  if (t >= p.length) return;
  scan_detail::store(p.dtype, p.out, row * p.length + t,
                     conv_detail::activate(p, conv_detail::pre_activation(p, row, d, t)));
}

__global__ void __launch_bounds__(kThreads) conv_bwd_kernel(const CausalConv1dParams p, const CausalConv1dGrads g) {
  __shared__ float partial[5][kThreads];  // dweight[0..width) and dbias of each thread
  const int64_t row = blockIdx.x, d = row % p.dim;
  const int64_t t = static_cast<int64_t>(blockIdx.y) * kThreads + threadIdx.x;
  float contribution[5] = {0, 0, 0, 0, 0};
  if (t < p.length) {
    const float grad = conv_detail::dpre(p, g, row, d, t);
    for (int64_t k = 0; k < p.width; ++k) {
      const int64_t src = t - (p.width - 1) + k;
      if (src >= 0) contribution[k] = grad * scan_detail::load(p.dtype, p.x, row * p.length + src);
    }
    contribution[4] = grad;
    scan_detail::store(p.dtype, g.dx, row * p.length + t, conv_detail::dx_at(p, g, row, d, t));
  }
  for (int k = 0; k < 5; ++k) partial[k][threadIdx.x] = contribution[k];
  __syncthreads();
  for (int stride = kThreads / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) {
      for (int k = 0; k < 5; ++k) partial[k][threadIdx.x] += partial[k][threadIdx.x + stride];
    }
    __syncthreads();
  }
  if (threadIdx.x == 0) {
    for (int64_t k = 0; k < p.width; ++k) atomicAdd(g.dweight + d * p.width + k, partial[k][0]);
    if (g.dbias) atomicAdd(g.dbias + d, partial[4][0]);
  }
}

dim3 grid_for(const CausalConv1dParams& p) {
  return dim3(static_cast<unsigned>(p.batch * p.dim), static_cast<unsigned>((p.length + kThreads - 1) / kThreads));
}

void check(const CausalConv1dParams& p) {
  if (p.width < 2 || p.width > 4) throw std::invalid_argument("causal conv1d: width must be 2..4");
}

}  // namespace

void causal_conv1d_fwd_gpu(const CausalConv1dParams& p, void* stream) {
  check(p);
  if (p.batch * p.dim == 0 || p.length == 0) return;
  conv_fwd_kernel<<<grid_for(p), kThreads, 0, static_cast<gpuStream_t>(stream)>>>(p);
  check_launch("causal_conv1d_fwd");
}

void causal_conv1d_bwd_gpu(const CausalConv1dParams& p, const CausalConv1dGrads& g, void* stream) {
  check(p);
  if (p.batch * p.dim == 0 || p.length == 0) return;
  conv_bwd_kernel<<<grid_for(p), kThreads, 0, static_cast<gpuStream_t>(stream)>>>(p, g);
  check_launch("causal_conv1d_bwd");
}

}  // namespace fovea::kernels
