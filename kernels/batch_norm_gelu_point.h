// The per-element arithmetic of the fused BatchNorm + GELU, shared by the CPU reference and the GPU kernels
// so that they differ only in the order of their sums.
#pragma once
#include <math.h>

#include "kernels/random.h"  // FOVEA_HOST_DEVICE

#if defined(__CUDACC__) || defined(__HIPCC__)
#include "kernels/gpu_portability.h"  // gpu_fast_exp, gpu_fast_reciprocal in device code
#endif

namespace fovea::kernels::bn_gelu {

constexpr float kInvSqrt2 = 0.70710678118654752f;    // 1 / sqrt(2)
constexpr float kInvSqrt2Pi = 0.39894228040143268f;  // 1 / sqrt(2 pi): the normal density at 0

#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
FOVEA_HOST_DEVICE float exp_fast(float x) { return gpu_fast_exp(x); }
FOVEA_HOST_DEVICE float reciprocal_fast(float x) { return gpu_fast_reciprocal(x); }
#else
FOVEA_HOST_DEVICE float exp_fast(float x) { return expf(x); }
FOVEA_HOST_DEVICE float reciprocal_fast(float x) { return 1.0f / x; }
#endif

// The standard normal distribution Phi(z) and density phi(z) from one exponential, for GELU's forward and
// backward: erf(x) = 1 - t (a1 + t (a2 + ... + t a5)) e^(-x^2), t = 1 / (1 + p x), x >= 0 (Abramowitz & Stegun
// 7.1.26, |error| <= 1.5e-7), at x = |z| / sqrt(2), where e^(-x^2) = e^(-z^2 / 2) is also phi's exponential.
// About a third of the instructions of erff plus expf: the fused kernels would otherwise be bound by them.
// The tail 1 - Phi(|z|) is computed directly, so Phi of a negative z keeps its relative precision.
struct Normal {
  float cdf, pdf;
};

FOVEA_HOST_DEVICE Normal normal_at(float z) {
  const float e = exp_fast(-0.5f * z * z);
  const float t = reciprocal_fast(1.0f + 0.3275911f * kInvSqrt2 * fabsf(z));
  const float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
  const float tail = 0.5f * poly * e;  // 1 - Phi(|z|)
  return {z >= 0.0f ? 1.0f - tail : tail, kInvSqrt2Pi * e};
}

// GELU(z) = z * Phi(z), as torch.nn.functional.gelu (its exact, not its tanh form).
FOVEA_HOST_DEVICE float gelu(float z) { return z * normal_at(z).cdf; }

// d GELU / dz = Phi(z) + z * phi(z).
FOVEA_HOST_DEVICE float gelu_derivative(float z) {
  const Normal n = normal_at(z);
  return n.cdf + z * n.pdf;
}

// One channel's statistics and affine parameters, as the element-wise passes use them.
struct Channel {
  float mean = 0.0f, invstd = 1.0f, weight = 1.0f, bias = 0.0f;
};

// (x - mean) * invstd: subtracted first, so that a large mean costs no precision.
FOVEA_HOST_DEVICE float normalized(const Channel& c, float x) { return (x - c.mean) * c.invstd; }

FOVEA_HOST_DEVICE float pre_activation(const Channel& c, float x) { return normalized(c, x) * c.weight + c.bias; }

// The gradient of the input given dz (the gradient of z): with batch statistics, the mean and variance
// depend on every row, which subtracts the channel's mean of dz and of dz * xhat (both over the rows;
// zero without batch statistics).
FOVEA_HOST_DEVICE float input_gradient(const Channel& c, float x, float dz, float mean_dz, float mean_dz_xhat) {
  return c.weight * c.invstd * (dz - mean_dz - normalized(c, x) * mean_dz_xhat);
}

}  // namespace fovea::kernels::bn_gelu
