// The common interface of every model in the zoo: images in (N, C, H, W), logits out (N, classes).
#pragma once
#include <string>

#include <torch/nn/module.h>

namespace fovea::models {

class ImageClassifier : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(torch::Tensor images) = 0;
  // Name of the final classification layer in the state dict ("fc" for ResNet, "head" for ViT),
  // so that fine-tuning can replace it when the class count differs.
  virtual std::string head_name() const = 0;

  // CNNs: the last convolutional feature map (N, C, h, w) and the logits computed from it, for saliency
  // maps (Grad-CAM). Models without one return an undefined feature map.
  struct FeaturesAndLogits {
    torch::Tensor features, logits;
  };
  virtual FeaturesAndLogits forward_with_features(torch::Tensor images) { return {torch::Tensor(), forward(images)}; }
};

// Number of trainable parameters (what torchvision/timm report as the parameter count).
int64_t parameter_count(const torch::nn::Module& module);

}  // namespace fovea::models
