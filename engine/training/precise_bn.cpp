#include "engine/training/precise_bn.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/utils.h>

#include <algorithm>
#include <type_traits>
#include <utility>
#include <vector>

namespace fovea::engine {

int recompute_batch_norm_statistics(torch::nn::Module& model, const std::function<void(const at::Tensor&)>& forward,
                                    const at::Tensor& images, int64_t batch) {
  std::vector<torch::nn::BatchNorm2dImpl*> norms;
  for (const auto& module : model.modules(/*include_self=*/true))
    if (auto* norm = module->as<torch::nn::BatchNorm2d>(); norm && norm->options.track_running_stats()) norms.push_back(norm);
  const int64_t count = images.size(0);
  batch = std::clamp<int64_t>(batch, 1, std::max<int64_t>(count, 1));
  const int64_t batches = count / batch;
  if (norms.empty() || batches == 0) return 0;

  // c10::optional in LibTorch 1.13, std::optional later.
  using Momentum = std::decay_t<decltype(std::declval<const torch::nn::BatchNormOptions&>().momentum())>;
  struct Saved {
    Momentum momentum;
    at::Tensor batches_tracked, mean_sum, square_sum;  // sums over batches of each batch's mean and E[x^2]
  };
  std::vector<Saved> saved;
  for (auto* norm : norms) {
    saved.push_back({norm->options.momentum(), norm->num_batches_tracked.clone(),
                     at::zeros_like(norm->running_mean, at::kDouble), at::zeros_like(norm->running_var, at::kDouble)});
    norm->options.momentum(1.0);  // running statistics := the last batch's
  }
  const bool was_training = model.is_training();
  model.train(true);
  {
    torch::NoGradGuard no_grad;
    for (int64_t b = 0; b < batches; ++b) {
      forward(images.narrow(0, b * batch, batch));
      for (size_t i = 0; i < norms.size(); ++i) {
        // running_var holds the batch's unbiased variance; E[x^2] = var + mean^2 (the unbiasing factor,
        // m / (m - 1) over m = batch * height * width values, is left in: negligible at these sizes).
        const at::Tensor mean = norms[i]->running_mean.to(at::kDouble);
        saved[i].mean_sum.add_(mean);
        saved[i].square_sum.add_(norms[i]->running_var.to(at::kDouble) + mean * mean);
      }
    }
    for (size_t i = 0; i < norms.size(); ++i) {
      const at::Tensor mean = saved[i].mean_sum / static_cast<double>(batches);
      const at::Tensor variance = (saved[i].square_sum / static_cast<double>(batches) - mean * mean).clamp_min(0);
      norms[i]->running_mean.copy_(mean);
      norms[i]->running_var.copy_(variance);
      norms[i]->num_batches_tracked.copy_(saved[i].batches_tracked);
      norms[i]->options.momentum(saved[i].momentum);
    }
  }
  model.train(was_training);
  return static_cast<int>(norms.size());
}

}  // namespace fovea::engine
