// One output position of the causal conv1d, forward and backward, shared by the CPU reference and the
// GPU kernels (see causal_conv1d.h for the semantics).
#pragma once
#include <math.h>

#include "kernels/causal_conv1d.h"
#include "kernels/selective_scan_channel.h"  // load, store

namespace fovea::kernels::conv_detail {

// The pre-activation at (row, t); row = b * dim + d.
FOVEA_HOST_DEVICE float pre_activation(const CausalConv1dParams& p, int64_t row, int64_t d, int64_t t) {
  float s = p.bias ? p.bias[d] : 0.0f;
  for (int64_t k = 0; k < p.width; ++k) {
    const int64_t src = t - (p.width - 1) + k;
    if (src >= 0) s += p.weight[d * p.width + k] * scan_detail::load(p.dtype, p.x, row * p.length + src);
  }
  return s;
}

FOVEA_HOST_DEVICE float activate(const CausalConv1dParams& p, float pre) {
  return p.silu ? pre / (1.0f + expf(-pre)) : pre;
}

// d loss / d pre-activation at (row, t).
FOVEA_HOST_DEVICE float dpre(const CausalConv1dParams& p, const CausalConv1dGrads& g, int64_t row, int64_t d,
                             int64_t t) {
  const float dout = scan_detail::load(p.dtype, g.dout, row * p.length + t);
  if (!p.silu) return dout;
  const float pre = pre_activation(p, row, d, t), s = 1.0f / (1.0f + expf(-pre));
  return dout * s * (1.0f + pre * (1.0f - s));
}

// dx at (row, s): the outputs t = s .. s + width - 1 saw x[s] through weight[width - 1 - (t - s)].
FOVEA_HOST_DEVICE float dx_at(const CausalConv1dParams& p, const CausalConv1dGrads& g, int64_t row, int64_t d,
                              int64_t s) {
  float sum = 0.0f;
  for (int64_t j = 0; j < p.width; ++j) {
    const int64_t t = s + j;
    if (t < p.length) sum += dpre(p, g, row, d, t) * p.weight[d * p.width + (p.width - 1 - j)];
  }
  return sum;
}

}  // namespace fovea::kernels::conv_detail
