#include "models/ops/causal_conv1d_op.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include "kernels/causal_conv1d.h"
#include "models/ops/gpu_stream.h"
#include "models/ops/reference_mode.h"
#include "models/ops/selective_scan_op.h"  // selective_scan_supported: the same devices
#include "models/ssm_reference.h"

namespace fovea::ops {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

kernels::CausalConv1dParams params_for(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool silu) {
  kernels::CausalConv1dParams p;
  p.dtype = x.scalar_type() == at::kBFloat16 ? kernels::ScanDType::BF16 : kernels::ScanDType::F32;
  p.batch = x.size(0);
  p.dim = x.size(1);
  p.length = x.size(2);
  p.width = weight.size(1);
  p.x = x.data_ptr();
  p.weight = weight.data_ptr<float>();
  p.bias = bias.numel() > 0 ? bias.data_ptr<float>() : nullptr;
  p.silu = silu;
  return p;
}

class CausalConv1dFunction : public torch::autograd::Function<CausalConv1dFunction> {
 public:
  static at::Tensor forward(AutogradContext* ctx, at::Tensor x_in, at::Tensor weight_in, at::Tensor bias_in, bool silu) {
    const auto type = x_in.scalar_type() == at::kBFloat16 ? at::kBFloat16 : at::kFloat;
    const at::Tensor x = x_in.to(type).contiguous(), weight = weight_in.to(at::kFloat).contiguous();
    const at::Tensor bias = bias_in.to(at::kFloat).contiguous();
    at::Tensor out = at::empty_like(x);
    kernels::CausalConv1dParams p = params_for(x, weight, bias, silu);
    p.out = out.data_ptr();
    if (x.is_cuda()) {
#if defined(FOVEA_HAVE_GPU_KERNELS)
      kernels::causal_conv1d_fwd_gpu(p, current_gpu_stream(x.device()));
#endif
    } else {
      at::parallel_for(0, p.dim, 16, [&](int64_t d0, int64_t d1) { kernels::causal_conv1d_fwd_cpu(p, d0, d1); });
    }
    ctx->save_for_backward({x, weight, bias});
    ctx->saved_data["silu"] = silu;
    ctx->saved_data["weight_type"] = static_cast<int64_t>(weight_in.scalar_type());
    return out;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &weight = saved[1], &bias = saved[2];
    const at::Tensor dout = grads[0].to(x.scalar_type()).contiguous();
    at::Tensor dx = at::empty_like(x), dweight = at::zeros_like(weight), dbias = at::zeros_like(bias);
    const kernels::CausalConv1dParams p = params_for(x, weight, bias, ctx->saved_data["silu"].toBool());
    kernels::CausalConv1dGrads g;
    g.dout = dout.data_ptr();
    g.dx = dx.data_ptr();
    g.dweight = dweight.data_ptr<float>();
    g.dbias = bias.numel() > 0 ? dbias.data_ptr<float>() : nullptr;
    if (x.is_cuda()) {
#if defined(FOVEA_HAVE_GPU_KERNELS)
      kernels::causal_conv1d_bwd_gpu(p, g, current_gpu_stream(x.device()));
#endif
    } else {
      at::parallel_for(0, p.dim, 16, [&](int64_t d0, int64_t d1) { kernels::causal_conv1d_bwd_cpu(p, g, d0, d1); });
    }
    const auto weight_type = static_cast<at::ScalarType>(ctx->saved_data["weight_type"].toInt());
    return {dx, dweight.to(weight_type), bias.numel() > 0 ? dbias : at::Tensor(), at::Tensor()};
  }
};

}  // namespace

at::Tensor causal_conv1d(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool silu) {
  if (reference_ops_enabled()) return models::causal_conv1d_reference(x, weight, bias, silu);
  TORCH_CHECK(selective_scan_supported(x.device()), "causal conv1d: no kernel for device ", x.device().str());
  TORCH_CHECK(x.dim() == 3 && weight.dim() == 2 && weight.size(0) == x.size(1) && weight.size(1) >= 2 &&
                  weight.size(1) <= 4,
              "causal conv1d: x must be (batch, dim, length) and weight (dim, width 2..4)");
  // LibTorch 1.13's autograd functions cannot take undefined tensors: no bias travels as an empty one.
  const at::Tensor no_bias = at::empty({0}, weight.options().dtype(at::kFloat));
  return CausalConv1dFunction::apply(x, weight, bias.defined() ? bias : no_bias, silu);
}

}  // namespace fovea::ops
