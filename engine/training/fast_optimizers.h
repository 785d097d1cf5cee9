// LibTorch's SGD, Adam and AdamW with the same state and results, but stepping all parameters of a
// group with a few multi-tensor launches instead of several kernels per parameter. Small models on a
// GPU spend most of a step launching kernels; these keep the optimizer's share to a handful.
// SGD uses the _foreach ops everywhere; Adam and AdamW use the fused CUDA kernel on GPUs and the
// classes they derive from elsewhere. The state (momentum buffers, moments, step counts) is the base
// class's, so checkpoints and engine/training/resume_state.h treat them as the originals.
#pragma once
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <unordered_map>

namespace fovea::engine {

class ForeachSgd : public torch::optim::SGD {
 public:
  using torch::optim::SGD::SGD;
  torch::Tensor step(LossClosure closure = nullptr) override;
};

// The fused kernel reads the step counts from device tensors; these mirror the state's counts.
class DeviceStepCounts {
 public:
  at::Tensor& at(const at::Tensor& parameter, int64_t count_before_step);

 private:
  struct Entry {
    at::Tensor tensor;
    int64_t count = -1;
  };
  std::unordered_map<const void*, Entry> entries_;
};

class FusedAdam : public torch::optim::Adam {
 public:
  using torch::optim::Adam::Adam;
  torch::Tensor step(LossClosure closure = nullptr) override;

 private:
  DeviceStepCounts steps_;
};

class FusedAdamW : public torch::optim::AdamW {
 public:
  using torch::optim::AdamW::AdamW;
  torch::Tensor step(LossClosure closure = nullptr) override;

 private:
  DeviceStepCounts steps_;
};

}  // namespace fovea::engine
