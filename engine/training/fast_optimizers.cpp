#include "engine/training/fast_optimizers.h"

#include <ATen/ATen.h>
#include <torch/utils.h>

#include <cstdlib>
#include <functional>
#include <stdexcept>

#include "models/torch_compat.h"

namespace fovea::engine {
namespace {

using StateMap = std::remove_cvref_t<decltype(std::declval<torch::optim::Optimizer&>().state())>;
using StateKey = StateMap::key_type;

bool all_on_cuda(const std::vector<torch::optim::OptimizerParamGroup>& groups) {
  for (const auto& group : groups)
    for (const auto& p : group.params())
      if (!p.is_cuda()) return false;
  return true;
}

// Adam and AdamW on the fused kernel; AdamW's decoupled decay is applied first, as PyTorch does.
// With a device learning rate: the tensor-rate overloads, which a CUDA graph can replay at any rate.
void fused_adam_kernel(std::vector<at::Tensor>& params, std::vector<at::Tensor>& grads, std::vector<at::Tensor>& exp_avgs,
                       std::vector<at::Tensor>& exp_avg_sqs, std::vector<at::Tensor>& max_exp_avg_sqs,
                       std::vector<at::Tensor>& counts, double lr, const at::Tensor* device_lr, double beta1,
                       double beta2, double weight_decay, double eps, bool amsgrad, bool decoupled_decay) {
  if (decoupled_decay && weight_decay != 0) {
    if (device_lr) {
#if FOVEA_TORCH_AT_LEAST(2, 1)
      at::_foreach_mul_(params, 1.0 - *device_lr * weight_decay);
#endif
    } else {
      at::_foreach_mul_(params, 1.0 - lr * weight_decay);
    }
  }
  if (decoupled_decay) weight_decay = 0;
  if (device_lr) {
#if FOVEA_TORCH_AT_LEAST(2, 1)
    at::_fused_adam_(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, counts, *device_lr, beta1, beta2,
                     weight_decay, eps, amsgrad, /*maximize=*/false);
#endif
    return;
  }
  at::_fused_adam_(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, counts, lr, beta1, beta2, weight_decay, eps,
                   amsgrad, /*maximize=*/false);
}

template <typename State, typename Options>
void fused_adam_step(std::vector<torch::optim::OptimizerParamGroup>& groups, StateMap& state, DeviceStepCounts& steps,
                     bool decoupled_decay, const std::function<const at::Tensor*(size_t)>& device_lr) {
  for (size_t g = 0; g < groups.size(); ++g) {
    auto& group = groups[g];
    const auto& o = static_cast<const Options&>(group.options());
    std::vector<at::Tensor> params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, counts;
    for (const auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& slot = state[compat::optimizer_state_key<StateKey>(p)];
      if (!slot) {
        auto fresh = std::make_unique<State>();
        fresh->step(0);
        fresh->exp_avg(at::zeros_like(p, at::MemoryFormat::Preserve));
        fresh->exp_avg_sq(at::zeros_like(p, at::MemoryFormat::Preserve));
        if (o.amsgrad()) fresh->max_exp_avg_sq(at::zeros_like(p, at::MemoryFormat::Preserve));
        slot = std::move(fresh);
      }
      auto& s = static_cast<State&>(*slot);
      counts.push_back(steps.at(p, s.step()));
      s.step(s.step() + 1);
      params.push_back(p);
      grads.push_back(p.grad());
      exp_avgs.push_back(s.exp_avg());
      exp_avg_sqs.push_back(s.exp_avg_sq());
      if (o.amsgrad()) max_exp_avg_sqs.push_back(s.max_exp_avg_sq());
    }
    if (params.empty()) continue;
    at::_foreach_add_(counts, 1);
    fused_adam_kernel(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, counts, o.lr(), device_lr(g),
                      std::get<0>(o.betas()), std::get<1>(o.betas()), o.weight_decay(), o.eps(), o.amsgrad(),
                      decoupled_decay);
  }
}

// The host's step counts of every parameter with state move on by one, with their device mirrors.
template <typename State>
void count_step(std::vector<torch::optim::OptimizerParamGroup>& groups, StateMap& state, DeviceStepCounts& steps) {
  for (auto& group : groups)
    for (const auto& p : group.params()) {
      auto found = state.find(compat::optimizer_state_key<StateKey>(p));
      if (found == state.end() || !found->second) continue;
      auto& s = static_cast<State&>(*found->second);
      s.step(s.step() + 1);
      steps.advance(p);
    }
}

}  // namespace

at::Tensor& DeviceStepCounts::at(const at::Tensor& parameter, int64_t count_before_step) {
  Entry& e = entries_[parameter.unsafeGetTensorImpl()];
  if (!e.tensor.defined() || e.count != count_before_step) {  // new, or the state was restored
    e.tensor = at::full({}, static_cast<double>(count_before_step), parameter.options().dtype(at::kFloat));
  }
  e.count = count_before_step + 1;
  return e.tensor;
}

void DeviceStepCounts::advance(const at::Tensor& parameter) {
  auto found = entries_.find(parameter.unsafeGetTensorImpl());
  if (found != entries_.end()) ++found->second.count;
}

void GraphableOptimizer::use_device_learning_rates(size_t groups, const at::Device& device) {
#if !FOVEA_TORCH_AT_LEAST(2, 1)
  throw std::runtime_error("device learning rates need LibTorch 2.1 or newer");
#endif
  device_lr_.clear();
  for (size_t g = 0; g < groups; ++g) device_lr_.push_back(at::zeros({}, at::TensorOptions(at::kFloat).device(device)));
}

void GraphableOptimizer::set_device_learning_rate(size_t group, double lr) { device_lr_.at(group).fill_(lr); }

const at::Tensor* GraphableOptimizer::device_learning_rate(size_t group) const {
  return device_lr_.empty() ? nullptr : &device_lr_.at(group);
}

namespace {

// SGD with momentum on CUDA in one fused kernel per group (LibTorch 2.3 on): PyTorch's arithmetic, without
// the five foreach passes and the temporary directions. Buffers start at zero; a parameter's first step
// passes is_first_step, which sets its buffer to the direction as PyTorch's first step does. False where
// the fused op is missing or the group is not all on CUDA.
bool fused_sgd_step(torch::optim::OptimizerParamGroup& group, StateMap& state, const at::Tensor* device_lr) {
#if FOVEA_TORCH_AT_LEAST(2, 3)
  const auto& o = static_cast<const torch::optim::SGDOptions&>(group.options());
  if (o.momentum() == 0) return false;
  for (const auto& p : group.params())
    if (!p.is_cuda()) return false;
  std::vector<at::Tensor> params[2], grads[2], buffers[2];  // [0]: parameters with a buffer, [1]: new ones
  for (const auto& p : group.params()) {
    if (!p.grad().defined()) continue;
    auto& slot = state[compat::optimizer_state_key<StateKey>(p)];
    const bool first = !slot;
    if (first) {
      auto fresh = std::make_unique<torch::optim::SGDParamState>();
      fresh->momentum_buffer(at::zeros_like(p, at::MemoryFormat::Preserve));
      slot = std::move(fresh);
    }
    params[first].push_back(p);
    grads[first].push_back(p.grad());
    buffers[first].push_back(static_cast<torch::optim::SGDParamState&>(*slot).momentum_buffer());
  }
  for (int first = 0; first < 2; ++first) {
    if (params[first].empty()) continue;
    if (device_lr) {
      at::_fused_sgd_(params[first], grads[first], buffers[first], o.weight_decay(), o.momentum(), *device_lr,
                      o.dampening(), o.nesterov(), /*maximize=*/false, /*is_first_step=*/first == 1);
    } else {
      at::_fused_sgd_(params[first], grads[first], buffers[first], o.weight_decay(), o.momentum(), o.lr(),
                      o.dampening(), o.nesterov(), /*maximize=*/false, /*is_first_step=*/first == 1);
    }
  }
  return true;
#else
  (void)group, (void)state, (void)device_lr;
  return false;
#endif
}

}  // namespace

torch::Tensor ForeachSgd::step(LossClosure closure) {
  torch::NoGradGuard no_grad;
  at::Tensor loss;
  if (closure) loss = closure();
  for (size_t g = 0; g < param_groups_.size(); ++g) {
    auto& group = param_groups_[g];
    if (std::getenv("FOVEA_FOREACH_SGD") == nullptr && fused_sgd_step(group, state_, device_learning_rate(g))) continue;
    const auto& o = static_cast<const torch::optim::SGDOptions&>(group.options());
    std::vector<at::Tensor> params, directions, buffers, buffered_directions;
    for (const auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      params.push_back(p);
      directions.push_back(p.grad());
    }
    if (params.empty()) continue;
    if (o.weight_decay() != 0) directions = at::_foreach_add(directions, params, o.weight_decay());
    if (o.momentum() != 0) {
      // PyTorch's momentum: the buffer starts as the first direction, then buf = m * buf + (1 - dampening) * d.
      std::vector<at::Tensor> momentum(params.size());
      for (size_t i = 0; i < params.size(); ++i) {
        auto& slot = state_[compat::optimizer_state_key<StateKey>(params[i])];
        if (!slot) {
          auto fresh = std::make_unique<torch::optim::SGDParamState>();
          fresh->momentum_buffer(directions[i].clone().detach());
          momentum[i] = fresh->momentum_buffer();
          slot = std::move(fresh);
          continue;
        }
        momentum[i] = static_cast<torch::optim::SGDParamState&>(*slot).momentum_buffer();
        buffers.push_back(momentum[i]);
        buffered_directions.push_back(directions[i]);
      }
      if (!buffers.empty()) {
        at::_foreach_mul_(buffers, o.momentum());
        at::_foreach_add_(buffers, buffered_directions, 1.0 - o.dampening());
      }
      directions = o.nesterov() ? at::_foreach_add(directions, momentum, o.momentum()) : momentum;
    }
    if (const at::Tensor* lr = device_learning_rate(g)) {
#if FOVEA_TORCH_AT_LEAST(2, 1)
      at::_foreach_sub_(params, at::_foreach_mul(directions, *lr));
#endif
    } else {
      at::_foreach_add_(params, directions, -o.lr());
    }
  }
  return loss;
}

torch::Tensor FusedAdam::step(LossClosure closure) {
  if (!all_on_cuda(param_groups_)) return torch::optim::Adam::step(closure);
  torch::NoGradGuard no_grad;
  at::Tensor loss;
  if (closure) loss = closure();
  fused_adam_step<torch::optim::AdamParamState, torch::optim::AdamOptions>(
      param_groups_, state_, steps_, false, [this](size_t g) { return device_learning_rate(g); });
  return loss;
}

void FusedAdam::count_replayed_step() { count_step<torch::optim::AdamParamState>(param_groups_, state_, steps_); }

torch::Tensor FusedAdamW::step(LossClosure closure) {
  if (!all_on_cuda(param_groups_)) return torch::optim::AdamW::step(closure);
  torch::NoGradGuard no_grad;
  at::Tensor loss;
  if (closure) loss = closure();
  fused_adam_step<torch::optim::AdamWParamState, torch::optim::AdamWOptions>(
      param_groups_, state_, steps_, true, [this](size_t g) { return device_learning_rate(g); });
  return loss;
}

void FusedAdamW::count_replayed_step() { count_step<torch::optim::AdamWParamState>(param_groups_, state_, steps_); }

}  // namespace fovea::engine
