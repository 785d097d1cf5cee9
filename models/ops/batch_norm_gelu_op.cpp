#include "models/ops/batch_norm_gelu_op.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include "kernels/batch_norm_gelu.h"
#include "models/ops/gpu_stream.h"
#include "models/ops/reference_mode.h"

namespace fovea::ops {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

constexpr auto kLayout = at::MemoryFormat::ChannelsLast;

const float* float_pointer(const at::Tensor& t) { return t.defined() ? t.data_ptr<float>() : nullptr; }

// float32 and contiguous (the kernels' per-channel arrays), or undefined as given.
at::Tensor as_float_vector(const at::Tensor& t) { return t.defined() ? t.to(at::kFloat).contiguous() : t; }

// The kernels' view of x (contiguous channels_last) and its per-channel arrays.
kernels::BatchNormGeluParams params_for(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                                        const at::Tensor& mean, const at::Tensor& invstd) {
  kernels::BatchNormGeluParams p;
  p.channels = x.size(1);
  p.rows = p.channels > 0 ? x.numel() / p.channels : 0;
  p.bf16 = x.scalar_type() == at::kBFloat16;
  p.input = x.data_ptr();
  p.weight = float_pointer(weight);
  p.bias = float_pointer(bias);
  p.mean = mean.data_ptr<float>();
  p.invstd = invstd.data_ptr<float>();
  return p;
}

template <typename Body>
void over_channels(const kernels::BatchNormGeluParams& p, Body&& body) {
  at::parallel_for(0, p.channels, 1, [&](int64_t c0, int64_t c1) { body(c0, c1); });
}

struct Statistics {
  at::Tensor mean, invstd;
};

// The batch's mean and 1 / std per channel; updates the running statistics where given.
Statistics batch_statistics(const at::Tensor& x, const at::Tensor& running_mean, const at::Tensor& running_var,
                            double momentum, double eps) {
  const auto floats = x.options().dtype(at::kFloat);
  Statistics s{at::empty({x.size(1)}, floats), at::empty({x.size(1)}, floats)};
  kernels::BatchNormGeluParams p = params_for(x, {}, {}, s.mean, s.invstd);
  p.eps = static_cast<float>(eps);
  p.momentum = static_cast<float>(momentum);
  p.running_mean = running_mean.defined() ? running_mean.data_ptr<float>() : nullptr;
  p.running_var = running_var.defined() ? running_var.data_ptr<float>() : nullptr;
  if (x.is_cuda()) {
#if defined(FOVEA_HAVE_GPU_KERNELS)
    const at::Tensor scratch = at::empty({static_cast<int64_t>(kernels::batch_norm_gelu_scratch_floats(p))}, floats);
    kernels::batch_norm_gelu_statistics_gpu(p, scratch.data_ptr<float>(), current_gpu_stream(x.device()));
#endif
  } else {
    over_channels(p, [&](int64_t c0, int64_t c1) { kernels::batch_norm_gelu_statistics_cpu(p, c0, c1); });
  }
  return s;
}

class BatchNormGeluFunction : public torch::autograd::Function<BatchNormGeluFunction> {
 public:
  // mean and invstd: the statistics that normalise x; `batch_statistics`: they are x's own (training).
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                            const at::Tensor& mean, const at::Tensor& invstd, bool batch_statistics) {
    const at::Tensor weight32 = as_float_vector(weight), bias32 = as_float_vector(bias);
    at::Tensor out = at::empty_like(x, kLayout);
    kernels::BatchNormGeluParams p = params_for(x, weight32, bias32, mean, invstd);
    p.output = out.data_ptr();
    if (x.is_cuda()) {
#if defined(FOVEA_HAVE_GPU_KERNELS)
      kernels::batch_norm_gelu_forward_gpu(p, current_gpu_stream(x.device()));
#endif
    } else {
      over_channels(p, [&](int64_t c0, int64_t c1) { kernels::batch_norm_gelu_forward_cpu(p, c0, c1); });
    }
    ctx->save_for_backward({x, weight32, bias32, mean, invstd});
    ctx->saved_data["batch_statistics"] = batch_statistics;
    ctx->saved_data["weight_type"] = static_cast<int64_t>(weight.defined() ? weight.scalar_type() : at::kFloat);
    ctx->saved_data["bias_type"] = static_cast<int64_t>(bias.defined() ? bias.scalar_type() : at::kFloat);
    return out;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const tensor_list saved = ctx->get_saved_variables();
    const at::Tensor &x = saved[0], &weight32 = saved[1], &bias32 = saved[2];
    const at::Tensor grad_output = grads[0].to(x.scalar_type()).contiguous(kLayout);
    at::Tensor grad_input = at::empty_like(x, kLayout);
    const auto floats = x.options().dtype(at::kFloat);
    at::Tensor grad_weight = at::empty({x.size(1)}, floats), grad_bias = at::empty({x.size(1)}, floats);
    const kernels::BatchNormGeluParams p = params_for(x, weight32, bias32, saved[3], saved[4]);
    kernels::BatchNormGeluGrads g;
    g.grad_output = grad_output.data_ptr();
    g.batch_statistics = ctx->saved_data["batch_statistics"].toBool();
    g.grad_input = grad_input.data_ptr();
    g.grad_weight = grad_weight.data_ptr<float>();
    g.grad_bias = grad_bias.data_ptr<float>();
    if (x.is_cuda()) {
#if defined(FOVEA_HAVE_GPU_KERNELS)
      const at::Tensor scratch = at::empty({static_cast<int64_t>(kernels::batch_norm_gelu_scratch_floats(p))}, floats);
      kernels::batch_norm_gelu_backward_gpu(p, g, scratch.data_ptr<float>(), current_gpu_stream(x.device()));
#endif
    } else {
      over_channels(p, [&](int64_t c0, int64_t c1) { kernels::batch_norm_gelu_backward_cpu(p, g, c0, c1); });
    }
    const auto as_type = [&](const at::Tensor& grad, const at::Tensor& parameter, const char* type) {
      return parameter.defined() ? grad.to(static_cast<at::ScalarType>(ctx->saved_data[type].toInt())) : at::Tensor();
    };
    return {grad_input, as_type(grad_weight, weight32, "weight_type"), as_type(grad_bias, bias32, "bias_type"),
            at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

bool float_vector_or_none(const at::Tensor& t, const at::Tensor& x) {
  return !t.defined() || (t.scalar_type() == at::kFloat && t.is_contiguous() && t.device() == x.device() &&
                          t.numel() == x.size(1));
}

}  // namespace

bool batch_norm_gelu_uses_kernel(const at::Tensor& x) {
  return !reference_ops_enabled() && kernels_run_on(x.device()) && x.dim() == 4 &&
         (x.scalar_type() == at::kFloat || x.scalar_type() == at::kBFloat16) && x.size(1) > 0 &&
         x.is_contiguous(kLayout);
}

at::Tensor batch_norm_gelu(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                           const at::Tensor& running_mean, const at::Tensor& running_var, bool training,
                           double momentum, double eps) {
  const int64_t rows = x.dim() == 4 && x.size(1) > 0 ? x.numel() / x.size(1) : 0;
  // LibTorch's own path also for what it reports as an error: one value per channel in training, no
  // running statistics in evaluation; and for running statistics the kernels cannot update in place.
  const bool kernel = batch_norm_gelu_uses_kernel(x) && (training ? rows > 1 : running_mean.defined() && running_var.defined()) &&
                      float_vector_or_none(running_mean, x) && float_vector_or_none(running_var, x);
  if (!kernel) return at::gelu(at::batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps, true));
  Statistics s;
  if (training) {
    torch::NoGradGuard no_grad;
    s = batch_statistics(x, running_mean, running_var, momentum, eps);
  } else {
    s = {running_mean, (running_var + eps).rsqrt()};
  }
  return BatchNormGeluFunction::apply(x, weight, bias, s.mean, s.invstd, training);
}

}  // namespace fovea::ops
