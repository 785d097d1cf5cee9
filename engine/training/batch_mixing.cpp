#include "engine/training/batch_mixing.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/functional/loss.h>

#include <algorithm>
#include <cmath>

namespace fovea::engine {
namespace {

// Beta(a, a) from two Gamma(a) draws.
double beta_sample(double alpha, at::Generator& generator) {
  const at::Tensor g = at::_standard_gamma(at::full({2}, alpha, at::kDouble), generator);
  const double x = g[0].item<double>(), y = g[1].item<double>();
  return x + y > 0 ? x / (x + y) : 0.5;
}

double uniform(at::Generator& generator) { return at::rand({1}, generator, at::kDouble).item<double>(); }

}  // namespace

MixedBatch mix_batch(const at::Tensor& images, const at::Tensor& labels, const MixingOptions& options, uint64_t draw) {
  MixedBatch out{images, labels, labels, 1.0};
  const bool mixup = options.mixup_alpha > 0, cutmix = options.cutmix_alpha > 0;
  if (!mixup && !cutmix) return out;
  auto generator = at::make_generator<at::CPUGeneratorImpl>(options.seed * 7919ULL + draw * 104729ULL + 17ULL);
  const bool use_cutmix = cutmix && (!mixup || uniform(generator) < 0.5);
  const double lambda = beta_sample(use_cutmix ? options.cutmix_alpha : options.mixup_alpha, generator);
  const at::Tensor order = at::randperm(images.size(0), generator, at::kLong).to(images.device());
  const at::Tensor shuffled = images.index_select(0, order);
  out.partner = labels.index_select(0, order);
  if (!use_cutmix) {
    out.images = images * lambda + shuffled * (1.0 - lambda);
    out.lambda = lambda;
    return out;
  }
  // A box of area (1 - lambda) centred uniformly, clipped at the borders; lambda then from the real area.
  const int64_t h = images.size(2), w = images.size(3);
  const double cut = std::sqrt(1.0 - lambda);
  const auto cut_h = static_cast<int64_t>(static_cast<double>(h) * cut), cut_w = static_cast<int64_t>(static_cast<double>(w) * cut);
  const auto cy = static_cast<int64_t>(uniform(generator) * static_cast<double>(h));
  const auto cx = static_cast<int64_t>(uniform(generator) * static_cast<double>(w));
  const int64_t y0 = std::clamp<int64_t>(cy - cut_h / 2, 0, h), y1 = std::clamp<int64_t>(cy + cut_h / 2, 0, h);
  const int64_t x0 = std::clamp<int64_t>(cx - cut_w / 2, 0, w), x1 = std::clamp<int64_t>(cx + cut_w / 2, 0, w);
  out.images = images.clone();
  out.images.slice(2, y0, y1).slice(3, x0, x1).copy_(shuffled.slice(2, y0, y1).slice(3, x0, x1));
  out.lambda = 1.0 - static_cast<double>((y1 - y0) * (x1 - x0)) / static_cast<double>(h * w);
  return out;
}

at::Tensor mixed_cross_entropy(const at::Tensor& logits, const MixedBatch& batch, double label_smoothing) {
  namespace F = torch::nn::functional;
  const auto options = F::CrossEntropyFuncOptions().label_smoothing(label_smoothing);
  const at::Tensor loss = F::cross_entropy(logits, batch.labels, options);
  if (batch.lambda >= 1.0) return loss;
  return loss * batch.lambda + F::cross_entropy(logits, batch.partner, options) * (1.0 - batch.lambda);
}

}  // namespace fovea::engine
