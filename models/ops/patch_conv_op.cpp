#include "models/ops/patch_conv_op.h"

#include <ATen/ATen.h>
#include <torch/autograd.h>

#include "kernels/patch_conv.h"
#include "models/ops/gpu_stream.h"
#include "models/torch_compat.h"

namespace fovea::ops {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

kernels::PatchConvParams params_for(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool bf16_out) {
  kernels::PatchConvParams p;
  p.batch = x.size(0);
  p.in_channels = x.size(1);
  p.height = x.size(2);
  p.width = x.size(3);
  p.out_channels = weight.size(0);
  p.kernel = weight.size(2);
  p.input = x.data_ptr<float>();
  p.weight = weight.data_ptr<float>();
  p.bias = bias.data_ptr<float>();
  p.bf16_out = bf16_out;
  return p;
}

class PatchConvGeluFunction : public torch::autograd::Function<PatchConvGeluFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight_in, const at::Tensor& bias_in) {
    const at::Tensor weight = weight_in.to(at::kFloat).contiguous(), bias = bias_in.to(at::kFloat).contiguous();
    const bool bf16_out = x.is_cuda() && compat::cuda_bf16_autocast_active();
    const int64_t k = weight.size(2);
    at::Tensor out = at::empty({x.size(0), weight.size(0), x.size(2) - k + 1, x.size(3) - k + 1},
                               x.options().dtype(bf16_out ? at::kBFloat16 : at::kFloat).memory_format(at::MemoryFormat::ChannelsLast));
    kernels::PatchConvParams p = params_for(x, weight, bias, bf16_out);
    p.output = out.data_ptr();
    if (x.is_cuda()) {
#if defined(FOVEA_HAVE_GPU_KERNELS)
      kernels::patch_conv_gelu_gpu(p, current_gpu_stream(x.device()));
#endif
    } else {
      kernels::patch_conv_gelu_cpu(p, 0, p.batch);
    }
    ctx->save_for_backward({x, weight, bias});
    ctx->saved_data["bf16_out"] = bf16_out;
    ctx->saved_data["bias_type"] = static_cast<int64_t>(bias_in.scalar_type());
    return out;
  }

  // The bias's gradient only: the weights are frozen and the input is data (patch_conv_gelu_uses_kernel).
  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &weight = saved[1], &bias = saved[2];
    const bool bf16_out = ctx->saved_data["bf16_out"].toBool();
    const at::Tensor grad_output =
        grads[0].to(bf16_out ? at::kBFloat16 : at::kFloat).contiguous(at::MemoryFormat::ChannelsLast);
    at::Tensor grad_bias = at::zeros_like(bias);
    const kernels::PatchConvParams p = params_for(x, weight, bias, bf16_out);
    kernels::PatchConvBiasGrad g;
    g.grad_output = grad_output.data_ptr();
    g.grad_bias = grad_bias.data_ptr<float>();
    if (x.is_cuda()) {
#if defined(FOVEA_HAVE_GPU_KERNELS)
      kernels::patch_conv_gelu_bias_grad_gpu(p, g, current_gpu_stream(x.device()));
#endif
    } else {
      kernels::patch_conv_gelu_bias_grad_cpu(p, g, 0, p.batch);  // one thread: it adds into grad_bias
    }
    const auto bias_type = static_cast<at::ScalarType>(ctx->saved_data["bias_type"].toInt());
    return {at::Tensor(), at::Tensor(), grad_bias.to(bias_type)};
  }
};

}  // namespace

bool patch_conv_gelu_uses_kernel(const at::Tensor& x, const at::Tensor& weight) {
  return kernels_run_on(x.device()) && x.dim() == 4 && weight.dim() == 4 && x.scalar_type() == at::kFloat &&
         x.is_contiguous(at::MemoryFormat::ChannelsLast) && !x.requires_grad() && !weight.requires_grad() &&
         weight.size(1) == x.size(1) && weight.size(2) == weight.size(3) && x.size(2) >= weight.size(2) &&
         x.size(3) >= weight.size(3) && weight.size(1) * weight.size(2) * weight.size(3) <= kernels::kPatchConvMaxTaps &&
         weight.size(0) <= kernels::kPatchConvMaxOutputs;
}

at::Tensor patch_conv_gelu(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  if (!patch_conv_gelu_uses_kernel(x, weight)) return at::gelu(at::conv2d(x, weight, bias));
  return PatchConvGeluFunction::apply(x, weight, bias);
}

}  // namespace fovea::ops
