// A Linear layer applied through ATen's fused op. The C++ frontend's nn::Linear::forward turns a 3-D
// input into a matmul followed by an in-place bias add; under bf16 autocast that adds an fp32 bias to a
// bf16 product with a slow mixed-dtype kernel (40 % of a ViT-B/16 forward on an H200). at::linear is one
// op: autocast casts the bias with the weight and cuBLAS adds it in the GEMM's epilogue.
#pragma once
#include <ATen/ATen.h>
#include <torch/nn/modules/linear.h>

namespace fovea::models {

inline at::Tensor linear(const torch::nn::Linear& layer, const at::Tensor& x) {
  return at::linear(x, layer->weight, layer->bias);
}

}  // namespace fovea::models
