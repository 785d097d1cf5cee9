// gelu(conv2d(x, weight, bias)) for a small frozen first layer (kernels/patch_conv.h): stride 1, no padding,
// a square kernel, few input channels. Through Fovea's kernels when x is a channels_last float32 batch on
// the CPU or a GPU with kernels and neither x nor the weight needs a gradient (only the bias may train);
// through LibTorch's conv2d and gelu otherwise. Under CUDA bf16 autocast the output is bf16, as autocast's
// convolution would give.
#pragma once
#include <ATen/core/Tensor.h>

namespace fovea::ops {

bool patch_conv_gelu_uses_kernel(const at::Tensor& x, const at::Tensor& weight);

at::Tensor patch_conv_gelu(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);

}  // namespace fovea::ops
