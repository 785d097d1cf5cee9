// Scaled dot-product attention: LibTorch's fused kernel where it exists (2.0+), the math otherwise.
#pragma once
#include <ATen/core/Tensor.h>

namespace fovea::models {

// q, k, v: (batch, heads, tokens, head_dim) -> (batch, heads, tokens, head_dim); no mask, no dropout.
at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);

}  // namespace fovea::models
