// The optimizer of a training run, with its parameter groups: weight decay off for 1-D parameters
// (norm scales and biases) when the configuration asks, and the classifier head's learning rate apart
// from the backbone's for fine-tuning.
#pragma once
#include <memory>
#include <vector>

#include "engine/train_config.h"

namespace torch::optim {
class Optimizer;
}
namespace fovea::models {
class ImageClassifier;
}

namespace fovea::engine {

class GraphableOptimizer;

struct TrainOptimizer {
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::vector<double> lr_scales;  // per parameter group, relative to the schedule's rate
  // Sets every group's rate: the schedule's rate times the group's scale.
  void set_learning_rate(double lr);
  // The optimizer's CUDA-graph interface (engine/training/fast_optimizers.h); null if it has none.
  GraphableOptimizer* graphable() const;
};

TrainOptimizer make_optimizer(const TrainConfig& config, models::ImageClassifier& model);

}  // namespace fovea::engine
