#include "models/ops/selective_scan_op.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <mutex>

#include "kernels/selective_scan.h"
#include "models/ops/gpu_stream.h"
#include "models/ops/reference_mode.h"

namespace fovea::ops {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

kernels::ScanDType scan_dtype(const at::Tensor& t) {
  return t.scalar_type() == at::kBFloat16 ? kernels::ScanDType::BF16 : kernels::ScanDType::F32;
}

float* optional_float(const at::Tensor& t) { return t.defined() ? t.data_ptr<float>() : nullptr; }

// Everything the kernels read, in the dtypes and contiguous layouts they expect.
struct Prepared {
  at::Tensor u, delta, A, B, C, D, z, delta_bias;
  int64_t groups = 1;
  bool softplus = false;

  kernels::SelectiveScanParams params() const {
    kernels::SelectiveScanParams p;
    p.dtype = scan_dtype(u);
    p.batch = u.size(0);
    p.dim = u.size(1);
    p.length = u.size(2);
    p.state = A.size(1);
    p.groups = groups;
    p.u = u.data_ptr();
    p.delta = delta.data_ptr();
    p.A = A.data_ptr<float>();
    p.B = B.data_ptr();
    p.C = C.data_ptr();
    p.D = optional_float(D);
    p.z = z.defined() ? z.data_ptr() : nullptr;
    p.delta_bias = optional_float(delta_bias);
    p.delta_softplus = softplus;
    return p;
  }
};

Prepared prepare(const models::SelectiveScanArgs& a) {
  Prepared p;
  const auto type = a.u.scalar_type() == at::kBFloat16 ? at::kBFloat16 : at::kFloat;
  // Absent optional inputs arrive as empty tensors (see selective_scan()).
  auto present = [](const at::Tensor& t) { return t.defined() && t.numel() > 0; };
  auto io = [&](const at::Tensor& t) { return present(t) ? t.to(type).contiguous() : at::Tensor(); };
  auto f32 = [&](const at::Tensor& t) { return present(t) ? t.to(at::kFloat).contiguous() : at::Tensor(); };
  p.u = io(a.u);
  p.delta = io(a.delta);
  p.z = io(a.z);
  p.B = io(a.B.dim() == 3 ? a.B.unsqueeze(1) : a.B);  // (batch, groups, state, length)
  p.C = io(a.C.dim() == 3 ? a.C.unsqueeze(1) : a.C);
  p.groups = p.B.size(1);
  p.A = f32(a.A);
  p.D = f32(a.D);
  p.delta_bias = f32(a.delta_bias);
  p.softplus = a.delta_softplus;
  return p;
}

void run_forward(const kernels::SelectiveScanParams& params, const at::Device& device) {
#if defined(FOVEA_HAVE_GPU_KERNELS)
  if (device.is_cuda()) {
    kernels::selective_scan_fwd_gpu(params, current_gpu_stream(device));
    return;
  }
#endif
  at::parallel_for(0, params.batch, 1, [&](int64_t b0, int64_t b1) { kernels::selective_scan_fwd_cpu(params, b0, b1); });
}

class SelectiveScanFunction : public torch::autograd::Function<SelectiveScanFunction> {
 public:
  // Inputs as tensors (undefined ones allowed) so that autograd tracks each of them.
  static at::Tensor forward(AutogradContext* ctx, at::Tensor u, at::Tensor delta, at::Tensor A, at::Tensor B,
                            at::Tensor C, at::Tensor D, at::Tensor z, at::Tensor delta_bias, bool softplus) {
    const Prepared p = prepare({u, delta, A, B, C, D, z, delta_bias, softplus});
    at::Tensor out = at::empty_like(p.u);
    kernels::SelectiveScanParams params = p.params();
    params.out = out.data_ptr();
    run_forward(params, u.device());
    const at::Tensor none = at::empty({0});
    auto or_none = [&](const at::Tensor& t) { return t.defined() ? t : none; };
    ctx->save_for_backward({p.u, p.delta, p.A, p.B, p.C, or_none(p.D), or_none(p.z), or_none(p.delta_bias)});
    ctx->saved_data["softplus"] = softplus;
    ctx->saved_data["B_dims"] = B.dim();
    ctx->saved_data["B_type"] = static_cast<int64_t>(B.scalar_type());
    ctx->saved_data["C_type"] = static_cast<int64_t>(C.scalar_type());
    return out;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    Prepared p;
    p.u = saved[0];
    p.delta = saved[1];
    p.A = saved[2];
    p.B = saved[3];
    p.C = saved[4];
    auto given = [](const at::Tensor& t) { return t.numel() > 0 ? t : at::Tensor(); };
    p.D = given(saved[5]);
    p.z = given(saved[6]);
    p.delta_bias = given(saved[7]);
    p.groups = p.B.size(1);
    p.softplus = ctx->saved_data["softplus"].toBool();
    const auto device = p.u.device();
    const auto f32 = at::TensorOptions(at::kFloat).device(device);

    const at::Tensor dout = grads[0].to(p.u.scalar_type()).contiguous();
    at::Tensor du = at::empty_like(p.u), ddelta = at::empty_like(p.delta);
    at::Tensor dz = p.z.defined() ? at::empty_like(p.z) : at::Tensor();
    at::Tensor dA = at::zeros(p.A.sizes(), f32), dB = at::zeros(p.B.sizes(), f32), dC = at::zeros(p.C.sizes(), f32);
    at::Tensor dD = p.D.defined() ? at::zeros(p.D.sizes(), f32) : at::Tensor();
    at::Tensor dbias = p.delta_bias.defined() ? at::zeros(p.delta_bias.sizes(), f32) : at::Tensor();

    const kernels::SelectiveScanParams params = p.params();
    kernels::SelectiveScanGrads g;
    g.dout = dout.data_ptr();
    g.du = du.data_ptr();
    g.ddelta = ddelta.data_ptr();
    g.dz = dz.defined() ? dz.data_ptr() : nullptr;
    g.dB = dB.data_ptr<float>();
    g.dC = dC.data_ptr<float>();
    if (device.is_cuda()) {
#if defined(FOVEA_HAVE_GPU_KERNELS)
      g.dA = dA.data_ptr<float>();
      g.dD = optional_float(dD);
      g.ddelta_bias = optional_float(dbias);
      at::Tensor scratch = at::empty({static_cast<int64_t>(kernels::selective_scan_bwd_scratch_floats(params))}, f32);
      kernels::selective_scan_bwd_gpu(params, g, scratch.data_ptr<float>(), current_gpu_stream(device));
#endif
    } else {
      // Batch ranges run in parallel; each accumulates dA, dD and d(delta_bias) privately.
      std::mutex merge;
      at::parallel_for(0, params.batch, 1, [&](int64_t b0, int64_t b1) {
        at::Tensor local_dA = at::zeros_like(dA), local_dD = dD.defined() ? at::zeros_like(dD) : at::Tensor();
        at::Tensor local_dbias = dbias.defined() ? at::zeros_like(dbias) : at::Tensor();
        kernels::SelectiveScanGrads local = g;
        local.dA = local_dA.data_ptr<float>();
        local.dD = optional_float(local_dD);
        local.ddelta_bias = optional_float(local_dbias);
        kernels::selective_scan_bwd_cpu(params, local, b0, b1);
        std::lock_guard lock(merge);
        dA.add_(local_dA);
        if (dD.defined()) dD.add_(local_dD);
        if (dbias.defined()) dbias.add_(local_dbias);
      });
    }
    const auto B_type = static_cast<at::ScalarType>(ctx->saved_data["B_type"].toInt());
    const auto C_type = static_cast<at::ScalarType>(ctx->saved_data["C_type"].toInt());
    if (ctx->saved_data["B_dims"].toInt() == 3) {
      dB = dB.squeeze(1);
      dC = dC.squeeze(1);
    }
    return {du, ddelta, dA, dB.to(B_type), dC.to(C_type), dD, dz, dbias, at::Tensor()};
  }
};

}  // namespace

bool selective_scan_supported(const c10::Device& device) { return kernels_run_on(device); }

at::Tensor selective_scan(const models::SelectiveScanArgs& a) {
  if (reference_ops_enabled()) return models::selective_scan_reference(a).out;
  TORCH_CHECK(selective_scan_supported(a.u.device()), "selective scan: no kernel for device ", a.u.device().str());
  TORCH_CHECK(a.u.dim() == 3 && a.A.dim() == 2 && a.A.size(1) <= kernels::kMaxScanState,
              "selective scan: u must be (batch, dim, length) and A (dim, state <= 64)");
  // LibTorch 1.13's autograd functions cannot take undefined tensors: absent ones travel as empty tensors.
  const at::Tensor none = at::empty({0}, a.u.options().dtype(at::kFloat));
  auto or_none = [&](const at::Tensor& t) { return t.defined() ? t : none; };
  return SelectiveScanFunction::apply(a.u, a.delta, a.A, a.B, a.C, or_none(a.D), or_none(a.z), or_none(a.delta_bias),
                                      a.delta_softplus);
}

}  // namespace fovea::ops
