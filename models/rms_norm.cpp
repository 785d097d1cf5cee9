#include "models/rms_norm.h"

#include <ATen/ATen.h>

namespace fovea::models {

RMSNormImpl::RMSNormImpl(int64_t dim, double eps) : eps_(eps) {
  weight = register_parameter("weight", at::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) {
  const at::Tensor f = x.to(at::kFloat);
  return (f * at::rsqrt(f.pow(2).mean(-1, true) + eps_) * weight.to(at::kFloat)).to(x.scalar_type());
}

torch::Tensor RMSNormImpl::forward_gated(const torch::Tensor& x, const torch::Tensor& z) {
  return forward(x.to(at::kFloat) * at::silu(z.to(at::kFloat))).to(x.scalar_type());
}

}  // namespace fovea::models
