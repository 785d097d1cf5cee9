#include "models/attention.h"

#include <ATen/ATen.h>

#include <cmath>

#include "models/torch_compat.h"

namespace fovea::models {

at::Tensor attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
#if FOVEA_TORCH_AT_LEAST(2, 0)
  return at::scaled_dot_product_attention(q, k, v);
#else
  const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
  return at::matmul(at::softmax(at::matmul(q * scale, k.transpose(-2, -1)), -1), v);
#endif
}

}  // namespace fovea::models
