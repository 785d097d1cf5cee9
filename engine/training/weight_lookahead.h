// airbench94's lookahead (hlb-cifar10's "EMA"): from `start_step` on, every `every` steps a running
// average of the weights moves towards them, (1 - rho) of the way, and the weights are set to it; the
// first such step only starts the average. rho rises over the run, 0.95^every * (step / total)^3, so early
// averages follow the weights and late ones hold them. At the end of each epoch the weights are set to the
// average once more, so a checkpoint's weights are the average: resuming needs nothing else.
// Unlike WeightEma there is no second model to evaluate; BatchNorm statistics are averaged too.
#pragma once
#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>

namespace fovea::models {
class ImageClassifier;
}

namespace fovea::engine {

class WeightLookahead {
 public:
  // `first_step`: the 1-based count of steps from which averaging may start (airbench: 3 epochs' worth + 1).
  WeightLookahead(int every, int64_t first_step, int64_t total_steps);

  // After the optimizer step that makes `steps_done` steps in all.
  void after_step(models::ImageClassifier& model, int64_t steps_done);
  // The weights become the average (if it has started): the end of every epoch.
  void end_epoch(models::ImageClassifier& model);
  // A run resumed after `steps_done` steps at an epoch's end: the average has started iff an earlier
  // lookahead step started it, and then equals the weights.
  void resume(models::ImageClassifier& model, int64_t steps_done);

  bool started() const { return !average_.empty(); }
  double decay_at(int64_t steps_done) const;  // rho of that step

 private:
  void start(models::ImageClassifier& model);
  int every_;
  int64_t first_step_, total_steps_;
  std::vector<at::Tensor> average_, weights_;  // floating-point parameters and buffers, in the model's order
};

}  // namespace fovea::engine
