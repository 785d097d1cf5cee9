// Deterministic "random" weights defined by a formula, so that a test can fill a model with the same
// weights as a Python reference without committing megabytes of tensors. The same formula is in
// bench/parity/formula_weights.py; both must change together.
#pragma once
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <string>

namespace fovea::testing {

inline bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Tensor number t (in sorted name order), element j (row-major): w = sin(a j + b), a = 0.7 + 0.013 t,
// b = 0.1 t, then scaled per kind of tensor.
inline at::Tensor formula_tensor(const std::string& name, at::IntArrayRef shape, at::ScalarType type, int64_t t) {
  const int64_t n = c10::multiply_integers(shape);
  std::vector<double> values(static_cast<size_t>(n));
  const double a = 0.7 + 0.013 * static_cast<double>(t), b = 0.1 * static_cast<double>(t);
  const int64_t fan_in = shape.empty() || shape[0] == 0 ? 1 : n / shape[0];
  for (int64_t j = 0; j < n; ++j) {
    const double s = std::sin(a * static_cast<double>(j) + b);
    double v;
    if (ends_with(name, "num_batches_tracked")) v = 0;
    else if (ends_with(name, "running_var")) v = 1.0 + 0.25 * (s + 1.0);
    else if (ends_with(name, "running_mean")) v = 0.1 * s;
    else if (shape.size() >= 2) v = s * 2.0 / std::sqrt(static_cast<double>(fan_in));
    else if (ends_with(name, "weight")) v = 1.0 + 0.1 * s;
    else v = 0.1 * s;
    values[static_cast<size_t>(j)] = v;
  }
  return torch::tensor(values, torch::kDouble).reshape(shape).to(type);
}

inline void fill_with_formula(torch::nn::Module& module) {
  std::map<std::string, at::Tensor> targets;
  for (auto& p : module.named_parameters(true)) targets[p.key()] = p.value();
  for (auto& b : module.named_buffers(true)) targets[b.key()] = b.value();
  torch::NoGradGuard no_grad;
  int64_t t = 0;
  for (auto& [name, tensor] : targets) {
    tensor.copy_(formula_tensor(name, tensor.sizes(), tensor.scalar_type(), t++));
  }
}

// x[i] = sin(0.05 i + 0.3) over the flat index.
inline at::Tensor formula_input(at::IntArrayRef shape) {
  const int64_t n = c10::multiply_integers(shape);
  return torch::sin(torch::arange(n, torch::kDouble) * 0.05 + 0.3).reshape(shape).to(torch::kFloat);
}

}  // namespace fovea::testing
