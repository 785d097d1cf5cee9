#include "models/ops/add_layer_norm_op.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include "kernels/add_layer_norm.h"
#include "models/ops/gpu_stream.h"
#include "models/torch_compat.h"

namespace fovea::ops {

bool add_layer_norm_supported(const at::Tensor& residual) {
  return kernels_run_on(residual.device()) && residual.scalar_type() == at::kFloat && residual.dim() >= 1 &&
         residual.size(-1) <= kernels::kAddLayerNormMaxFeatures;
}

AddLayerNormResult add_layer_norm(const at::Tensor& residual, const at::Tensor& branch, const at::Tensor& weight,
                                  const at::Tensor& bias, double eps) {
  TORCH_CHECK(add_layer_norm_supported(residual), "add_layer_norm: needs a float32 residual of at most ",
              kernels::kAddLayerNormMaxFeatures, " features on the CPU or a GPU with kernels");
  const at::Tensor r = residual.contiguous();
  at::Tensor b;
  if (branch.defined()) {
    TORCH_CHECK(branch.sizes() == residual.sizes(), "add_layer_norm: the branch must have the residual's shape");
    b = (branch.scalar_type() == at::kBFloat16 ? branch : branch.to(at::kFloat)).contiguous();
  }
  const at::Tensor w = weight.to(at::kFloat).contiguous(), c = bias.to(at::kFloat).contiguous();
  const bool bf16_out = r.is_cuda() && compat::cuda_bf16_autocast_active();
  AddLayerNormResult out{at::empty_like(r), at::empty(r.sizes(), r.options().dtype(bf16_out ? at::kBFloat16 : at::kFloat))};
  kernels::AddLayerNormParams p;
  p.features = r.size(-1);
  p.rows = r.numel() / std::max<int64_t>(1, p.features);
  p.residual = r.data_ptr<float>();
  p.branch = b.defined() ? b.data_ptr() : nullptr;
  p.branch_type = b.defined() && b.scalar_type() == at::kBFloat16 ? kernels::NormIo::BF16 : kernels::NormIo::F32;
  p.residual_out = out.residual.data_ptr<float>();
  p.weight = w.data_ptr<float>();
  p.bias = c.data_ptr<float>();
  p.eps = static_cast<float>(eps);
  p.normalized = out.normalized.data_ptr();
  p.normalized_type = bf16_out ? kernels::NormIo::BF16 : kernels::NormIo::F32;
  if (r.is_cuda()) {
#if defined(FOVEA_HAVE_GPU_KERNELS)
    kernels::add_layer_norm_gpu(p, current_gpu_stream(r.device()));
#endif
  } else {
    at::parallel_for(0, p.rows, 64, [&](int64_t r0, int64_t r1) { kernels::add_layer_norm_cpu(p, r0, r1); });
  }
  return out;
}

}  // namespace fovea::ops
