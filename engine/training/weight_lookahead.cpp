#include "engine/training/weight_lookahead.h"

#include <cmath>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "models/image_classifier.h"
#include "models/torch_compat.h"

namespace fovea::engine {
namespace {

constexpr double kDecayBase = 0.95;  // per step; rho = kDecayBase^every * progress^kDecayPower
constexpr double kDecayPower = 3.0;

// The tensors airbench's state_dict walk averages: floating-point parameters (frozen ones too; they stay
// what they are) and buffers (BatchNorm's running statistics, not its integer batch count).
std::vector<at::Tensor> averaged_tensors(models::ImageClassifier& model) {
  std::vector<at::Tensor> out;
  for (const auto& item : model.named_parameters(true)) out.push_back(item.value());
  for (const auto& item : model.named_buffers(true))
    if (at::isFloatingType(item.value().scalar_type())) out.push_back(item.value());
  return out;
}

}  // namespace

WeightLookahead::WeightLookahead(int every, int64_t first_step, int64_t total_steps)
    : every_(every), first_step_(first_step), total_steps_(total_steps) {}

double WeightLookahead::decay_at(int64_t steps_done) const {
  const double progress = static_cast<double>(steps_done) / static_cast<double>(total_steps_);
  return std::pow(kDecayBase, every_) * std::pow(progress, kDecayPower);
}

void WeightLookahead::start(models::ImageClassifier& model) {
  weights_ = averaged_tensors(model);
  average_.clear();
  for (const at::Tensor& w : weights_) average_.push_back(w.detach().clone());
}

void WeightLookahead::after_step(models::ImageClassifier& model, int64_t steps_done) {
  if (steps_done < first_step_ || steps_done % every_ != 0) return;
  if (!started()) return start(model);
  torch::NoGradGuard no_grad;
  const double rho = decay_at(steps_done);
#if FOVEA_TORCH_AT_LEAST(2, 3)
  at::_foreach_lerp_(average_, weights_, 1.0 - rho);  // two multi-tensor launches instead of two per tensor
  at::_foreach_copy_(weights_, average_);
#else
  for (size_t i = 0; i < average_.size(); ++i) {
    average_[i].lerp_(weights_[i], 1.0 - rho);
    weights_[i].copy_(average_[i]);
  }
#endif
}

void WeightLookahead::end_epoch(models::ImageClassifier&) {
  if (!started()) return;
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < average_.size(); ++i) weights_[i].copy_(average_[i]);
}

void WeightLookahead::resume(models::ImageClassifier& model, int64_t steps_done) {
  average_.clear();
  weights_.clear();
  // The first multiple of `every` at or after first_step started the average.
  const int64_t first = (first_step_ + every_ - 1) / every_ * every_;
  if (first <= steps_done) start(model);
}

}  // namespace fovea::engine
