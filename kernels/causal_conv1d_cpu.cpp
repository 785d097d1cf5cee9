#include <stdexcept>

#include "kernels/causal_conv1d.h"
#include "kernels/causal_conv1d_point.h"

namespace fovea::kernels {
namespace {

void check(const CausalConv1dParams& p) {
  if (p.width < 2 || p.width > 4) throw std::invalid_argument("causal conv1d: width must be 2..4");
}

}  // namespace

void causal_conv1d_fwd_cpu(const CausalConv1dParams& p, int64_t d0, int64_t d1) {
  check(p);
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t d = d0; d < d1; ++d) {
      const int64_t row = b * p.dim + d;
      for (int64_t t = 0; t < p.length; ++t)
        scan_detail::store(p.dtype, p.out, row * p.length + t,
                           conv_detail::activate(p, conv_detail::pre_activation(p, row, d, t)));
    }
}

void causal_conv1d_bwd_cpu(const CausalConv1dParams& p, const CausalConv1dGrads& g, int64_t d0, int64_t d1) {
  check(p);
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t d = d0; d < d1; ++d) {
      const int64_t row = b * p.dim + d;
      for (int64_t t = 0; t < p.length; ++t) {
        const float grad = conv_detail::dpre(p, g, row, d, t);
        if (g.dbias) g.dbias[d] += grad;
        for (int64_t k = 0; k < p.width; ++k) {
          const int64_t src = t - (p.width - 1) + k;
          if (src >= 0) g.dweight[d * p.width + k] += grad * scan_detail::load(p.dtype, p.x, row * p.length + src);
        }
        scan_detail::store(p.dtype, g.dx, row * p.length + t, conv_detail::dx_at(p, g, row, d, t));
      }
    }
}

}  // namespace fovea::kernels
