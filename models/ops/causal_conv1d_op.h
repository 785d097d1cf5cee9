// Differentiable depthwise causal conv1d on LibTorch tensors, computed by Fovea's kernels (GPU kernel
// for GPU tensors in builds with GPU kernels, CPU kernel otherwise). Same semantics as
// models::causal_conv1d_reference, which the tests compare it with.
#pragma once
#include <ATen/core/Tensor.h>

namespace fovea::ops {

// x (batch, dim, length) float32 or bfloat16; weight (dim, width) with width 2..4; bias (dim) or undefined.
at::Tensor causal_conv1d(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool silu);

}  // namespace fovea::ops
