// GPU selective scan: one thread per channel (b, d), the recurrence in registers; the backward
// recomputes states per chunk into shared memory (see selective_scan_channel.h).
#include <stdexcept>

#include "kernels/gpu_portability.h"
#include "kernels/selective_scan.h"
#include "kernels/selective_scan_channel.h"

namespace fovea::kernels {
namespace {

constexpr int kThreads = 64;

// Steps recomputed per chunk in the backward: 128 floats of shared memory per thread (32 KB a block).
template <int MaxN>
constexpr int64_t kChunk = 128 / MaxN;

template <int MaxN>
__global__ void __launch_bounds__(kThreads) scan_fwd_kernel(const SelectiveScanParams p) {
  const int64_t id = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (id >= p.batch * p.dim) return;
  scan_detail::forward_channel<MaxN>(p, id / p.dim, id % p.dim);
}

template <int MaxN>
__global__ void __launch_bounds__(kThreads) scan_bwd_kernel(const SelectiveScanParams p, const SelectiveScanGrads g,
                                                            float* scratch) {
  constexpr int64_t chunk = kChunk<MaxN>;
  __shared__ float states[kThreads * chunk * MaxN];
  const int64_t id = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (id >= p.batch * p.dim) return;
  const int64_t chunks = (p.length + chunk - 1) / chunk;
  scan_detail::backward_channel<MaxN>(p, g, id / p.dim, id % p.dim, chunk, scratch + id * chunks * p.state,
                                      states + threadIdx.x * chunk * MaxN);
}

void check(const SelectiveScanParams& p) {
  if (p.state < 1 || p.state > kMaxScanState) throw std::invalid_argument("selective scan: state size must be 1..64");
  if (p.groups < 1 || p.dim % p.groups != 0) throw std::invalid_argument("selective scan: groups must divide dim");
}

unsigned blocks_for(const SelectiveScanParams& p) {
  return static_cast<unsigned>((p.batch * p.dim + kThreads - 1) / kThreads);
}

}  // namespace

void selective_scan_fwd_gpu(const SelectiveScanParams& p, void* stream) {
  check(p);
  if (p.batch * p.dim == 0 || p.length == 0) return;
  const auto s = static_cast<gpuStream_t>(stream);
  if (p.state <= 16) {
    scan_fwd_kernel<16><<<blocks_for(p), kThreads, 0, s>>>(p);
  } else if (p.state <= 32) {
    scan_fwd_kernel<32><<<blocks_for(p), kThreads, 0, s>>>(p);
  } else {
    scan_fwd_kernel<64><<<blocks_for(p), kThreads, 0, s>>>(p);
  }
  check_launch("selective_scan_fwd");
}

size_t selective_scan_bwd_scratch_floats(const SelectiveScanParams& p) {
  const int64_t chunk = p.state <= 16 ? kChunk<16> : (p.state <= 32 ? kChunk<32> : kChunk<64>);
  return static_cast<size_t>(p.batch * p.dim * ((p.length + chunk - 1) / chunk) * p.state);
}

void selective_scan_bwd_gpu(const SelectiveScanParams& p, const SelectiveScanGrads& g, float* scratch, void* stream) {
  check(p);
  if (p.batch * p.dim == 0 || p.length == 0) return;
  const auto s = static_cast<gpuStream_t>(stream);
  if (p.state <= 16) {
    scan_bwd_kernel<16><<<blocks_for(p), kThreads, 0, s>>>(p, g, scratch);
  } else if (p.state <= 32) {
    scan_bwd_kernel<32><<<blocks_for(p), kThreads, 0, s>>>(p, g, scratch);
  } else {
    scan_bwd_kernel<64><<<blocks_for(p), kThreads, 0, s>>>(p, g, scratch);
  }
  check_launch("selective_scan_bwd");
}

}  // namespace fovea::kernels
