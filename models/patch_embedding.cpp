#include "models/patch_embedding.h"

#include <ATen/ATen.h>

namespace fovea::models {

PatchTokens embed_patches(torch::nn::Conv2d& proj, const torch::Tensor& images) {
  const auto& o = proj->options;
  const int64_t ph = (*o.kernel_size())[0], pw = (*o.kernel_size())[1];
  const bool patches = (*o.stride())[0] == ph && (*o.stride())[1] == pw && (*o.dilation())[0] == 1 &&
                       (*o.dilation())[1] == 1 && o.groups() == 1;
  PatchTokens out;
  if (!patches || images.dim() != 4) {
    const torch::Tensor x = proj->forward(images);  // (B, D, rows, cols)
    out.rows = x.size(2);
    out.cols = x.size(3);
    out.tokens = x.flatten(2).transpose(1, 2);
    return out;
  }
  const int64_t batch = images.size(0), channels = images.size(1);
  out.rows = images.size(2) / ph;  // the convolution drops a remainder that fills no whole patch
  out.cols = images.size(3) / pw;
  const at::Tensor grid = images.narrow(2, 0, out.rows * ph).narrow(3, 0, out.cols * pw);
  // (B, C, rows, ph, cols, pw) -> (B, rows, cols, C, ph, pw): each patch's values in the kernel's order.
  const at::Tensor rows_of_patches = grid.reshape({batch, channels, out.rows, ph, out.cols, pw})
                                         .permute({0, 2, 4, 1, 3, 5})
                                         .reshape({batch * out.rows * out.cols, channels * ph * pw});
  const at::Tensor kernel = proj->weight.reshape({proj->weight.size(0), channels * ph * pw});
  out.tokens = at::linear(rows_of_patches, kernel, o.bias() ? proj->bias : at::Tensor())
                   .view({batch, out.rows * out.cols, proj->weight.size(0)});
  return out;
}

}  // namespace fovea::models
