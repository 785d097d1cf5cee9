// RMSNorm as mamba_ssm's (weight only, computed in float32), and its gated form used by Mamba-2
// (RMSNormGated with norm_before_gate=False: normalise x * silu(z)).
#pragma once
#include <torch/nn/module.h>

namespace fovea::models {

class RMSNormImpl : public torch::nn::Module {
 public:
  explicit RMSNormImpl(int64_t dim, double eps = 1e-5);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor forward_gated(const torch::Tensor& x, const torch::Tensor& z);
  torch::Tensor weight;

 private:
  double eps_;
};
TORCH_MODULE(RMSNorm);

}  // namespace fovea::models
