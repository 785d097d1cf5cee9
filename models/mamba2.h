// A Mamba-2 block (mamba_ssm's Mamba2: state-space duality, chunked scan) and a small vision model
// built from it ("mamba2" family): patch embedding, pre-norm residual Mamba-2 blocks, mean pooling.
// Mixer keys as mamba_ssm: in_proj, conv1d, dt_bias, A_log, D, norm.weight, out_proj.
#pragma once
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "models/image_classifier.h"
#include "models/rms_norm.h"

namespace fovea::models {

struct Mamba2Options {
  int64_t d_model = 192;
  int64_t d_state = 64;
  int64_t d_conv = 4;
  int64_t expand = 2;
  int64_t head_dim = 32;
  int64_t groups = 1;
  int64_t chunk = 256;
};

class Mamba2MixerImpl : public torch::nn::Module {
 public:
  explicit Mamba2MixerImpl(const Mamba2Options& options);
  torch::Tensor forward(const torch::Tensor& hidden);  // (batch, length, d_model)

  torch::nn::Linear in_proj{nullptr}, out_proj{nullptr};
  torch::nn::Conv1d conv1d{nullptr};
  torch::Tensor dt_bias, A_log, D;
  RMSNorm norm{nullptr};

 private:
  Mamba2Options o_;
  int64_t d_inner_, heads_;
};
TORCH_MODULE(Mamba2Mixer);

struct Mamba2VisionOptions {
  int64_t image_size = 224;
  int64_t patch_size = 16;
  int64_t depth = 12;
  Mamba2Options block;
  int64_t num_classes = 1000;
  int64_t in_channels = 3;
};

class Mamba2VisionImpl : public ImageClassifier {
 public:
  explicit Mamba2VisionImpl(const Mamba2VisionOptions& options);
  torch::Tensor forward(torch::Tensor images) override;
  std::string head_name() const override { return "head"; }

 private:
  torch::nn::Conv2d patch_proj_{nullptr};
  torch::Tensor pos_embed_;
  torch::nn::ModuleList layers_{nullptr};
  RMSNorm norm_f_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(Mamba2Vision);

}  // namespace fovea::models
