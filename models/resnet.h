// ResNet-18/34/50 with torchvision's architecture (V1.5: stride in the 3x3 conv of a bottleneck)
// and torchvision's state-dict keys: conv1, bn1, layer1.0.conv1, ..., layerN.0.downsample.{0,1}, fc.
#pragma once
#include <vector>

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/pooling.h>

#include "models/image_classifier.h"

namespace fovea::models {

enum class ResNetBlock { Basic, Bottleneck };

struct ResNetOptions {
  ResNetBlock block = ResNetBlock::Basic;
  std::vector<int64_t> layers = {2, 2, 2, 2};
  int64_t num_classes = 1000;
  int64_t in_channels = 3;
  // CIFAR stem: 3x3 stride-1 first conv and no max-pool, for 32x32-sized images.
  bool cifar_stem = false;
};

ResNetOptions resnet18_options();
ResNetOptions resnet34_options();
ResNetOptions resnet50_options();

class ResNetImpl : public ImageClassifier {
 public:
  explicit ResNetImpl(const ResNetOptions& options);
  torch::Tensor forward(torch::Tensor images) override;
  std::string head_name() const override { return "fc"; }
  FeaturesAndLogits forward_with_features(torch::Tensor images) override;
  const ResNetOptions& options() const { return options_; }

 private:
  torch::nn::Sequential make_layer(int64_t planes, int64_t blocks, int64_t stride);

  ResNetOptions options_;
  int64_t inplanes_ = 64;
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::BatchNorm2d bn1_{nullptr};
  torch::nn::MaxPool2d maxpool_{nullptr};
  torch::nn::Sequential layer1_{nullptr}, layer2_{nullptr}, layer3_{nullptr}, layer4_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(ResNet);

}  // namespace fovea::models
