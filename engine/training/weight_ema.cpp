#include "engine/training/weight_ema.h"

#include <torch/utils.h>

#include "engine/errors.h"
#include "models/image_classifier.h"

namespace fovea::engine {
namespace {

void copy_all(models::ImageClassifier& to, const models::ImageClassifier& from) {
  const auto source = from.named_parameters(true);
  for (auto& item : to.named_parameters(true)) item.value().copy_(source[item.key()]);
  const auto buffers = from.named_buffers(true);
  for (auto& item : to.named_buffers(true)) item.value().copy_(buffers[item.key()]);
}

}  // namespace

WeightEma::WeightEma(std::shared_ptr<models::ImageClassifier> average, const models::ImageClassifier& model, double decay)
    : average_(std::move(average)), decay_(decay) {
  torch::NoGradGuard no_grad;
  copy_all(*average_, model);
  for (auto& p : average_->parameters()) p.set_requires_grad(false);
  average_->eval();
}

void WeightEma::update(const models::ImageClassifier& model) {
  torch::NoGradGuard no_grad;
  const auto source = model.named_parameters(true);
  for (auto& item : average_->named_parameters(true)) item.value().lerp_(source[item.key()].detach(), 1.0 - decay_);
  const auto buffers = model.named_buffers(true);
  for (auto& item : average_->named_buffers(true)) item.value().copy_(buffers[item.key()]);
}

std::map<std::string, at::Tensor> WeightEma::state_tensors() const {
  std::map<std::string, at::Tensor> out;
  for (const auto& item : average_->named_parameters(true))
    out[kEmaStatePrefix + item.key()] = item.value().detach().cpu().contiguous();
  for (const auto& item : average_->named_buffers(true))
    out[kEmaStatePrefix + item.key()] = item.value().detach().cpu().contiguous();
  return out;
}

void WeightEma::restore(const std::map<std::string, at::Tensor>& saved, const std::string& source) {
  torch::NoGradGuard no_grad;
  auto restore_one = [&](const std::string& name, at::Tensor& target) {
    const auto found = saved.find(kEmaStatePrefix + name);
    if (found == saved.end()) throw CheckpointError(source + ": the weight average (EMA) lacks " + name);
    if (found->second.sizes() != target.sizes())
      throw CheckpointError(source + ": the weight average's " + name + " has another shape than the model's");
    target.copy_(found->second);
  };
  for (auto& item : average_->named_parameters(true)) restore_one(item.key(), item.value());
  for (auto& item : average_->named_buffers(true)) restore_one(item.key(), item.value());
}

}  // namespace fovea::engine
