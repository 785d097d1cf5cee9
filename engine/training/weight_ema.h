// An exponential moving average of a model's weights (timm's ModelEmaV2): after every optimizer step
// ema = decay * ema + (1 - decay) * weights; buffers (BatchNorm statistics) are copied. The average is
// a model of its own, evaluated beside the trained one and saved with the run for exact resuming.
#pragma once
#include <map>
#include <memory>
#include <string>

#include <ATen/core/Tensor.h>

namespace fovea::models {
class ImageClassifier;
}

namespace fovea::engine {

constexpr const char* kEmaStatePrefix = "ema/";  // ema/<state-dict name> in a checkpoint's training state

class WeightEma {
 public:
  // `average` is a second instance of the trained model's architecture; it starts as a copy.
  WeightEma(std::shared_ptr<models::ImageClassifier> average, const models::ImageClassifier& model, double decay);
  void update(const models::ImageClassifier& model);
  models::ImageClassifier& model() { return *average_; }

  std::map<std::string, at::Tensor> state_tensors() const;  // ema/<name> on the CPU
  // Throws CheckpointError naming `source` when a tensor is missing or of another shape.
  void restore(const std::map<std::string, at::Tensor>& saved, const std::string& source);

 private:
  std::shared_ptr<models::ImageClassifier> average_;
  double decay_;
};

}  // namespace fovea::engine
