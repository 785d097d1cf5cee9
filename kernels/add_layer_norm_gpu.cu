// GPU residual add + LayerNorm (see add_layer_norm.h); the CPU reference is add_layer_norm_cpu.cpp.
// A warp per row, the row in registers (up to kPerLane values a lane, consecutive lanes on consecutive
// features so every access is coalesced), mean and variance by warp sums in float32, two passes over
// the registers (the variance from the deviations, not from E[x^2] - mean^2).
#include <stdexcept>

#include "kernels/gpu_portability.h"  // first: the vendor runtime defines the device keywords

#include "kernels/add_layer_norm.h"
#include "kernels/bf16.h"

namespace fovea::kernels {
namespace {

constexpr int kWarps = 8;
constexpr int kThreads = kWarps * FOVEA_WARP_SIZE;
constexpr int kPerLane = static_cast<int>((kAddLayerNormMaxFeatures + FOVEA_WARP_SIZE - 1) / FOVEA_WARP_SIZE);

__device__ __forceinline__ float load(const void* base, NormIo type, int64_t i) {
  return type == NormIo::F32 ? static_cast<const float*>(base)[i] : bf16_to_float(static_cast<const uint16_t*>(base)[i]);
}

__device__ __forceinline__ void store(void* base, NormIo type, int64_t i, float v) {
  if (type == NormIo::F32) {
    static_cast<float*>(base)[i] = v;
  } else {
    static_cast<uint16_t*>(base)[i] = float_to_bf16(v);
  }
}

__global__ void __launch_bounds__(kThreads) add_layer_norm_kernel(const AddLayerNormParams p) {
  const int lane = threadIdx.x % FOVEA_WARP_SIZE;
  const int64_t row = static_cast<int64_t>(blockIdx.x) * kWarps + threadIdx.x / FOVEA_WARP_SIZE;
  if (row >= p.rows) return;  // whole warps leave together: rows are per warp
  const int F = static_cast<int>(p.features);
  const int64_t base = row * p.features;
  float v[kPerLane];
  float sum = 0.0f;
#pragma unroll
  for (int k = 0; k < kPerLane; ++k) {  // all loads first, then the stores
    const int i = lane + k * FOVEA_WARP_SIZE;
    v[k] = 0.0f;
    if (i < F) {
      v[k] = p.residual[base + i] + (p.branch ? load(p.branch, p.branch_type, base + i) : 0.0f);
      sum += v[k];
    }
  }
#pragma unroll
  for (int k = 0; k < kPerLane; ++k) {
    const int i = lane + k * FOVEA_WARP_SIZE;
    if (i < F) p.residual_out[base + i] = v[k];
  }
  const float mean = gpu_warp_total(sum) / static_cast<float>(F);
  float squares = 0.0f;
#pragma unroll
  for (int k = 0; k < kPerLane; ++k) {
    const int i = lane + k * FOVEA_WARP_SIZE;
    if (i < F) squares += (v[k] - mean) * (v[k] - mean);
  }
  const float rstd = rsqrtf(gpu_warp_total(squares) / static_cast<float>(F) + p.eps);
#pragma unroll
  for (int k = 0; k < kPerLane; ++k) {
    const int i = lane + k * FOVEA_WARP_SIZE;
    if (i < F) store(p.normalized, p.normalized_type, base + i, (v[k] - mean) * rstd * p.weight[i] + p.bias[i]);
  }
}

}  // namespace

void add_layer_norm_gpu(const AddLayerNormParams& p, void* stream) {
  if (p.features < 1 || p.features > kAddLayerNormMaxFeatures)
    throw std::invalid_argument("add_layer_norm: features must be 1.." + std::to_string(kAddLayerNormMaxFeatures));
  if (p.rows == 0) return;
  const auto blocks = static_cast<unsigned>((p.rows + kWarps - 1) / kWarps);
  add_layer_norm_kernel<<<blocks, kThreads, 0, static_cast<gpuStream_t>(stream)>>>(p);
  check_launch("add_layer_norm_kernel");
}

}  // namespace fovea::kernels
