// A small "valid" convolution (stride 1, no padding, k x k) followed by the bias and an exact GELU, for a
// frozen first layer over few input channels: airbench94's 2x2 whitening layer (3 -> 24 channels on RGB).
// cuDNN runs that layer on a direct kernel without tensor cores (3 input channels) and adds the bias in a
// second pass, ~0.2 ms of a 2.6 ms training step; here one thread makes all output channels of one output
// pixel from its k * k * C input values. Only the bias can train (the weights are frozen and the input is
// data): the backward gives the bias gradient alone. NHWC (channels_last) float32 in, float32 or bf16 out.
// Plain pointers and sizes, no LibTorch types.
#pragma once
#include <cstdint>

namespace fovea::kernels {

constexpr int64_t kPatchConvMaxTaps = 16;      // in_channels * kernel * kernel
constexpr int64_t kPatchConvMaxOutputs = 32;   // out_channels

struct PatchConvParams {
  int64_t batch = 0, height = 0, width = 0, in_channels = 0;  // of the input
  int64_t out_channels = 0, kernel = 0;                       // output (height - kernel + 1) x (width - kernel + 1)
  const float* input = nullptr;   // [batch, height, width, in_channels]
  const float* weight = nullptr;  // [out_channels, in_channels, kernel, kernel] (LibTorch's layout)
  const float* bias = nullptr;    // [out_channels]
  bool bf16_out = false;
  void* output = nullptr;         // [batch, out_h, out_w, out_channels]: gelu(convolution + bias)
};

// grad_output: [batch, out_h, out_w, out_channels] of the output's type; grad_bias [out_channels] float32,
// added to (zero it first).
struct PatchConvBiasGrad {
  const void* grad_output = nullptr;
  float* grad_bias = nullptr;
};

// References over batch rows [n_begin, n_end); the backward adds that range's sums into grad_bias.
void patch_conv_gelu_cpu(const PatchConvParams& p, int64_t n_begin, int64_t n_end);
void patch_conv_gelu_bias_grad_cpu(const PatchConvParams& p, const PatchConvBiasGrad& g, int64_t n_begin, int64_t n_end);

void patch_conv_gelu_gpu(const PatchConvParams& p, void* stream);
void patch_conv_gelu_bias_grad_gpu(const PatchConvParams& p, const PatchConvBiasGrad& g, void* stream);

}  // namespace fovea::kernels
