// The patch embedding of ViT, Vim and Mamba-2 vision models (timm's PatchEmbed: a convolution whose
// kernel and stride are the patch size) as one matrix product over the patches: the image cut into
// patch rows (a reshape and one copy) times the kernel as a matrix. Same arithmetic as the convolution;
// on GPUs the convolution of 3 input channels with a 16x16 kernel runs through a slow padded path (1.8 ms
// of a 24 ms ViT-B/16 batch of 256 on an H200), the product in ~0.1 ms.
#pragma once
#include <torch/nn/modules/conv.h>

namespace fovea::models {

struct PatchTokens {
  torch::Tensor tokens;  // (batch, rows * cols, embed_dim), row-major over the patch grid
  int64_t rows = 0, cols = 0;
};

// `proj` as the models register it (no padding); one with a stride other than its kernel (overlapping
// patches, as some Vim variants use), dilation or groups runs as the convolution it is.
PatchTokens embed_patches(torch::nn::Conv2d& proj, const torch::Tensor& images);

}  // namespace fovea::models
