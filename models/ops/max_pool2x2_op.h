// 2x2 max pooling with stride 2, as at::max_pool2d(x, 2), with autograd: through Fovea's kernels
// (kernels/max_pool2x2.h: one byte per output for the backward instead of LibTorch's int64 indices) for
// channels_last float32 or bf16 tensors on the CPU or a GPU this build has kernels for; LibTorch's own
// max_pool2d otherwise.
#pragma once
#include <ATen/core/Tensor.h>

namespace fovea::ops {

// Whether max_pool2x2 takes Fovea's kernels for this (N, C, H, W) tensor.
bool max_pool2x2_uses_kernel(const at::Tensor& x);

at::Tensor max_pool2x2(const at::Tensor& x);

}  // namespace fovea::ops
