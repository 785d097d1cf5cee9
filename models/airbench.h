// The fast CIFAR-10 network of the airbench94 recipe (Keller Jordan): a frozen 2x2 patch-whitening
// conv (initialised from data by the training preset), three conv groups (64/256/256) of
// conv-pool-BN-GELU-conv-BN-GELU, a max-pool, and a bias-free linear head scaled by 1/9.
// Keys follow airbench's nn.Sequential: 0 (whitening conv), 2/3/4.{conv1,norm1,conv2,norm2}, 7 (head).
#pragma once
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "models/image_classifier.h"

namespace fovea::models {

struct AirbenchOptions {
  int64_t in_channels = 3;
  int64_t num_classes = 10;
  int64_t widths[3] = {64, 256, 256};
  double batchnorm_momentum = 0.6;  // airbench's convention: the weight kept of the running average
  double logit_scale = 1.0 / 9.0;
};

class AirbenchConvGroupImpl : public torch::nn::Module {
 public:
  AirbenchConvGroupImpl(int64_t in, int64_t out, double momentum);
  torch::Tensor forward(torch::Tensor x);
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::BatchNorm2d norm1{nullptr}, norm2{nullptr};
};
TORCH_MODULE(AirbenchConvGroup);

class AirbenchNetImpl : public ImageClassifier {
 public:
  explicit AirbenchNetImpl(const AirbenchOptions& options);
  torch::Tensor forward(torch::Tensor images) override;
  std::string head_name() const override { return "7"; }
  FeaturesAndLogits forward_with_features(torch::Tensor images) override;
  torch::nn::Conv2d& whitening() { return whiten_; }

  // airbench's data-dependent initialisation of the whitening conv: the eigenvectors of the covariance
  // of all 2x2 patches of `images` (N, C, H, W, normalised as for training), scaled by
  // 1/sqrt(eigenvalue + eps), as filters, followed by their negatives (largest eigenvalue first).
  void init_whitening(const torch::Tensor& images, double eps = 5e-4);
  static constexpr int64_t kWhitenKernel = 2;

 private:
  AirbenchOptions options_;
  torch::nn::Conv2d whiten_{nullptr};
  AirbenchConvGroup group1_{nullptr}, group2_{nullptr}, group3_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(AirbenchNet);

}  // namespace fovea::models
