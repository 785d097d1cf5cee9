#include "models/airbench.h"

#include <torch/nn/init.h>

#include <cstdlib>

#include "models/ops/batch_norm_gelu_op.h"
#include "models/ops/max_pool2x2_op.h"
#include "models/ops/patch_conv_op.h"

namespace fovea::models {
namespace {

namespace nn = torch::nn;

// 3x3 "same" conv without bias, the first in_channels filters initialised to identity (dirac).
nn::Conv2d identity_started_conv(int64_t in, int64_t out) {
  nn::Conv2d conv(nn::Conv2dOptions(in, out, 3).padding(1).bias(false));
  torch::NoGradGuard no_grad;
  nn::init::dirac_(conv->weight.slice(0, 0, std::min(in, out)));
  return conv;
}

// BatchNorm with a tiny eps, a frozen unit scale and a trainable shift.
nn::BatchNorm2d airbench_norm(int64_t features, double momentum) {
  nn::BatchNorm2d norm(nn::BatchNorm2dOptions(features).eps(1e-12).momentum(1.0 - momentum));
  norm->weight.set_requires_grad(false);
  return norm;
}

// GELU(norm(x)), in one fused op where Fovea's kernels take x (GPU training: channels_last), with the module's
// bookkeeping (the count of batches it has seen). FOVEA_UNFUSED_NORM_GELU=1: LibTorch's two ops (to measure).
torch::Tensor norm_gelu(nn::BatchNorm2d& norm, const torch::Tensor& x) {
  static const bool unfused = std::getenv("FOVEA_UNFUSED_NORM_GELU") != nullptr;
  const nn::BatchNormOptions& o = norm->options;
  if (unfused || !ops::batch_norm_gelu_uses_kernel(x) || !o.momentum() || !o.track_running_stats()) return torch::gelu(norm(x));
  if (norm->is_training()) norm->num_batches_tracked += 1;
  return ops::batch_norm_gelu(x, norm->weight, norm->bias, norm->running_mean, norm->running_var, norm->is_training(),
                              *o.momentum(), o.eps());
}

}  // namespace

AirbenchConvGroupImpl::AirbenchConvGroupImpl(int64_t in, int64_t out, double momentum)
    : conv1(register_module("conv1", identity_started_conv(in, out))),
      conv2(register_module("conv2", identity_started_conv(out, out))),
      norm1(register_module("norm1", airbench_norm(out, momentum))),
      norm2(register_module("norm2", airbench_norm(out, momentum))) {}

torch::Tensor AirbenchConvGroupImpl::forward(torch::Tensor x) {
  x = norm_gelu(norm1, ops::max_pool2x2(conv1(x)));
  return norm_gelu(norm2, conv2(x));
}

AirbenchNetImpl::AirbenchNetImpl(const AirbenchOptions& o) : options_(o) {
  const int64_t whiten_width = 2 * o.in_channels * kWhitenKernel * kWhitenKernel;
  whiten_ = register_module("0", nn::Conv2d(nn::Conv2dOptions(o.in_channels, whiten_width, kWhitenKernel)));
  whiten_->weight.set_requires_grad(false);
  group1_ = register_module("2", AirbenchConvGroup(whiten_width, o.widths[0], o.batchnorm_momentum));
  group2_ = register_module("3", AirbenchConvGroup(o.widths[0], o.widths[1], o.batchnorm_momentum));
  group3_ = register_module("4", AirbenchConvGroup(o.widths[1], o.widths[2], o.batchnorm_momentum));
  head_ = register_module("7", nn::Linear(nn::LinearOptions(o.widths[2], o.num_classes).bias(false)));
}

void AirbenchNetImpl::init_whitening(const torch::Tensor& images, double eps) {
  torch::NoGradGuard no_grad;
  const int64_t C = images.size(1), k = kWhitenKernel;
  // Every k x k patch as a row of C*k*k values, in the (channel, row, column) order of conv weights.
  const torch::Tensor patches =
      images.to(torch::kFloat).unfold(2, k, 1).unfold(3, k, 1).transpose(1, 3).reshape({-1, C, k, k}).reshape({-1, C * k * k});
  const torch::Tensor covariance = patches.t().matmul(patches) / static_cast<double>(patches.size(0));
  // The 12 x 12 eigendecomposition on the CPU, in double: microseconds of work there, where a GPU would run
  // a solver's launches and a host-side error check for it.
  const auto [eigenvalues, eigenvectors] = torch::linalg_eigh(covariance.to(torch::kCPU, torch::kDouble), "U");  // ascending
  const torch::Tensor filters = (eigenvectors.t() / torch::sqrt(eigenvalues + eps).unsqueeze(1))
                                    .flip({0})
                                    .reshape({C * k * k, C, k, k})
                                    .to(torch::kFloat);
  whiten_->weight.copy_(torch::cat({filters, -filters}).to(whiten_->weight.device()));
}

torch::Tensor AirbenchNetImpl::forward(torch::Tensor x) { return forward_with_features(std::move(x)).logits; }

ImageClassifier::FeaturesAndLogits AirbenchNetImpl::forward_with_features(torch::Tensor x) {
  // The whitening layer through Fovea's kernel where it applies (channels_last batches on GPUs): cuDNN has no
  // fast path for 3 input channels.
  const torch::Tensor whitened = ops::patch_conv_gelu(x, whiten_->weight, whiten_->bias);
  const torch::Tensor features = group3_(group2_(group1_(whitened)));
  // MaxPool2d(3) over the final 3x3 map
  return {features, head_(torch::amax(features, {2, 3})) * options_.logit_scale};
}

}  // namespace fovea::models
