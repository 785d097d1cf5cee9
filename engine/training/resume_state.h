// The state beyond the weights that continuing a run exactly needs, as named tensors stored in the
// checkpoint next to the model's: the optimizer's per-parameter state, by parameter NAME (the same
// names as PyTorch's optimizer state: momentum_buffer; exp_avg, exp_avg_sq, max_exp_avg_sq, step),
// and the default random generators' states. Names hold a '/', which no module name can.
#pragma once
#include <map>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "engine/train_config.h"

namespace torch::nn {
class Module;
}
namespace torch::optim {
class Optimizer;
}

namespace fovea::engine {

constexpr const char* kOptimizerStatePrefix = "optimizer/";  // optimizer/<parameter name>/<state name>
constexpr const char* kRngStatePrefix = "rng/";              // rng/cpu, rng/cuda:0

// `optimizer` was made by the trainer for `model` (kind says which class it is).
std::map<std::string, at::Tensor> optimizer_state_tensors(const torch::optim::Optimizer& optimizer,
                                                          const torch::nn::Module& model, OptimizerKind kind);

// Puts the saved state back (on each parameter's device). Throws CheckpointError naming `source` when a
// name is no parameter of the model, a state is missing or unknown, or a shape differs.
void restore_optimizer_state(torch::optim::Optimizer& optimizer, const torch::nn::Module& model, OptimizerKind kind,
                             const std::map<std::string, at::Tensor>& saved, const std::string& source);

// The CPU generator, and the device's when training on a GPU.
std::map<std::string, at::Tensor> rng_state_tensors(const c10::Device& device);
// Returns the generators in use whose state `saved` lacks ("cuda:0" when a run trained on the CPU goes
// on on a GPU): those keep their state, which matters only to models that draw random numbers.
std::vector<std::string> restore_rng_state(const std::map<std::string, at::Tensor>& saved, const c10::Device& device);

}  // namespace fovea::engine
