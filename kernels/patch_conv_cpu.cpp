#include <cmath>

#include "kernels/bf16.h"
#include "kernels/patch_conv.h"
#include "kernels/patch_conv_point.h"

namespace fovea::kernels {

namespace {

// Calls visit(z, base) for every output pixel of batch rows [n_begin, n_end): z its pre-activations, base
// the offset of its first channel in the output (and in the output's gradient).
template <typename Visit>
void for_each_output_pixel(const PatchConvParams& p, int64_t n_begin, int64_t n_end, Visit&& visit) {
  const int64_t out_h = p.height - p.kernel + 1, out_w = p.width - p.kernel + 1;
  float z[kPatchConvMaxOutputs];
  for (int64_t n = n_begin; n < n_end; ++n)
    for (int64_t oy = 0; oy < out_h; ++oy)
      for (int64_t ox = 0; ox < out_w; ++ox) {
        patch_conv_detail::pre_activations(p, p.weight, p.bias, n, oy, ox, z);
        visit(z, ((n * out_h + oy) * out_w + ox) * p.out_channels);
      }
}

}  // namespace

void patch_conv_gelu_cpu(const PatchConvParams& p, int64_t n_begin, int64_t n_end) {
  for_each_output_pixel(p, n_begin, n_end, [&](const float* z, int64_t base) {
    for (int64_t co = 0; co < p.out_channels; ++co) {
      const float y = patch_conv_detail::gelu(z[co]);
      if (p.bf16_out) {
        static_cast<uint16_t*>(p.output)[base + co] = float_to_bf16(y);
      } else {
        static_cast<float*>(p.output)[base + co] = y;
      }
    }
  });
}

void patch_conv_gelu_bias_grad_cpu(const PatchConvParams& p, const PatchConvBiasGrad& g, int64_t n_begin, int64_t n_end) {
  double sums[kPatchConvMaxOutputs] = {};
  for_each_output_pixel(p, n_begin, n_end, [&](const float* z, int64_t base) {
    for (int64_t co = 0; co < p.out_channels; ++co) {
      const float upstream = p.bf16_out ? bf16_to_float(static_cast<const uint16_t*>(g.grad_output)[base + co])
                                        : static_cast<const float*>(g.grad_output)[base + co];
      sums[co] += static_cast<double>(upstream * patch_conv_detail::gelu_derivative(z[co]));
    }
  });
  for (int64_t co = 0; co < p.out_channels; ++co) g.grad_bias[co] += static_cast<float>(sums[co]);
}

}  // namespace fovea::kernels
