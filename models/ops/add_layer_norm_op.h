// Residual add + LayerNorm in one pass on LibTorch tensors (kernels/add_layer_norm.h), for inference: no
// autograd. The residual stream is float32; the normalised output is bf16 under CUDA bf16 autocast (what
// the next GEMM takes) and float32 otherwise. Same arithmetic as autocast's float32 add and LayerNorm.
#pragma once
#include <ATen/core/Tensor.h>

namespace fovea::ops {

struct AddLayerNormResult {
  at::Tensor residual;    // residual + branch, float32
  at::Tensor normalized;  // LayerNorm(residual + branch)
};

// Whether add_layer_norm takes this residual stream: float32, at most kAddLayerNormMaxFeatures wide, on
// the CPU or on a GPU this build has kernels for.
bool add_layer_norm_supported(const at::Tensor& residual);

// residual (..., features) float32; branch the same shape, float32 or bf16, or undefined (nothing added);
// weight and bias (features).
AddLayerNormResult add_layer_norm(const at::Tensor& residual, const at::Tensor& branch, const at::Tensor& weight,
                                  const at::Tensor& bias, double eps);

}  // namespace fovea::ops
