#include <cmath>
#include <vector>

#include "kernels/add_layer_norm.h"
#include "kernels/bf16.h"

namespace fovea::kernels {
namespace {

float load(const void* base, NormIo type, int64_t i) {
  return type == NormIo::F32 ? static_cast<const float*>(base)[i] : bf16_to_float(static_cast<const uint16_t*>(base)[i]);
}

void store(void* base, NormIo type, int64_t i, float v) {
  if (type == NormIo::F32) {
    static_cast<float*>(base)[i] = v;
  } else {
    static_cast<uint16_t*>(base)[i] = float_to_bf16(v);
  }
}

}  // namespace

void add_layer_norm_cpu(const AddLayerNormParams& p, int64_t row_begin, int64_t row_end) {
  const int64_t F = p.features;
  std::vector<float> sum(static_cast<size_t>(F));
  for (int64_t r = row_begin; r < row_end; ++r) {
    double mean = 0;
    for (int64_t i = 0; i < F; ++i) {
      const int64_t at = r * F + i;
      sum[i] = p.residual[at] + (p.branch ? load(p.branch, p.branch_type, at) : 0.0f);
      p.residual_out[at] = sum[i];
      mean += sum[i];
    }
    mean /= static_cast<double>(F);
    double variance = 0;
    for (int64_t i = 0; i < F; ++i) variance += (sum[i] - mean) * (sum[i] - mean);
    const double rstd = 1.0 / std::sqrt(variance / static_cast<double>(F) + p.eps);
    for (int64_t i = 0; i < F; ++i)
      store(p.normalized, p.normalized_type, r * F + i,
            static_cast<float>((sum[i] - mean) * rstd) * p.weight[i] + p.bias[i]);
  }
}

}  // namespace fovea::kernels
