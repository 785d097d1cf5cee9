// Vision Mamba (hustvl/Vim, models_mamba.py) with bidirectional Mamba v2 blocks ("bimambav2"),
// absolute position embedding, a class token in the middle of the sequence, the residual stream
// kept in float32, and the output of both directions averaged ("div2"). State-dict keys as the original:
// patch_embed.proj, cls_token, pos_embed, layers.N.{norm, mixer.{in_proj, conv1d, conv1d_b, x_proj,
// x_proj_b, dt_proj, dt_proj_b, A_log, A_b_log, D, D_b, out_proj}}, norm_f, head.
#pragma once
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "models/image_classifier.h"
#include "models/rms_norm.h"

namespace fovea::models {

struct VimOptions {
  int64_t image_size = 224;
  int64_t patch_size = 16;
  int64_t stride = 16;
  int64_t embed_dim = 192;
  int64_t depth = 24;
  int64_t d_state = 16;
  int64_t expand = 2;
  int64_t d_conv = 4;
  int64_t num_classes = 1000;
  int64_t in_channels = 3;
};

VimOptions vim_tiny_options();
VimOptions vim_small_options();
VimOptions vim_small_stride8_options();

// One direction's parameters of the mixer.
struct MambaBranch {
  torch::nn::Conv1d conv1d{nullptr};
  torch::nn::Linear x_proj{nullptr}, dt_proj{nullptr};
  torch::Tensor A_log, D;
};

class BiMambaMixerImpl : public torch::nn::Module {
 public:
  BiMambaMixerImpl(int64_t d_model, int64_t d_state, int64_t expand, int64_t d_conv);
  torch::Tensor forward(const torch::Tensor& hidden);  // (batch, length, d_model)

  torch::nn::Linear in_proj{nullptr}, out_proj{nullptr};
  MambaBranch forward_branch, backward_branch;

 private:
  torch::Tensor scan(MambaBranch& branch, const torch::Tensor& x, const torch::Tensor& z);
  int64_t d_inner_, d_state_, dt_rank_;
};
TORCH_MODULE(BiMambaMixer);

class VimImpl : public ImageClassifier {
 public:
  explicit VimImpl(const VimOptions& options);
  torch::Tensor forward(torch::Tensor images) override;
  std::string head_name() const override { return "head"; }

 private:
  VimOptions options_;
  torch::nn::Conv2d patch_proj_{nullptr};
  torch::Tensor cls_token_, pos_embed_;
  torch::nn::ModuleList layers_{nullptr};
  RMSNorm norm_f_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(Vim);

}  // namespace fovea::models
