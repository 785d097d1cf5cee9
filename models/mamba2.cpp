#include "models/mamba2.h"

#include <algorithm>
#include <cmath>

#include "models/ops/causal_conv1d_op.h"
#include "models/patch_embedding.h"
#include "models/ssm_reference.h"

namespace fovea::models {
namespace {

namespace nn = torch::nn;

class Mamba2BlockImpl : public nn::Module {
 public:
  explicit Mamba2BlockImpl(const Mamba2Options& o)
      : mixer(register_module("mixer", Mamba2Mixer(o))), norm(register_module("norm", RMSNorm(o.d_model))) {}
  Mamba2Mixer mixer;
  RMSNorm norm;
};
TORCH_MODULE(Mamba2Block);

}  // namespace

Mamba2MixerImpl::Mamba2MixerImpl(const Mamba2Options& o) : o_(o), d_inner_(o.expand * o.d_model) {
  TORCH_CHECK(d_inner_ % o.head_dim == 0, "Mamba-2 inner width must divide into heads of head_dim");
  heads_ = d_inner_ / o.head_dim;
  const int64_t conv_dim = d_inner_ + 2 * o.groups * o.d_state;
  in_proj = register_module("in_proj", nn::Linear(nn::LinearOptions(o.d_model, d_inner_ + conv_dim + heads_).bias(false)));
  conv1d = register_module("conv1d", nn::Conv1d(nn::Conv1dOptions(conv_dim, conv_dim, o.d_conv).groups(conv_dim).padding(o.d_conv - 1)));
  // Mamba-2's initialisation: dt log-uniform in [1e-3, 1e-1] through dt_bias, A uniform in [1, 16], D = 1.
  const torch::Tensor dt = torch::exp(torch::rand({heads_}) * (std::log(0.1) - std::log(1e-3)) + std::log(1e-3)).clamp_min(1e-4);
  dt_bias = register_parameter("dt_bias", dt + torch::log(-torch::expm1(-dt)));
  A_log = register_parameter("A_log", torch::log(torch::empty({heads_}).uniform_(1, 16)));
  D = register_parameter("D", torch::ones({heads_}));
  norm = register_module("norm", RMSNorm(d_inner_));
  out_proj = register_module("out_proj", nn::Linear(nn::LinearOptions(d_inner_, o.d_model).bias(false)));
}

torch::Tensor Mamba2MixerImpl::forward(const torch::Tensor& hidden) {
  const int64_t batch = hidden.size(0), length = hidden.size(1), G = o_.groups, N = o_.d_state, P = o_.head_dim;
  const auto parts = in_proj(hidden).split({d_inner_, d_inner_ + 2 * G * N, heads_}, -1);
  const torch::Tensor& z = parts[0];
  const torch::Tensor dt = torch::softplus(parts[2] + dt_bias);  // (batch, length, heads)
  const torch::Tensor xBC =
      ops::causal_conv1d(parts[1].transpose(1, 2), conv1d->weight.squeeze(1), conv1d->bias, true).transpose(1, 2);
  const auto xbc = xBC.split({d_inner_, G * N, G * N}, -1);
  const torch::Tensor x = xbc[0].reshape({batch, length, heads_, P});
  auto to_heads = [&](const torch::Tensor& t) {
    return t.reshape({batch, length, G, N}).repeat_interleave(heads_ / G, 2);  // (batch, length, heads, N)
  };
  const torch::Tensor A = -torch::exp(A_log.to(torch::kFloat));
  // A sequence shorter than a chunk is one chunk of its own length (no padding to compute).
  const int64_t chunk = std::min(o_.chunk, length);
  torch::Tensor y = ssd_chunked_reference(x * dt.unsqueeze(-1), A * dt, to_heads(xbc[1]), to_heads(xbc[2]), chunk);
  y = y + x * D.view({1, 1, heads_, 1});
  return out_proj(norm->forward_gated(y.reshape({batch, length, d_inner_}), z));
}

Mamba2VisionImpl::Mamba2VisionImpl(const Mamba2VisionOptions& o) {
  const int64_t grid = o.image_size / o.patch_size, dim = o.block.d_model;
  auto patch_embed = register_module("patch_embed", std::make_shared<nn::Module>());
  patch_proj_ = patch_embed->register_module(
      "proj", nn::Conv2d(nn::Conv2dOptions(o.in_channels, dim, o.patch_size).stride(o.patch_size)));
  pos_embed_ = register_parameter("pos_embed", torch::zeros({1, grid * grid, dim}));
  layers_ = register_module("layers", nn::ModuleList());
  for (int64_t i = 0; i < o.depth; ++i) layers_->push_back(Mamba2Block(o.block));
  norm_f_ = register_module("norm_f", RMSNorm(dim));
  head_ = register_module("head", nn::Linear(dim, o.num_classes));
  torch::NoGradGuard no_grad;
  pos_embed_.normal_(0, 0.02).clamp_(-0.04, 0.04);
  for (const auto& layer : *layers_) {
    layer->as<Mamba2Block>()->mixer->out_proj->weight.div_(std::sqrt(2.0 * static_cast<double>(o.depth)));
  }
}

torch::Tensor Mamba2VisionImpl::forward(torch::Tensor images) {
  torch::Tensor x = embed_patches(patch_proj_, images).tokens;
  TORCH_CHECK(x.size(1) == pos_embed_.size(1), "this Mamba-2 model expects ", pos_embed_.size(1), " patches, got ",
              x.size(1));
  x = x + pos_embed_;
  for (const auto& module : *layers_) {
    auto* block = module->as<Mamba2Block>();
    x = x + block->mixer->forward(block->norm->forward(x));
  }
  return head_(norm_f_->forward(x).mean(1));
}

}  // namespace fovea::models
