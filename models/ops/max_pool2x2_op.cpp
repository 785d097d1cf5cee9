#include "models/ops/max_pool2x2_op.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include "kernels/max_pool2x2.h"
#include "models/ops/gpu_stream.h"

namespace fovea::ops {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

kernels::MaxPool2x2Params params_for(const at::Tensor& x) {
  kernels::MaxPool2x2Params p;
  p.batch = x.size(0);
  p.channels = x.size(1);
  p.height = x.size(2);
  p.width = x.size(3);
  p.bf16 = x.scalar_type() == at::kBFloat16;
  p.input = x.data_ptr();
  return p;
}

class MaxPool2x2Function : public torch::autograd::Function<MaxPool2x2Function> {
 public:
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x) {
    const auto layout = at::MemoryFormat::ChannelsLast;
    const std::vector<int64_t> pooled{x.size(0), x.size(1), x.size(2) / 2, x.size(3) / 2};
    at::Tensor out = at::empty(pooled, x.options().memory_format(layout));
    at::Tensor argmax = at::empty(pooled, x.options().dtype(at::kByte).memory_format(layout));
    kernels::MaxPool2x2Params p = params_for(x);
    p.output = out.data_ptr();
    p.argmax = argmax.data_ptr<uint8_t>();
    if (x.is_cuda()) {
#if defined(FOVEA_HAVE_GPU_KERNELS)
      kernels::max_pool2x2_forward_gpu(p, current_gpu_stream(x.device()));
#endif
    } else {
      at::parallel_for(0, p.batch, 1, [&](int64_t n0, int64_t n1) { kernels::max_pool2x2_forward_cpu(p, n0, n1); });
    }
    ctx->save_for_backward({argmax});
    ctx->saved_data["sizes"] = x.sizes().vec();
    ctx->mark_non_differentiable({argmax});
    return out;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const at::Tensor argmax = ctx->get_saved_variables()[0];
    const std::vector<int64_t> sizes = ctx->saved_data["sizes"].toIntVector();
    const auto layout = at::MemoryFormat::ChannelsLast;
    const at::Tensor grad_output = grads[0].contiguous(layout);
    // The kernels write every element (an odd last row or column too), unless there is no window at all.
    at::Tensor grad_input = at::empty(sizes, grad_output.options().memory_format(layout));  // (at::zeros has no layout)
    if (sizes[2] < 2 || sizes[3] < 2) grad_input.zero_();
    kernels::MaxPool2x2Params p = params_for(grad_input);
    kernels::MaxPool2x2Grads g;
    g.grad_output = grad_output.data_ptr();
    g.argmax = argmax.data_ptr<uint8_t>();
    g.grad_input = grad_input.data_ptr();
    if (grad_input.is_cuda()) {
#if defined(FOVEA_HAVE_GPU_KERNELS)
      kernels::max_pool2x2_backward_gpu(p, g, current_gpu_stream(grad_input.device()));
#endif
    } else {
      at::parallel_for(0, p.batch, 1, [&](int64_t n0, int64_t n1) { kernels::max_pool2x2_backward_cpu(p, g, n0, n1); });
    }
    return {grad_input};
  }
};

}  // namespace

bool max_pool2x2_uses_kernel(const at::Tensor& x) {
  return kernels_run_on(x.device()) && x.dim() == 4 && (x.scalar_type() == at::kFloat || x.scalar_type() == at::kBFloat16) &&
         x.size(1) > 0 && x.is_contiguous(at::MemoryFormat::ChannelsLast) && !x.is_contiguous();
}

at::Tensor max_pool2x2(const at::Tensor& x) {
  if (!max_pool2x2_uses_kernel(x)) return at::max_pool2d(x, {2, 2});
  return MaxPool2x2Function::apply(x);
}

}  // namespace fovea::ops
