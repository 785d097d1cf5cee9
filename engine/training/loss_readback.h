// Per-step losses from the training device without stalling it. Reading a GPU loss at once would make
// the CPU wait for the step to finish before it can queue the next one, which leaves small models'
// GPUs idle most of the time. Each loss is copied to pinned host memory asynchronously instead and handed
// out, in order, once the device has produced it: a few steps late at most.
#pragma once
#include <deque>
#include <functional>
#include <memory>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

namespace c10 {
struct Event;
}

namespace fovea::engine {

struct StepRecord {
  int64_t step = 0;
  int epoch = 0;
  double learning_rate = 0;
};

class LossReadback {
 public:
  using Ready = std::function<void(double loss, const StepRecord& record)>;
  explicit LossReadback(const c10::Device& device, size_t depth = 3);
  ~LossReadback();

  // `loss`: a scalar on the device, from the step just queued.
  void push(const at::Tensor& loss, const StepRecord& record);
  // Hands finished losses to `ready` in step order; waits for the oldest while more than `depth` are
  // pending, or for all of them with `all`.
  void drain(const Ready& ready, bool all);

 private:
  struct Pending;
  c10::Device device_;
  size_t depth_;
  std::deque<std::unique_ptr<Pending>> pending_;
};

}  // namespace fovea::engine
