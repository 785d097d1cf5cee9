// One output pixel of patch_conv (patch_conv.h) — the pre-activations of all its channels — and the exact
// GELU with its derivative, shared by the CPU reference and the GPU kernels.
#pragma once
#include <cmath>

#include "kernels/patch_conv.h"
#include "kernels/random.h"  // FOVEA_HOST_DEVICE

namespace fovea::kernels::patch_conv_detail {

// Pre-activations z[co] = bias[co] + sum over (ci, ky, kx) of weight * input, for output pixel (n, oy, ox);
// the taps are read in the weight's (ci, ky, kx) order.
FOVEA_HOST_DEVICE void pre_activations(const PatchConvParams& p, const float* weight, const float* bias, int64_t n,
                                       int64_t oy, int64_t ox, float* z) {
  const int C = static_cast<int>(p.in_channels), k = static_cast<int>(p.kernel), outs = static_cast<int>(p.out_channels);
  float taps[kPatchConvMaxTaps];
  for (int ci = 0; ci < C; ++ci)
    for (int ky = 0; ky < k; ++ky)
      for (int kx = 0; kx < k; ++kx)
        taps[(ci * k + ky) * k + kx] = p.input[((n * p.height + oy + ky) * p.width + ox + kx) * C + ci];
  const int count = C * k * k;
  for (int co = 0; co < outs; ++co) {
    float sum = bias[co];
    for (int t = 0; t < count; ++t) sum += weight[co * count + t] * taps[t];
    z[co] = sum;
  }
}

FOVEA_HOST_DEVICE float gelu(float z) { return 0.5f * z * (1.0f + erff(z * 0.70710678118654752f)); }

// d gelu / dz = Phi(z) + z * phi(z)
FOVEA_HOST_DEVICE float gelu_derivative(float z) {
  return 0.5f * (1.0f + erff(z * 0.70710678118654752f)) + z * 0.39894228040143268f * expf(-0.5f * z * z);
}

}  // namespace fovea::kernels::patch_conv_detail
