// Vision Transformer as timm's VisionTransformer (vit_{tiny,small,base}_patch16_224): class token,
// learned absolute position embedding, pre-norm blocks, head on the class token. State-dict keys:
// cls_token, pos_embed, patch_embed.proj, blocks.N.{norm1,attn.qkv,attn.proj,norm2,mlp.fc1,mlp.fc2}, norm, head.
#pragma once
#include <optional>

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "models/image_classifier.h"

namespace fovea::models {

struct ViTOptions {
  int64_t image_size = 224;
  int64_t patch_size = 16;
  int64_t embed_dim = 768;
  int64_t depth = 12;
  int64_t num_heads = 12;
  int64_t mlp_ratio = 4;
  int64_t num_classes = 1000;
  int64_t in_channels = 3;
};

ViTOptions vit_tiny_options();
ViTOptions vit_small_options();
ViTOptions vit_base_options();

class ViTImpl : public ImageClassifier {
 public:
  explicit ViTImpl(const ViTOptions& options);
  torch::Tensor forward(torch::Tensor images) override;
  std::string head_name() const override { return "head"; }
  const ViTOptions& options() const { return options_; }
  // Inference (no gradients) with each residual add fused into the LayerNorm after it
  // (models/ops/add_layer_norm_op.h): on by default on GPUs (ViT-B/16 8,861 -> 10,443 images/s on an H200),
  // off on CPUs, where it is not measured; FOVEA_UNFUSED_ADD_NORM=1 turns it off. Tests force either way.
  void set_fused_add_norm(bool on) { fused_add_norm_ = on; }

 private:
  torch::Tensor blocks_with_fused_add_norm(const torch::Tensor& embedded);
  // The position embedding for a patch grid of (rows, cols), resampled bicubically (as timm's
  // resample_abs_pos_embed) when the input size differs from the one it was trained at.
  torch::Tensor position_embedding(int64_t rows, int64_t cols);

  ViTOptions options_;
  std::optional<bool> fused_add_norm_;  // unset: the device decides
  torch::nn::Conv2d patch_proj_{nullptr};
  torch::Tensor cls_token_, pos_embed_;
  torch::nn::ModuleList blocks_{nullptr};
  torch::nn::LayerNorm norm_{nullptr};
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(ViT);

}  // namespace fovea::models
