#include "engine/training/resume_state.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/nn/module.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>
#include <torch/optim/sgd.h>

#include <cstring>
#include <mutex>
#include <set>

#include "engine/errors.h"
#include "models/torch_compat.h"

namespace fovea::engine {
namespace {

using StateMap = std::remove_cvref_t<decltype(std::declval<torch::optim::Optimizer&>().state())>;
using StateKey = StateMap::key_type;

std::string state_name(const std::string& parameter, const char* state) {
  return kOptimizerStatePrefix + parameter + "/" + state;
}

// The saved state of one parameter, shaped and placed like it.
class ParameterState {
 public:
  ParameterState(const std::map<std::string, at::Tensor>& saved, const std::string& name, const at::Tensor& parameter,
                 const std::string& source, std::set<std::string>& used)
      : saved_(saved), name_(name), parameter_(parameter), source_(source), used_(used) {}

  bool present(const char* state) const { return saved_.count(state_name(name_, state)) > 0; }
  at::Tensor like_parameter(const char* state) const {
    const at::Tensor& t = get(state);
    if (t.sizes() != parameter_.sizes())
      throw CheckpointError(source_ + ": optimizer state " + state_name(name_, state) + " has shape " +
                            c10::str(t.sizes()) + ", the parameter " + c10::str(parameter_.sizes()));
    return at::empty_like(parameter_).copy_(t);  // the parameter's device, type and memory format
  }
  int64_t count(const char* state) const {
    const at::Tensor& t = get(state);
    if (t.numel() != 1 || t.is_floating_point())
      throw CheckpointError(source_ + ": optimizer state " + state_name(name_, state) + " is not a step count");
    return t.item<int64_t>();
  }

 private:
  const at::Tensor& get(const char* state) const {
    const auto found = saved_.find(state_name(name_, state));
    if (found == saved_.end())
      throw CheckpointError(source_ + ": optimizer state " + state_name(name_, state) + " is missing");
    used_.insert(found->first);
    return found->second;
  }
  const std::map<std::string, at::Tensor>& saved_;
  const std::string& name_;
  const at::Tensor& parameter_;
  const std::string& source_;
  std::set<std::string>& used_;
};

std::string generator_name(const c10::Device& device) {
  return kRngStatePrefix + (device.is_cpu() ? std::string("cpu") : device.str());
}

at::Generator default_generator(const c10::Device& device) {
  return device.is_cpu() ? at::detail::getDefaultCPUGenerator() : at::globalContext().defaultGenerator(device);
}

std::vector<c10::Device> generators_in_use(const c10::Device& device) {
  std::vector<c10::Device> devices{c10::Device(c10::kCPU)};
  if (!device.is_cpu()) devices.push_back(device.has_index() ? device : c10::Device(device.type(), 0));
  return devices;
}

// Adam and AdamW keep the same state in two types.
template <typename State>
void keep_adam_state(const torch::optim::OptimizerParamState& base, const std::string& parameter,
                     std::map<std::string, at::Tensor>& out) {
  const auto& adam = static_cast<const State&>(base);
  for (const auto& [name, t] : {std::pair<const char*, at::Tensor>{"exp_avg", adam.exp_avg()},
                                {"exp_avg_sq", adam.exp_avg_sq()},
                                {"max_exp_avg_sq", adam.max_exp_avg_sq()}}) {
    if (t.defined()) out[state_name(parameter, name)] = t.detach().cpu().contiguous();
  }
  out[state_name(parameter, "step")] = at::scalar_tensor(adam.step(), at::kLong);
}

template <typename State>
std::unique_ptr<State> restored_adam_state(const ParameterState& p) {
  auto s = std::make_unique<State>();
  s->step(p.count("step"));
  s->exp_avg(p.like_parameter("exp_avg"));
  s->exp_avg_sq(p.like_parameter("exp_avg_sq"));
  if (p.present("max_exp_avg_sq")) s->max_exp_avg_sq(p.like_parameter("max_exp_avg_sq"));
  return s;
}

}  // namespace

std::map<std::string, at::Tensor> optimizer_state_tensors(const torch::optim::Optimizer& optimizer,
                                                          const torch::nn::Module& model, OptimizerKind kind) {
  std::map<std::string, at::Tensor> out;
  const auto& state = optimizer.state();
  for (const auto& item : model.named_parameters(true)) {
    const auto found = state.find(compat::optimizer_state_key<StateKey>(item.value()));
    if (found == state.end()) continue;  // not stepped yet (or SGD without momentum): nothing to keep
    auto keep = [&](const char* name, const at::Tensor& t) {
      if (t.defined()) out[state_name(item.key(), name)] = t.detach().cpu().contiguous();
    };
    if (kind == OptimizerKind::Sgd) {
      keep("momentum_buffer", static_cast<const torch::optim::SGDParamState&>(*found->second).momentum_buffer());
    } else if (kind == OptimizerKind::AdamW) {
      keep_adam_state<torch::optim::AdamWParamState>(*found->second, item.key(), out);
    } else {
      keep_adam_state<torch::optim::AdamParamState>(*found->second, item.key(), out);
    }
  }
  return out;
}

void restore_optimizer_state(torch::optim::Optimizer& optimizer, const torch::nn::Module& model, OptimizerKind kind,
                             const std::map<std::string, at::Tensor>& saved, const std::string& source) {
  std::set<std::string> used;
  auto& state = optimizer.state();
  state.clear();
  for (const auto& item : model.named_parameters(true)) {
    const ParameterState p(saved, item.key(), item.value(), source, used);
    if (kind == OptimizerKind::Sgd) {
      if (!p.present("momentum_buffer")) continue;
      auto s = std::make_unique<torch::optim::SGDParamState>();
      s->momentum_buffer(p.like_parameter("momentum_buffer"));
      state[compat::optimizer_state_key<StateKey>(item.value())] = std::move(s);
    } else if (p.present("step")) {
      const auto key = compat::optimizer_state_key<StateKey>(item.value());
      if (kind == OptimizerKind::AdamW) {
        state[key] = restored_adam_state<torch::optim::AdamWParamState>(p);
      } else {
        state[key] = restored_adam_state<torch::optim::AdamParamState>(p);
      }
    }
  }
  std::vector<std::string> unused;
  for (const auto& [name, _] : saved) {
    if (name.starts_with(kOptimizerStatePrefix) && !used.count(name)) unused.push_back(name);
  }
  if (!unused.empty())
    throw CheckpointError(source + ": optimizer state that fits no parameter of the model or is not " +
                          optimizer_name(kind) + "'s: " + unused.front() +
                          (unused.size() > 1 ? " and " + std::to_string(unused.size() - 1) + " more" : ""));
}

std::map<std::string, at::Tensor> rng_state_tensors(const c10::Device& device) {
  std::map<std::string, at::Tensor> out;
  for (const c10::Device& d : generators_in_use(device)) {
    at::Generator generator = default_generator(d);
    std::lock_guard<std::mutex> lock(generator.mutex());
    out[generator_name(d)] = generator.get_state();
  }
  return out;
}

std::vector<std::string> restore_rng_state(const std::map<std::string, at::Tensor>& saved, const c10::Device& device) {
  std::vector<std::string> not_restored;
  for (const c10::Device& d : generators_in_use(device)) {
    const auto found = saved.find(generator_name(d));
    if (found == saved.end()) {
      not_restored.push_back(generator_name(d).substr(std::strlen(kRngStatePrefix)));
      continue;
    }
    at::Generator generator = default_generator(d);
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(found->second);
  }
  return not_restored;
}

}  // namespace fovea::engine
