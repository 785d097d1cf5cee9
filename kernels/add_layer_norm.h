// Residual add + LayerNorm in one pass, for transformer inference under bf16 autocast: the residual
// stream stays float32 (as autocast keeps it), the branch's output (bf16 from the GEMM, or float32) is
// added into it, and the sum is normalised in float32 and written in the dtype the next GEMM takes.
// Replaces autocast's float32 add, float32 LayerNorm and cast back to bf16 (three passes and two float32
// intermediates) with one. Plain pointers and sizes, no LibTorch types.
#pragma once
#include <cstdint>

namespace fovea::kernels {

enum class NormIo { F32, BF16 };

struct AddLayerNormParams {
  int64_t rows = 0, features = 0;          // features <= kAddLayerNormMaxFeatures on the GPU
  const float* residual = nullptr;         // [rows, features] float32
  const void* branch = nullptr;            // [rows, features] added to it; nullptr: nothing added
  NormIo branch_type = NormIo::BF16;
  float* residual_out = nullptr;           // [rows, features] float32: residual + branch (may be `residual`)
  const float* weight = nullptr;           // [features] LayerNorm scale
  const float* bias = nullptr;             // [features] LayerNorm shift
  float eps = 1e-6f;
  void* normalized = nullptr;              // [rows, features] LayerNorm(residual + branch)
  NormIo normalized_type = NormIo::BF16;
};

constexpr int64_t kAddLayerNormMaxFeatures = 1024;

// Reference over rows [row_begin, row_end): float32 sums in the order the GPU kernel adds them is not
// promised; mean and variance are computed in double here.
void add_layer_norm_cpu(const AddLayerNormParams& p, int64_t row_begin, int64_t row_end);

void add_layer_norm_gpu(const AddLayerNormParams& p, void* stream);

}  // namespace fovea::kernels
