#include "engine/training/optimizer_factory.h"

#include <unordered_set>

#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/normalization.h>

#include "engine/training/fast_optimizers.h"

#include "models/image_classifier.h"

namespace fovea::engine {
namespace {

struct Group {
  std::vector<at::Tensor> parameters;
  double weight_decay = 0;
  double lr_scale = 1;
};

std::unique_ptr<torch::optim::OptimizerOptions> options_for(const TrainConfig& c, const Group& g) {
  const double lr = c.learning_rate * g.lr_scale;
  switch (c.optimizer) {
    case OptimizerKind::Sgd:
      return std::make_unique<torch::optim::SGDOptions>(
          torch::optim::SGDOptions(lr).momentum(c.momentum).nesterov(c.nesterov).weight_decay(g.weight_decay));
    case OptimizerKind::AdamW:
      return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(lr).weight_decay(g.weight_decay));
    default:
      return std::make_unique<torch::optim::AdamOptions>(torch::optim::AdamOptions(lr).weight_decay(g.weight_decay));
  }
}

}  // namespace

void TrainOptimizer::set_learning_rate(double lr) {
  auto& groups = optimizer->param_groups();
  auto* graphable = dynamic_cast<GraphableOptimizer*>(optimizer.get());
  const bool on_device = graphable && graphable->has_device_learning_rates();
  for (size_t i = 0; i < groups.size(); ++i) {
    groups[i].options().set_lr(lr * lr_scales.at(i));
    if (on_device) graphable->set_device_learning_rate(i, lr * lr_scales.at(i));
  }
}

GraphableOptimizer* TrainOptimizer::graphable() const { return dynamic_cast<GraphableOptimizer*>(optimizer.get()); }

// The biases of the model's normalisation layers (BatchNorm, LayerNorm, GroupNorm), by identity.
std::unordered_set<const void*> norm_biases(const models::ImageClassifier& model) {
  std::unordered_set<const void*> found;
  for (const auto& module : model.modules(/*include_self=*/false)) {
    const bool is_norm = module->as<torch::nn::BatchNorm1d>() || module->as<torch::nn::BatchNorm2d>() ||
                         module->as<torch::nn::LayerNorm>() || module->as<torch::nn::GroupNorm>();
    if (!is_norm) continue;
    const auto own = module->named_parameters(/*recurse=*/false);
    if (const at::Tensor* bias = own.find("bias")) found.insert(bias->unsafeGetTensorImpl());
  }
  return found;
}

TrainOptimizer make_optimizer(const TrainConfig& config, models::ImageClassifier& model) {
  // Groups in a fixed order (backbone, then head; decayed, then not; norm biases last) so that resumed
  // runs line up. Norm biases get their own rate only when it differs (airbench's bias_scaler); their decay
  // is divided by it, as airbench does, so that the decay per step stays.
  const std::string head = model.head_name() + ".";
  const bool scale_norm_biases = config.norm_bias_lr_scale != 1.0;
  const std::unordered_set<const void*> biases = scale_norm_biases ? norm_biases(model) : std::unordered_set<const void*>{};
  Group groups[6];
  for (const auto& item : model.named_parameters(true)) {
    if (!item.value().requires_grad()) continue;
    const bool in_head = item.key().starts_with(head);
    const bool decayed = config.decay_norms_and_biases || item.value().dim() > 1;
    const bool norm_bias = biases.contains(item.value().unsafeGetTensorImpl());
    Group& g = norm_bias ? groups[4 + (decayed ? 0 : 1)] : groups[(in_head ? 2 : 0) + (decayed ? 0 : 1)];
    g.parameters.push_back(item.value());
    const double lr_scale = in_head ? 1.0 : config.backbone_lr_scale;
    g.lr_scale = norm_bias ? lr_scale * config.norm_bias_lr_scale : lr_scale;
    g.weight_decay = !decayed ? 0.0 : (norm_bias ? config.weight_decay / config.norm_bias_lr_scale : config.weight_decay);
  }
  std::vector<torch::optim::OptimizerParamGroup> param_groups;
  TrainOptimizer out;
  for (const Group& g : groups) {
    if (g.parameters.empty()) continue;
    param_groups.emplace_back(g.parameters, options_for(config, g));
    out.lr_scales.push_back(g.lr_scale);
  }
  const Group defaults;
  switch (config.optimizer) {
    case OptimizerKind::Sgd:
      out.optimizer = std::make_unique<ForeachSgd>(
          param_groups, static_cast<torch::optim::SGDOptions&>(*options_for(config, defaults)));
      break;
    case OptimizerKind::AdamW:
      out.optimizer = std::make_unique<FusedAdamW>(
          param_groups, static_cast<torch::optim::AdamWOptions&>(*options_for(config, defaults)));
      break;
    default:
      out.optimizer = std::make_unique<FusedAdam>(
          param_groups, static_cast<torch::optim::AdamOptions&>(*options_for(config, defaults)));
  }
  return out;
}

}  // namespace fovea::engine
