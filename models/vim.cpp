#include "models/vim.h"

#include <torch/nn/init.h>

#include <cmath>

#include "models/patch_embedding.h"
#include "models/ops/selective_scan_op.h"
#include "models/ops/causal_conv1d_op.h"
#include "models/ssm_reference.h"

namespace fovea::models {
namespace {

namespace nn = torch::nn;

// Mamba's initialisation of one direction: dt spread log-uniformly over [1e-3, 1e-1] through the
// bias (inverse softplus), A = -[1..N] per channel (stored as its log), D = 1.
MambaBranch make_branch(nn::Module& owner, const std::string& suffix, int64_t d_inner, int64_t d_state,
                        int64_t dt_rank, int64_t d_conv) {
  MambaBranch b;
  b.conv1d = owner.register_module(
      "conv1d" + suffix, nn::Conv1d(nn::Conv1dOptions(d_inner, d_inner, d_conv).groups(d_inner).padding(d_conv - 1)));
  b.x_proj = owner.register_module("x_proj" + suffix, nn::Linear(nn::LinearOptions(d_inner, dt_rank + 2 * d_state).bias(false)));
  b.dt_proj = owner.register_module("dt_proj" + suffix, nn::Linear(dt_rank, d_inner));
  const std::string a_name = suffix.empty() ? "A_log" : "A" + suffix + "_log";
  b.A_log = owner.register_parameter(a_name, torch::log(torch::arange(1, d_state + 1, torch::kFloat)).repeat({d_inner, 1}));
  b.D = owner.register_parameter("D" + suffix, torch::ones({d_inner}));

  torch::NoGradGuard no_grad;
  const double std = 1.0 / std::sqrt(static_cast<double>(dt_rank));
  b.dt_proj->weight.uniform_(-std, std);
  const torch::Tensor dt =
      torch::exp(torch::rand({d_inner}) * (std::log(0.1) - std::log(1e-3)) + std::log(1e-3)).clamp_min(1e-4);
  b.dt_proj->bias.copy_(dt + torch::log(-torch::expm1(-dt)));
  return b;
}

class VimBlockImpl : public nn::Module {
 public:
  VimBlockImpl(int64_t dim, int64_t d_state, int64_t expand, int64_t d_conv)
      : mixer(register_module("mixer", BiMambaMixer(dim, d_state, expand, d_conv))),
        norm(register_module("norm", RMSNorm(dim))) {}
  BiMambaMixer mixer;
  RMSNorm norm;
};
TORCH_MODULE(VimBlock);

}  // namespace

VimOptions vim_tiny_options() { return {}; }
VimOptions vim_small_options() {
  VimOptions o;
  o.embed_dim = 384;
  return o;
}
VimOptions vim_small_stride8_options() {
  VimOptions o = vim_small_options();
  o.stride = 8;
  return o;
}

BiMambaMixerImpl::BiMambaMixerImpl(int64_t d_model, int64_t d_state, int64_t expand, int64_t d_conv)
    : d_inner_(expand * d_model), d_state_(d_state), dt_rank_((d_model + 15) / 16) {
  in_proj = register_module("in_proj", nn::Linear(nn::LinearOptions(d_model, 2 * d_inner_).bias(false)));
  forward_branch = make_branch(*this, "", d_inner_, d_state_, dt_rank_, d_conv);
  backward_branch = make_branch(*this, "_b", d_inner_, d_state_, dt_rank_, d_conv);
  out_proj = register_module("out_proj", nn::Linear(nn::LinearOptions(d_inner_, d_model).bias(false)));
}

torch::Tensor BiMambaMixerImpl::scan(MambaBranch& b, const torch::Tensor& x_in, const torch::Tensor& z) {
  const torch::Tensor x = ops::causal_conv1d(x_in, b.conv1d->weight.squeeze(1), b.conv1d->bias, /*silu=*/true);
  const auto parts = b.x_proj(x.transpose(1, 2)).split({dt_rank_, d_state_, d_state_}, -1);  // (batch, length, .)
  SelectiveScanArgs args;
  args.u = x;
  args.delta = torch::matmul(parts[0], b.dt_proj->weight.t()).transpose(1, 2);  // bias goes in as delta_bias
  args.A = -torch::exp(b.A_log.to(torch::kFloat));
  args.B = parts[1].transpose(1, 2);
  args.C = parts[2].transpose(1, 2);
  args.D = b.D;
  args.z = z;
  args.delta_bias = b.dt_proj->bias;
  args.delta_softplus = true;
  return ops::selective_scan(args);  // the kernels; selective_scan_reference is their test oracle
}

torch::Tensor BiMambaMixerImpl::forward(const torch::Tensor& hidden) {
  const torch::Tensor xz = in_proj(hidden).transpose(1, 2);  // (batch, 2 * d_inner, length)
  const auto xz_parts = xz.chunk(2, 1);
  const torch::Tensor forward_y = scan(forward_branch, xz_parts[0], xz_parts[1]);
  const torch::Tensor backward_y = scan(backward_branch, xz_parts[0].flip({-1}), xz_parts[1].flip({-1}));
  return out_proj(((forward_y + backward_y.flip({-1})) / 2).transpose(1, 2));
}

VimImpl::VimImpl(const VimOptions& o) : options_(o) {
  const int64_t grid = (o.image_size - o.patch_size) / o.stride + 1;
  auto patch_embed = register_module("patch_embed", std::make_shared<nn::Module>());
  patch_proj_ = patch_embed->register_module(
      "proj", nn::Conv2d(nn::Conv2dOptions(o.in_channels, o.embed_dim, o.patch_size).stride(o.stride)));
  cls_token_ = register_parameter("cls_token", torch::zeros({1, 1, o.embed_dim}));
  pos_embed_ = register_parameter("pos_embed", torch::zeros({1, grid * grid + 1, o.embed_dim}));
  layers_ = register_module("layers", nn::ModuleList());
  for (int64_t i = 0; i < o.depth; ++i) layers_->push_back(VimBlock(o.embed_dim, o.d_state, o.expand, o.d_conv));
  norm_f_ = register_module("norm_f", RMSNorm(o.embed_dim));
  head_ = register_module("head", nn::Linear(o.embed_dim, o.num_classes));

  // Vim's initialisation: truncated-normal (0.02) tokens and head, zero head bias; out_proj scaled
  // down by the depth as in Mamba's residual rescaling.
  torch::NoGradGuard no_grad;
  pos_embed_.normal_(0, 0.02).clamp_(-0.04, 0.04);
  cls_token_.normal_(0, 0.02).clamp_(-0.04, 0.04);
  head_->weight.normal_(0, 0.02).clamp_(-0.04, 0.04);
  head_->bias.zero_();
  for (const auto& layer : *layers_) {
    auto& out = layer->as<VimBlock>()->mixer->out_proj->weight;
    out.div_(std::sqrt(2.0 * static_cast<double>(o.depth)));
  }
}

torch::Tensor VimImpl::forward(torch::Tensor images) {
  torch::Tensor x = embed_patches(patch_proj_, images).tokens;  // (batch, patches, dim)
  TORCH_CHECK(x.size(1) + 1 == pos_embed_.size(1), "Vim expects ", options_.image_size, "x", options_.image_size,
              " inputs (", pos_embed_.size(1) - 1, " patches), got ", x.size(1), " patches");
  const int64_t middle = x.size(1) / 2;
  x = torch::cat({x.slice(1, 0, middle), cls_token_.expand({x.size(0), 1, -1}), x.slice(1, middle)}, 1) + pos_embed_;

  // Pre-norm residual stream in float32: residual += mixer output; mixer input = norm(residual).
  torch::Tensor residual, hidden = x;
  for (const auto& module : *layers_) {
    auto* block = module->as<VimBlock>();
    residual = residual.defined() ? residual + hidden : hidden;
    residual = residual.to(torch::kFloat);
    hidden = block->mixer->forward(block->norm->forward(residual));
  }
  residual = residual + hidden;
  return head_(norm_f_->forward(residual).select(1, middle));
}

}  // namespace fovea::models
