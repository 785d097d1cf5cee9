#include "models/vit.h"

#include <torch/nn/functional/upsampling.h>
#include <torch/nn/init.h>
#include <torch/nn/module.h>

#include <torch/autograd.h>

#include <cmath>
#include <cstdlib>

#include "models/attention.h"
#include "models/linear.h"
#include "models/ops/add_layer_norm_op.h"
#include "models/patch_embedding.h"

namespace fovea::models {
namespace {

namespace nn = torch::nn;

constexpr double kLayerNormEps = 1e-6;  // timm's ViT

nn::LayerNorm layer_norm(int64_t dim) { return nn::LayerNorm(nn::LayerNormOptions({dim}).eps(kLayerNormEps)); }

class AttentionImpl : public nn::Module {
 public:
  AttentionImpl(int64_t dim, int64_t heads)
      : heads_(heads),
        qkv(register_module("qkv", nn::Linear(dim, 3 * dim))),
        proj(register_module("proj", nn::Linear(dim, dim))) {}
  torch::Tensor forward(const torch::Tensor& x) {
    const int64_t B = x.size(0), N = x.size(1), C = x.size(2);
    const auto parts = linear(qkv, x).reshape({B, N, 3, heads_, C / heads_}).permute({2, 0, 3, 1, 4}).unbind(0);
    const torch::Tensor y = attention(parts[0], parts[1], parts[2]);  // (B, heads, N, head_dim)
    return linear(proj, y.transpose(1, 2).reshape({B, N, C}));
  }

 private:
  int64_t heads_;

 public:
  nn::Linear qkv, proj;
};
TORCH_MODULE(Attention);

class MlpImpl : public nn::Module {
 public:
  MlpImpl(int64_t dim, int64_t hidden)
      : fc1(register_module("fc1", nn::Linear(dim, hidden))), fc2(register_module("fc2", nn::Linear(hidden, dim))) {}
  torch::Tensor forward(const torch::Tensor& x) { return linear(fc2, torch::gelu(linear(fc1, x))); }  // exact (erf) GELU, as timm
  nn::Linear fc1, fc2;
};
TORCH_MODULE(Mlp);

class BlockImpl : public nn::Module {
 public:
  BlockImpl(int64_t dim, int64_t heads, int64_t mlp_ratio)
      : norm1(register_module("norm1", layer_norm(dim))),
        attn(register_module("attn", Attention(dim, heads))),
        norm2(register_module("norm2", layer_norm(dim))),
        mlp(register_module("mlp", Mlp(dim, dim * mlp_ratio))) {}
  torch::Tensor forward(torch::Tensor x) {
    x = x + attn(norm1(x));
    return x + mlp(norm2(x));
  }
  nn::LayerNorm norm1;
  Attention attn;
  nn::LayerNorm norm2;
  Mlp mlp;
};
TORCH_MODULE(Block);

// timm's init: truncated normal (std 0.02) for linear weights and the position embedding,
// small normal for the class token, zero biases.
void trunc_normal_(torch::Tensor t, double std) {
  torch::NoGradGuard no_grad;
  t.normal_(0, std).clamp_(-2 * std, 2 * std);
}

}  // namespace

ViTOptions vit_tiny_options() { return {224, 16, 192, 12, 3}; }
ViTOptions vit_small_options() { return {224, 16, 384, 12, 6}; }
ViTOptions vit_base_options() { return {224, 16, 768, 12, 12}; }

ViTImpl::ViTImpl(const ViTOptions& o) : options_(o) {
  TORCH_CHECK(o.embed_dim % o.num_heads == 0, "ViT embedding width must divide into its heads");
  const int64_t grid = o.image_size / o.patch_size;
  // Registration order is timm's: cls_token, pos_embed, patch_embed, blocks, norm, head.
  cls_token_ = register_parameter("cls_token", torch::zeros({1, 1, o.embed_dim}));
  pos_embed_ = register_parameter("pos_embed", torch::zeros({1, grid * grid + 1, o.embed_dim}));
  auto patch_embed = register_module("patch_embed", std::make_shared<nn::Module>());
  patch_proj_ = patch_embed->register_module(
      "proj", nn::Conv2d(nn::Conv2dOptions(o.in_channels, o.embed_dim, o.patch_size).stride(o.patch_size)));
  blocks_ = register_module("blocks", nn::ModuleList());
  for (int64_t i = 0; i < o.depth; ++i) blocks_->push_back(Block(o.embed_dim, o.num_heads, o.mlp_ratio));
  norm_ = register_module("norm", layer_norm(o.embed_dim));
  head_ = register_module("head", nn::Linear(o.embed_dim, o.num_classes));

  trunc_normal_(pos_embed_, 0.02);
  torch::NoGradGuard no_grad;
  cls_token_.normal_(0, 1e-6);
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* linear = module->as<nn::Linear>()) {
      trunc_normal_(linear->weight, 0.02);
      linear->bias.zero_();
    }
  }
}

