// LibTorch's SGD, Adam and AdamW with the same state and results, but stepping all parameters of a
// group with a few multi-tensor launches instead of several kernels per parameter. Small models on a
// GPU spend most of a step launching kernels; these keep the optimizer's share to a handful.
// SGD with momentum uses the fused CUDA kernel on GPUs with LibTorch 2.3 on (FOVEA_FOREACH_SGD=1: the
// _foreach ops, as elsewhere); Adam and AdamW use the fused CUDA kernel on GPUs and the classes they derive
// from elsewhere. The state (momentum buffers, moments, step counts) is the base
// class's, so checkpoints and engine/training/resume_state.h treat them as the originals.
#pragma once
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <unordered_map>
#include <vector>

namespace fovea::engine {

// An optimizer whose steps can be recorded in a CUDA graph (engine/training/graphed_step.h): it can
// read each group's learning rate from a device scalar, which the schedule refills before each step,
// instead of baking the host's value into the recording.
class GraphableOptimizer {
 public:
  virtual ~GraphableOptimizer() = default;
  void use_device_learning_rates(size_t groups, const at::Device& device);
  bool has_device_learning_rates() const { return !device_lr_.empty(); }
  void set_device_learning_rate(size_t group, double lr);
  // A replayed step advanced the step counts on the device; the host's copies (saved in checkpoints)
  // follow.
  virtual void count_replayed_step() {}

 protected:
  const at::Tensor* device_learning_rate(size_t group) const;

 private:
  std::vector<at::Tensor> device_lr_;
};

class ForeachSgd : public torch::optim::SGD, public GraphableOptimizer {
 public:
  using torch::optim::SGD::SGD;
  torch::Tensor step(LossClosure closure = nullptr) override;
};

// The fused kernel reads the step counts from device tensors; these mirror the state's counts.
class DeviceStepCounts {
 public:
  at::Tensor& at(const at::Tensor& parameter, int64_t count_before_step);
  void advance(const at::Tensor& parameter);  // the device's count moved on by one (a replayed step)

 private:
  struct Entry {
    at::Tensor tensor;
    int64_t count = -1;
  };
  std::unordered_map<const void*, Entry> entries_;
};

class FusedAdam : public torch::optim::Adam, public GraphableOptimizer {
 public:
  using torch::optim::Adam::Adam;
  torch::Tensor step(LossClosure closure = nullptr) override;
  void count_replayed_step() override;

 private:
  DeviceStepCounts steps_;
};

class FusedAdamW : public torch::optim::AdamW, public GraphableOptimizer {
 public:
  using torch::optim::AdamW::AdamW;
  torch::Tensor step(LossClosure closure = nullptr) override;
  void count_replayed_step() override;

 private:
  DeviceStepCounts steps_;
};

}  // namespace fovea::engine
