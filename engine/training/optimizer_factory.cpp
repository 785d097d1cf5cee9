#include "engine/training/optimizer_factory.h"

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

TrainOptimizer make_optimizer(const TrainConfig& config, models::ImageClassifier& model) {
  // Groups in a fixed order (backbone, then head; decayed, then not) so that resumed runs line up.
  const std::string head = model.head_name() + ".";
  Group groups[4];
  for (const auto& item : model.named_parameters(true)) {
    if (!item.value().requires_grad()) continue;
    const bool in_head = item.key().starts_with(head);
    const bool decayed = config.decay_norms_and_biases || item.value().dim() > 1;
    Group& g = groups[(in_head ? 2 : 0) + (decayed ? 0 : 1)];
    g.parameters.push_back(item.value());
    g.weight_decay = decayed ? config.weight_decay : 0.0;
    g.lr_scale = in_head ? 1.0 : config.backbone_lr_scale;
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
