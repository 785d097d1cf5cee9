// GELU(BatchNorm(x)), as at::gelu(at::batch_norm(...)) with autograd, in one fused op each way through
// Fovea's kernels (kernels/batch_norm_gelu.h) for channels_last float32 or bf16 tensors on the CPU or a GPU
// this build has kernels for; LibTorch's batch_norm and gelu otherwise (and under UseReferenceOps).
// The backward keeps only the input, not the normalised and the activated copies.
#pragma once
#include <ATen/core/Tensor.h>

namespace fovea::ops {

// Whether batch_norm_gelu takes Fovea's kernels for this (N, C, H, W) input.
bool batch_norm_gelu_uses_kernel(const at::Tensor& x);

// Arguments as at::batch_norm's: in training the batch's statistics normalise and the running ones are
// updated (running = (1 - momentum) * running + momentum * batch); otherwise the running ones normalise.
// weight, bias, running_mean and running_var may be undefined.
at::Tensor batch_norm_gelu(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                           const at::Tensor& running_mean, const at::Tensor& running_var, bool training,
                           double momentum, double eps);

}  // namespace fovea::ops
