// CPU reference of the fused BatchNorm + GELU (batch_norm_gelu.h): one channel at a time, sums in double.
#include <cmath>

#include "kernels/batch_norm_gelu.h"
#include "kernels/batch_norm_gelu_point.h"
#include "kernels/bf16.h"

namespace fovea::kernels {
namespace {

float load(const void* base, bool bf16, int64_t i) {
  return bf16 ? bf16_to_float(static_cast<const uint16_t*>(base)[i]) : static_cast<const float*>(base)[i];
}

void store(void* base, bool bf16, int64_t i, float value) {
  if (bf16) {
    static_cast<uint16_t*>(base)[i] = float_to_bf16(value);
  } else {
    static_cast<float*>(base)[i] = value;
  }
}

bn_gelu::Channel channel(const BatchNormGeluParams& p, int64_t c) {
  return {p.mean[c], p.invstd[c], p.weight ? p.weight[c] : 1.0f, p.bias ? p.bias[c] : 0.0f};
}

}  // namespace

void batch_norm_gelu_statistics_cpu(const BatchNormGeluParams& p, int64_t c_begin, int64_t c_end) {
  const int64_t C = p.channels;
  for (int64_t c = c_begin; c < c_end; ++c) {
    double sum = 0.0;
    for (int64_t r = 0; r < p.rows; ++r) sum += load(p.input, p.bf16, r * C + c);
    const double mean = sum / static_cast<double>(p.rows);
    double squares = 0.0;
    for (int64_t r = 0; r < p.rows; ++r) {
      const double d = load(p.input, p.bf16, r * C + c) - mean;
      squares += d * d;
    }
    const double variance = squares / static_cast<double>(p.rows);
    p.mean[c] = static_cast<float>(mean);
    p.invstd[c] = static_cast<float>(1.0 / std::sqrt(variance + p.eps));
    if (p.running_mean) p.running_mean[c] = static_cast<float>((1.0 - p.momentum) * p.running_mean[c] + p.momentum * mean);
    if (p.running_var) {
      const double unbiased = p.rows > 1 ? squares / static_cast<double>(p.rows - 1) : variance;
      p.running_var[c] = static_cast<float>((1.0 - p.momentum) * p.running_var[c] + p.momentum * unbiased);
    }
  }
}

void batch_norm_gelu_forward_cpu(const BatchNormGeluParams& p, int64_t c_begin, int64_t c_end) {
  const int64_t C = p.channels;
  for (int64_t c = c_begin; c < c_end; ++c) {
    const bn_gelu::Channel ch = channel(p, c);
    for (int64_t r = 0; r < p.rows; ++r)
      store(p.output, p.bf16, r * C + c, bn_gelu::gelu(bn_gelu::pre_activation(ch, load(p.input, p.bf16, r * C + c))));
  }
}

void batch_norm_gelu_backward_cpu(const BatchNormGeluParams& p, const BatchNormGeluGrads& g, int64_t c_begin,
                                  int64_t c_end) {
  const int64_t C = p.channels;
  const auto dz_at = [&](const bn_gelu::Channel& ch, float x, int64_t i) {
    return load(g.grad_output, p.bf16, i) * bn_gelu::gelu_derivative(bn_gelu::pre_activation(ch, x));
  };
  for (int64_t c = c_begin; c < c_end; ++c) {
    const bn_gelu::Channel ch = channel(p, c);
    double sum_dz = 0.0, sum_dz_xhat = 0.0;
    for (int64_t r = 0; r < p.rows; ++r) {
      const float x = load(p.input, p.bf16, r * C + c), dz = dz_at(ch, x, r * C + c);
      sum_dz += dz;
      sum_dz_xhat += static_cast<double>(dz) * bn_gelu::normalized(ch, x);
    }
    g.grad_bias[c] = static_cast<float>(sum_dz);
    g.grad_weight[c] = static_cast<float>(sum_dz_xhat);
    const float rows = static_cast<float>(p.rows);
    const float mean_dz = g.batch_statistics ? static_cast<float>(sum_dz) / rows : 0.0f;
    const float mean_dz_xhat = g.batch_statistics ? static_cast<float>(sum_dz_xhat) / rows : 0.0f;
    for (int64_t r = 0; r < p.rows; ++r) {
      const float x = load(p.input, p.bf16, r * C + c);
      store(g.grad_input, p.bf16, r * C + c, bn_gelu::input_gradient(ch, x, dz_at(ch, x, r * C + c), mean_dz, mean_dz_xhat));
    }
  }
}

}  // namespace fovea::kernels