torch::Tensor ViTImpl::position_embedding(int64_t rows, int64_t cols) {
  const int64_t grid = options_.image_size / options_.patch_size;
  if (rows == grid && cols == grid) return pos_embed_;
  const int64_t D = options_.embed_dim;
  const torch::Tensor cls = pos_embed_.slice(1, 0, 1);
  torch::Tensor patches = pos_embed_.slice(1, 1).reshape({1, grid, grid, D}).permute({0, 3, 1, 2});
  patches = torch::nn::functional::interpolate(patches, torch::nn::functional::InterpolateFuncOptions()
                                                             .size(std::vector<int64_t>{rows, cols})
                                                             .mode(torch::kBicubic)
                                                             .align_corners(false));
  return torch::cat({cls, patches.permute({0, 2, 3, 1}).reshape({1, rows * cols, D})}, 1);
}

torch::Tensor ViTImpl::forward(torch::Tensor images) {
  const PatchTokens patches = embed_patches(patch_proj_, images);
  torch::Tensor x = patches.tokens;
  x = torch::cat({cls_token_.expand({x.size(0), 1, -1}), x}, 1) + position_embedding(patches.rows, patches.cols);
  static const bool unfused = std::getenv("FOVEA_UNFUSED_ADD_NORM") != nullptr;
  const bool fused = fused_add_norm_.value_or(x.is_cuda() && !unfused);
  if (fused && !torch::GradMode::is_enabled() && ops::add_layer_norm_supported(x))
    return head_(blocks_with_fused_add_norm(x).select(1, 0));
  for (const auto& block : *blocks_) x = block->as<Block>()->forward(x);
  x = norm_(x);
  return head_(x.select(1, 0));
}

// The blocks as forward() runs them, each residual add fused with the LayerNorm after it (the next
// block's norm1, or the final norm): the float32 stream is read and written once per add instead of by an
// add, a LayerNorm and a cast. Returns the final norm's output.
torch::Tensor ViTImpl::blocks_with_fused_add_norm(const torch::Tensor& embedded) {
  const auto add_norm = [](const torch::Tensor& residual, const torch::Tensor& branch, const nn::LayerNorm& norm) {
    return ops::add_layer_norm(residual, branch, norm->weight, norm->bias, kLayerNormEps);
  };
  const std::vector<std::shared_ptr<nn::Module>> blocks(blocks_->begin(), blocks_->end());
  ops::AddLayerNormResult state = add_norm(embedded, {}, blocks.front()->as<Block>()->norm1);
  for (size_t i = 0; i < blocks.size(); ++i) {
    BlockImpl& block = *blocks[i]->as<Block>();
    state = add_norm(state.residual, block.attn(state.normalized), block.norm2);
    state = add_norm(state.residual, block.mlp(state.normalized),
                     i + 1 < blocks.size() ? blocks[i + 1]->as<Block>()->norm1 : norm_);
  }
  return state.normalized;
}

}  // namespace fovea::models
