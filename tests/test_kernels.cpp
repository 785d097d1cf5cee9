// Kernels against their references, in the style of ggml's test-backend-ops: every case prints its
// relative error and bound, and the program fails if any case does. Plain C++ (no Qt) so that it runs
// on GPU machines without Qt. Relative error = max|x - ref| / max|ref|. Bounds: 1e-5 for fp32
// outputs, 1e-4 for fp32 gradients (long sums in another order), 2e-2 for bf16.
// GPU cases run when a GPU and GPU kernels are present, and are reported as skipped otherwise.
#include <torch/torch.h>

#include <cstdio>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "kernels/augment.h"
#include "kernels/max_pool2x2.h"
#include "kernels/ycbcr_to_rgb.h"
#include "models/ops/add_layer_norm_op.h"
#include "models/ops/batch_norm_gelu_op.h"
#include "models/ops/causal_conv1d_op.h"
#include "models/ops/max_pool2x2_op.h"
#include "models/ops/patch_conv_op.h"
#include "models/ops/gpu_augment.h"
#include "models/ops/reference_mode.h"
#include "models/ops/selective_scan_op.h"
#include "models/registry.h"
#include "models/torch_compat.h"
#include "models/ssm_reference.h"

using fovea::models::SelectiveScanArgs;

namespace {

int failures = 0, passes = 0;

double relative_error(const at::Tensor& x, const at::Tensor& ref) {
  const at::Tensor a = x.detach().to(at::kDouble).cpu(), b = ref.detach().to(at::kDouble).cpu();
  return (a - b).abs().max().item<double>() / std::max(1e-30, b.abs().max().item<double>());
}

void report(const std::string& name, double error, double bound) {
  const bool ok = std::isfinite(error) && error <= bound;
  std::printf("  %-62s err %.2e  bound %.0e  %s\n", name.c_str(), error, bound, ok ? "OK" : "FAIL");
  (ok ? passes : failures)++;
}

struct ScanCase {
  int64_t batch, dim, state, length, groups;  // groups 0: B and C shared, shaped (batch, state, length)
  bool gated;
};

SelectiveScanArgs random_args(const ScanCase& c, at::ScalarType type, const at::Device& device) {
  const auto o = at::TensorOptions(at::kFloat).device(device);
  SelectiveScanArgs a;
  a.u = torch::randn({c.batch, c.dim, c.length}, o).to(type);
  a.delta = (torch::randn({c.batch, c.dim, c.length}, o) * 0.5).to(type);
  a.A = -(torch::rand({c.dim, c.state}, o) * 2 + 0.1);
  const std::vector<int64_t> bc = c.groups ? std::vector<int64_t>{c.batch, c.groups, c.state, c.length}
                                           : std::vector<int64_t>{c.batch, c.state, c.length};
  a.B = torch::randn(bc, o).to(type);
  a.C = torch::randn(bc, o).to(type);
  a.D = torch::randn({c.dim}, o);
  if (c.gated) a.z = torch::randn({c.batch, c.dim, c.length}, o).to(type);
  a.delta_bias = torch::randn({c.dim}, o) * 0.3;
  a.delta_softplus = true;
  return a;
}

SelectiveScanArgs with_grad(SelectiveScanArgs a) {
  for (at::Tensor* t : {&a.u, &a.delta, &a.A, &a.B, &a.C, &a.D, &a.z, &a.delta_bias}) {
    if (t->defined()) *t = t->detach().clone().requires_grad_(true);
  }
  return a;
}

std::vector<at::Tensor> grads_of(const SelectiveScanArgs& a) {
  std::vector<at::Tensor> g;
  for (const at::Tensor* t : {&a.u, &a.delta, &a.A, &a.B, &a.C, &a.D, &a.z, &a.delta_bias}) {
    if (t->defined()) g.push_back(t->grad());
  }
  return g;
}

const char* kGradNames[] = {"du", "ddelta", "dA", "dB", "dC", "dD", "dz", "ddelta_bias"};

std::string describe(const ScanCase& c) {
  char text[96];
  std::snprintf(text, sizeof text, "b%lld d%lld n%lld L%lld%s%s", (long long)c.batch, (long long)c.dim,
                (long long)c.state, (long long)c.length, c.groups ? " grouped" : "", c.gated ? " z" : "");
  return text;
}

// The kernel (on `device`) against the LibTorch reference on the CPU, forward and backward.
void compare_with_reference(const ScanCase& c, at::ScalarType type, const at::Device& device, bool backward) {
  const std::string label = std::string(device.is_cuda() ? "gpu " : "cpu ") + (type == at::kBFloat16 ? "bf16 " : "fp32 ") + describe(c);
  const double out_bound = type == at::kBFloat16 ? 2e-2 : 1e-5, grad_bound = type == at::kBFloat16 ? 2e-2 : 1e-4;
  const SelectiveScanArgs base = random_args(c, type, device);
  SelectiveScanArgs kernel = with_grad(base);
  SelectiveScanArgs ref = base;
  for (at::Tensor* t : {&ref.u, &ref.delta, &ref.A, &ref.B, &ref.C, &ref.D, &ref.z, &ref.delta_bias}) {
    if (t->defined()) *t = t->detach().cpu().to(at::kFloat);  // the reference sees the same (rounded) values
  }
  ref = with_grad(ref);
  const at::Tensor out = fovea::ops::selective_scan(kernel);
  const at::Tensor expected = fovea::models::selective_scan_reference(ref).out;
  report(label + " fwd", relative_error(out.to(at::kFloat), expected), out_bound);
  if (!backward) return;
  const at::Tensor dout = torch::randn(expected.sizes());
  out.backward(dout.to(out.device()).to(out.scalar_type()));
  expected.backward(dout);
  const auto got = grads_of(kernel), want = grads_of(ref);
  size_t k = 0;
  const at::Tensor* slots[] = {&base.u, &base.delta, &base.A, &base.B, &base.C, &base.D, &base.z, &base.delta_bias};
  for (size_t i = 0; i < 8; ++i) {
    if (!slots[i]->defined()) continue;
    report(label + " " + kGradNames[i], relative_error(got[k].to(at::kFloat), want[k]), grad_bound);
    ++k;
  }
}

// The conv kernel (on `device`) against causal_conv1d_reference on the CPU, forward and backward.
void compare_conv(int64_t batch, int64_t dim, int64_t length, int64_t width, bool silu, bool with_bias,
                  at::ScalarType type, const at::Device& device) {
  char label[128];
  std::snprintf(label, sizeof label, "%s %s conv b%lld d%lld L%lld w%lld%s%s", device.is_cuda() ? "gpu" : "cpu",
                type == at::kBFloat16 ? "bf16" : "fp32", (long long)batch, (long long)dim, (long long)length,
                (long long)width, silu ? " silu" : "", with_bias ? " bias" : "");
  const double bound = type == at::kBFloat16 ? 2e-2 : 1e-5;
  const at::Tensor x = torch::randn({batch, dim, length}).to(type), w = torch::randn({dim, width}) * 0.5;
  const at::Tensor bias = with_bias ? torch::randn({dim}) : at::Tensor();
  // Separate leaves for the kernel and the reference (on the CPU, .to() alone would alias them).
  auto leaf = [](const at::Tensor& t) { return t.clone().detach().requires_grad_(true); };
  at::Tensor xk = leaf(x.to(device)), wk = leaf(w.to(device)), bk = with_bias ? leaf(bias.to(device)) : at::Tensor();
  at::Tensor xr = leaf(x.to(at::kFloat)), wr = leaf(w), br = with_bias ? leaf(bias) : at::Tensor();
  const at::Tensor out = fovea::ops::causal_conv1d(xk, wk, bk, silu);
  const at::Tensor expected = fovea::models::causal_conv1d_reference(xr, wr, br, silu);
  report(std::string(label) + " fwd", relative_error(out.to(at::kFloat), expected), bound);
  const at::Tensor dout = torch::randn(expected.sizes());
  out.backward(dout.to(device).to(out.scalar_type()));
  expected.backward(dout);
  report(std::string(label) + " dx", relative_error(xk.grad().to(at::kFloat), xr.grad()), bound);
  report(std::string(label) + " dweight", relative_error(wk.grad(), wr.grad()), type == at::kBFloat16 ? 2e-2 : 1e-4);
  if (with_bias) report(std::string(label) + " dbias", relative_error(bk.grad(), br.grad()), type == at::kBFloat16 ? 2e-2 : 1e-4);
}

void augment_gpu_matches_cpu() {
  const at::Tensor images = torch::randint(0, 256, {300, 31, 29, 3}, at::kByte);
  const at::Tensor idx = torch::randint(0, 300, {257}, at::kLong);
  fovea::kernels::AugmentParams p;
  p.max_translate = 2;
  p.random_flip = true;
  p.pad = 1;
  p.seed = 99;
  p.step_offset = 12345;
  for (int c = 0; c < 3; ++c) {
    p.mean[c] = 0.4f + 0.05f * c;
    p.inv_std[c] = 4.0f - c;
  }
  for (const auto& [channels_last, cutout] : {std::pair{false, 0}, std::pair{true, 0}, std::pair{false, 6}, std::pair{true, 9}}) {
    p.channels_last = channels_last;
    p.cutout = cutout;
    at::Tensor expected = torch::empty({257, 3, 33, 31});
    if (channels_last) expected = expected.contiguous(at::MemoryFormat::ChannelsLast);
    fovea::kernels::AugmentParams cpu = p;
    cpu.images = images.data_ptr<uint8_t>();
    cpu.indices = idx.data_ptr<int64_t>();
    cpu.out = expected.data_ptr<float>();
    cpu.batch = 257;
    cpu.height = 31;
    cpu.width = 29;
    cpu.channels = 3;
    fovea::kernels::augment_cpu(cpu);
    const at::Tensor got = fovea::ops::gpu_augment(images.cuda(), idx.cuda(), p);
    report(std::string("gpu augment 257x31x29x3 pad 1") + (channels_last ? " channels_last" : "") +
               (cutout ? " cutout " + std::to_string(cutout) : ""),
           relative_error(got, expected), 1e-6);
  }
}

#ifdef FOVEA_HAVE_GPU_KERNELS
// JPEG colour conversion on the GPU against the CPU reference (which tests/test_jpeg_colour.cpp holds to
// libjpeg), on random planes with padded pitches: must be identical.
void ycbcr_gpu_matches_cpu() {
  struct Case {
    int width, height, h, v;
    bool grey;
  };
  const Case cases[] = {{37, 23, 2, 2, false}, {500, 375, 2, 2, false}, {333, 500, 2, 1, false}, {2, 9, 1, 2, false},
                        {129, 65, 1, 1, false}, {77, 31, 1, 1, true},   {2, 2, 2, 2, false}};
  std::vector<fovea::kernels::YcbcrPlanes> on_gpu, on_cpu;
  std::vector<at::Tensor> keep, gpu_out, cpu_out;
  for (const Case& c : cases) {
    const int cw = (c.width + c.h - 1) / c.h, ch = (c.height + c.v - 1) / c.v;
    const at::Tensor y = torch::randint(0, 256, {c.height, c.width + 3}, at::kByte);
    const at::Tensor cb = torch::randint(0, 256, {ch, cw + 5}, at::kByte), cr = torch::randint(0, 256, {ch, cw + 5}, at::kByte);
    for (const bool gpu : {false, true}) {
      const at::Device device = gpu ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
      const at::Tensor dy = y.to(device), dcb = cb.to(device), dcr = cr.to(device);
      const at::Tensor out = torch::zeros({c.height, c.width, 3}, at::TensorOptions(at::kByte).device(device));
      keep.insert(keep.end(), {dy, dcb, dcr});
      fovea::kernels::YcbcrPlanes p;
      p.y = dy.data_ptr<uint8_t>();
      p.y_pitch = c.width + 3;
      p.width = c.width;
      p.height = c.height;
      p.rgb = out.data_ptr<uint8_t>();
      if (!c.grey) {
        p.cb = dcb.data_ptr<uint8_t>();
        p.cr = dcr.data_ptr<uint8_t>();
        p.chroma_pitch = cw + 5;
        p.chroma_width = cw;
        p.chroma_height = ch;
        p.h_factor = c.h;
        p.v_factor = c.v;
      }
      (gpu ? on_gpu : on_cpu).push_back(p);
      (gpu ? gpu_out : cpu_out).push_back(out);
    }
  }
  for (const auto& p : on_cpu) fovea::kernels::ycbcr_to_rgb_cpu(p);
  fovea::kernels::ycbcr_to_rgb_gpu(on_gpu.data(), static_cast<int>(on_gpu.size()), nullptr);
  torch::cuda::synchronize();
  for (size_t i = 0; i < std::size(cases); ++i) {
    const Case& c = cases[i];
    char name[96];
    std::snprintf(name, sizeof name, "gpu ycbcr->rgb %dx%d %s", c.width, c.height,
                  c.grey ? "grey" : c.h == 2 ? (c.v == 2 ? "4:2:0" : "4:2:2") : (c.v == 2 ? "4:4:0" : "4:4:4"));
    report(name, relative_error(gpu_out[i], cpu_out[i]), 0.0);
  }
}

// Residual add + LayerNorm on the GPU against the CPU reference (through the LibTorch op): float32
// residual out, normalised out in float32 or (under bf16 autocast) bf16; branch bf16, float32 or none.
void add_layer_norm_gpu_matches_cpu() {
  for (const int64_t features : {192, 768, 1000, 1024}) {
    const at::Tensor residual = torch::randn({3, 131, features}) * 2 + 0.5;
    const at::Tensor weight = torch::randn({features}), bias = torch::randn({features});
    for (const at::ScalarType branch_type : {at::kBFloat16, at::kFloat, c10::ScalarType::Undefined}) {
      const at::Tensor branch = branch_type == c10::ScalarType::Undefined ? at::Tensor() : torch::randn({3, 131, features}).to(branch_type);
      const auto cpu = fovea::ops::add_layer_norm(residual, branch, weight, bias, 1e-6);
      const at::Device cuda(at::kCUDA, 0);
      const at::Tensor gpu_branch = branch.defined() ? branch.to(cuda) : at::Tensor();
      for (const bool bf16 : {false, true}) {
        const fovea::compat::CudaBf16Autocast autocast(bf16);
        const auto gpu = fovea::ops::add_layer_norm(residual.to(cuda), gpu_branch, weight.to(cuda), bias.to(cuda), 1e-6);
        const std::string name = "gpu add+layernorm " + std::to_string(features) + " branch " +
                                 (branch_type == c10::ScalarType::Undefined ? "none" : branch_type == at::kBFloat16 ? "bf16" : "f32") +
                                 (bf16 ? ", bf16 out" : ", f32 out");
        report(name + ": residual", relative_error(gpu.residual, cpu.residual), 0.0);
        report(name + ": normalised", relative_error(gpu.normalized.to(at::kFloat), cpu.normalized), bf16 ? 8e-3 : 2e-6);
      }
    }
  }
}

// 2x2 max pooling on the GPU against the CPU reference (through the op, forward and backward), channels_last:
// 16-byte vectors (channels a multiple of 8 or 4) and single elements (5 channels), odd sizes, ties, NaNs.
void max_pool_gpu_matches_cpu() {
  const at::Device cuda(at::kCUDA, 0);
  struct Case {
    int64_t n, c, h, w;
    at::ScalarType type;
  };
  for (const Case& k : {Case{64, 64, 32, 32, at::kBFloat16}, Case{3, 256, 9, 7, at::kBFloat16}, Case{5, 5, 11, 6, at::kBFloat16},
                        Case{7, 12, 16, 16, at::kFloat}, Case{3, 5, 9, 9, at::kFloat}}) {
    at::Tensor x = torch::randint(0, 6, {k.n, k.c, k.h, k.w}).to(k.type) + torch::randn({k.n, k.c, k.h, k.w}).gt(1.5);
    x.view(-1).index_put_({torch::randint(0, x.numel(), {5})}, std::numeric_limits<float>::quiet_NaN());
    x = x.contiguous(at::MemoryFormat::ChannelsLast);
    const at::Tensor upstream = torch::randn({k.n, k.c, k.h / 2, k.w / 2}).to(k.type);
    const at::Tensor cpu_in = x.clone().requires_grad_(true), gpu_in = x.to(cuda).requires_grad_(true);
    const at::Tensor cpu = fovea::ops::max_pool2x2(cpu_in), gpu = fovea::ops::max_pool2x2(gpu_in);
    cpu.backward(upstream);
    gpu.backward(upstream.to(cuda));
    char name[96];
    std::snprintf(name, sizeof name, "gpu max pool 2x2 %lldx%lldx%lldx%lld %s", static_cast<long long>(k.n),
                  static_cast<long long>(k.c), static_cast<long long>(k.h), static_cast<long long>(k.w),
                  k.type == at::kBFloat16 ? "bf16" : "f32");
    const bool same_nans = torch::equal(gpu.isnan().cpu(), cpu.isnan());
    report(std::string(name) + ": output", same_nans ? relative_error(gpu.nan_to_num(), cpu.nan_to_num()) : 1.0, 0.0);
    report(std::string(name) + ": gradient", relative_error(gpu_in.grad(), cpu_in.grad()), 0.0);
  }
  // The backward kernel itself writes every element, the odd last row and column included: into a buffer
  // of NaNs, called directly (the op's own buffer may happen to hold zeros already).
  for (const at::ScalarType type : {at::kBFloat16, at::kFloat}) {
    const int64_t n = 3, h = 9, w = 7, c = 16;
    const auto on = at::TensorOptions(type).device(cuda);
    const at::Tensor x = torch::randn({n, h, w, c}, on), grad_out = torch::randn({n, h / 2, w / 2, c}, on);
    const at::Tensor out = torch::empty({n, h / 2, w / 2, c}, on), argmax = torch::empty({n, h / 2, w / 2, c}, on.dtype(at::kByte));
    const at::Tensor grad_in = torch::full({n, h, w, c}, std::numeric_limits<float>::quiet_NaN(), on);
    fovea::kernels::MaxPool2x2Params p;
    p.batch = n, p.height = h, p.width = w, p.channels = c, p.bf16 = type == at::kBFloat16;
    p.input = x.data_ptr(), p.output = out.data_ptr(), p.argmax = argmax.data_ptr<uint8_t>();
    fovea::kernels::MaxPool2x2Grads g;
    g.grad_output = grad_out.data_ptr(), g.argmax = argmax.data_ptr<uint8_t>(), g.grad_input = grad_in.data_ptr();
    fovea::kernels::max_pool2x2_forward_gpu(p, nullptr);
    fovea::kernels::max_pool2x2_backward_gpu(p, g, nullptr);
    torch::cuda::synchronize();
    const at::Tensor untouched = grad_in.isnan().sum().cpu();
    report(std::string("gpu max pool 2x2 backward writes every element ") + (p.bf16 ? "bf16" : "f32"),
           static_cast<double>(untouched.item<int64_t>()), 0.0);
  }
}

// The whitening layer's kernel (gelu(conv2d + bias), bias gradient) on the GPU against the CPU reference,
// float32 output and bf16 under autocast, the compiled shapes (3 -> 24, 1 -> 8) and a run-time one.
void patch_conv_gpu_matches_cpu() {
  const at::Device cuda(at::kCUDA, 0);
  struct Case {
    int64_t n, in, out, k, h, w;
  };
  for (const Case& c : {Case{256, 3, 24, 2, 32, 32}, Case{5, 3, 24, 2, 7, 9}, Case{64, 1, 8, 2, 28, 28}, Case{3, 1, 5, 3, 11, 6}, Case{3, 2, 7, 2, 9, 10}}) {
    const at::Tensor x = torch::randn({c.n, c.in, c.h, c.w}).contiguous(at::MemoryFormat::ChannelsLast);
    const at::Tensor weight = torch::randn({c.out, c.in, c.k, c.k}) * 0.5, bias = torch::randn({c.out});
    const at::Tensor cpu_bias = bias.clone().requires_grad_(true);
    const at::Tensor cpu = fovea::ops::patch_conv_gelu(x, weight, cpu_bias);
    const at::Tensor upstream = torch::randn(cpu.sizes());
    cpu.backward(upstream);
    for (const bool bf16 : {false, true}) {
      const at::Tensor gpu_bias = bias.to(cuda).requires_grad_(true);
      at::Tensor gpu;
      {
        const fovea::compat::CudaBf16Autocast autocast(bf16);
        gpu = fovea::ops::patch_conv_gelu(x.to(cuda), weight.to(cuda), gpu_bias);
      }
      gpu.backward(upstream.to(cuda).to(gpu.scalar_type()));
      char name[96];
      std::snprintf(name, sizeof name, "gpu patch conv + gelu %lldx%lldx%lldx%lld %lld->%lld k%lld%s", static_cast<long long>(c.n),
                    static_cast<long long>(c.in), static_cast<long long>(c.h), static_cast<long long>(c.w),
                    static_cast<long long>(c.in), static_cast<long long>(c.out), static_cast<long long>(c.k), bf16 ? " bf16" : "");
      report(std::string(name) + ": output", relative_error(gpu.to(at::kFloat), cpu), bf16 ? 8e-3 : 1e-5);
      // bf16: the upstream gradient is rounded to bf16 first, so the sums differ by more.
      report(std::string(name) + ": bias gradient", relative_error(gpu_bias.grad(), cpu_bias.grad()), bf16 ? 2e-2 : 1e-4);
    }
  }
}
#endif

// Fused BatchNorm + GELU through the op (channels_last, forward and backward, on `device`) against LibTorch's
// batch_norm then gelu in float64 on the same (rounded) values: training (batch statistics; the running ones
// updated) and evaluation (the running ones). `offset` moves every channel's mean far from zero.
void compare_batch_norm_gelu(int64_t n, int64_t c, int64_t h, int64_t w, at::ScalarType type, const at::Device& device,
                             bool training, double offset = 0.0) {
  const auto layout = at::MemoryFormat::ChannelsLast;
  const at::Tensor x = (torch::randn({n, c, h, w}) * 1.5 + torch::randn({1, c, 1, 1}) + offset).to(type).contiguous(layout);
  const at::Tensor weight = torch::rand({c}) + 0.5, bias = torch::randn({c}) * 0.5;
  const at::Tensor running_mean = torch::randn({c}), running_var = torch::rand({c}) + 0.5;
  const at::Tensor upstream = torch::randn({n, c, h, w}).to(type);
  const double momentum = 0.4, eps = 1e-5;

  const auto leaf = [](const at::Tensor& t, at::ScalarType as, const at::Device& on) {
    return t.to(on).to(as).detach().requires_grad_(true);
  };
  const at::Tensor ref_x = leaf(x, at::kDouble, at::kCPU), ref_w = leaf(weight, at::kDouble, at::kCPU), ref_b = leaf(bias, at::kDouble, at::kCPU);
  const at::Tensor ref_rm = running_mean.to(at::kDouble), ref_rv = running_var.to(at::kDouble);
  const at::Tensor ref = at::gelu(at::batch_norm(ref_x, ref_w, ref_b, ref_rm, ref_rv, training, momentum, eps, false));
  ref.backward(upstream.to(at::kDouble));

  const at::Tensor got_x = x.to(device).detach().requires_grad_(true), got_w = leaf(weight, at::kFloat, device), got_b = leaf(bias, at::kFloat, device);
  const at::Tensor got_rm = running_mean.to(device), got_rv = running_var.to(device);
  const bool kernel = fovea::ops::batch_norm_gelu_uses_kernel(got_x);
  const at::Tensor got = fovea::ops::batch_norm_gelu(got_x, got_w, got_b, got_rm, got_rv, training, momentum, eps);
  got.backward(upstream.to(device));

  char name[128];
  std::snprintf(name, sizeof name, "%s batchnorm+gelu %lldx%lldx%lldx%lld %s %s%s%s", device.is_cuda() ? "gpu" : "cpu",
                static_cast<long long>(n), static_cast<long long>(c), static_cast<long long>(h), static_cast<long long>(w),
                type == at::kBFloat16 ? "bf16" : "f32", training ? "train" : "eval", offset != 0.0 ? " offset" : "",
                kernel ? "" : " (NOT THE KERNEL)");
  const bool bf16 = type == at::kBFloat16;
  report(std::string(name) + ": output", kernel ? relative_error(got.to(at::kFloat), ref) : 1.0, bf16 ? 8e-3 : 1e-5);
  report(std::string(name) + ": input gradient", relative_error(got_x.grad().to(at::kFloat), ref_x.grad()), bf16 ? 2e-2 : 1e-4);
  report(std::string(name) + ": weight gradient", relative_error(got_w.grad(), ref_w.grad()), bf16 ? 2e-2 : 1e-4);
  report(std::string(name) + ": bias gradient", relative_error(got_b.grad(), ref_b.grad()), bf16 ? 2e-2 : 1e-4);
  report(std::string(name) + ": running mean", relative_error(got_rm, ref_rm), 1e-5);
  report(std::string(name) + ": running var", relative_error(got_rv, ref_rv), 1e-5);
}

// A whole model on the GPU with the kernels against the CPU reference path (the LibTorch
// transcriptions of the reference math, ops::UseReferenceOps), fp32 logits.
void model_gpu_matches_cpu_reference(const char* name, int64_t image_size) {
  torch::manual_seed(3);
  auto model = fovea::models::create_model({name, 1000, 3, false, image_size});
  model->eval();
  torch::NoGradGuard no_grad;
  const at::Tensor x = torch::randn({2, 3, image_size, image_size});
  at::Tensor cpu;
  {
    const fovea::ops::UseReferenceOps reference;
    cpu = model->forward(x);
  }
  model->to(torch::kCUDA);
  const at::Tensor gpu = model->forward(x.cuda()).cpu();
  report(std::string(name) + " forward, gpu kernels vs cpu reference path", relative_error(gpu, cpu), 1e-3);
}

}  // namespace

int main() {
  torch::manual_seed(0);
  const std::vector<ScanCase> cases = {
      {2, 5, 16, 1, 0, true},   {2, 6, 16, 7, 2, true},    {1, 3, 4, 197, 0, false},
      {2, 4, 16, 130, 0, true}, {1, 3, 32, 65, 3, true},   {1, 2, 64, 33, 1, true},
  };
  std::printf("selective scan, CPU kernel vs LibTorch reference\n");
  for (const ScanCase& c : cases) compare_with_reference(c, at::kFloat, at::kCPU, true);
  compare_with_reference({1, 3, 16, 4096, 0, true}, at::kFloat, at::kCPU, false);
  compare_with_reference({2, 6, 16, 130, 2, true}, at::kBFloat16, at::kCPU, true);

  std::printf("causal conv1d, CPU kernel vs LibTorch reference\n");
  compare_conv(2, 5, 1, 4, true, true, at::kFloat, at::kCPU);
  compare_conv(2, 7, 37, 2, false, false, at::kFloat, at::kCPU);
  compare_conv(3, 4, 197, 3, true, true, at::kFloat, at::kCPU);
  compare_conv(1, 3, 4096, 4, true, true, at::kFloat, at::kCPU);
  compare_conv(2, 6, 130, 4, true, true, at::kBFloat16, at::kCPU);

  std::printf("batchnorm + gelu, CPU kernel vs LibTorch in float64\n");
  compare_batch_norm_gelu(3, 8, 5, 7, at::kFloat, at::kCPU, true);
  compare_batch_norm_gelu(2, 5, 3, 3, at::kFloat, at::kCPU, false);
  compare_batch_norm_gelu(4, 12, 6, 6, at::kBFloat16, at::kCPU, true);
  compare_batch_norm_gelu(2, 8, 9, 9, at::kFloat, at::kCPU, true, 100.0);

  const bool gpu = torch::cuda::is_available() && fovea::ops::selective_scan_supported(at::Device(at::kCUDA, 0));
  if (!gpu) {
    std::printf("GPU cases skipped: %s\n", torch::cuda::is_available() ? "this build has no GPU kernels" : "no GPU");
  } else {
    std::printf("selective scan, GPU kernel vs LibTorch reference\n");
    const at::Device cuda(at::kCUDA, 0);
    for (const ScanCase& c : cases) compare_with_reference(c, at::kFloat, cuda, true);
    compare_with_reference({1, 3, 16, 4096, 0, true}, at::kFloat, cuda, true);
    compare_with_reference({3, 37, 16, 197, 0, true}, at::kFloat, cuda, true);
    compare_with_reference({2, 96, 16, 197, 0, true}, at::kFloat, cuda, true);   // warp-reduced dB/dC, padding lanes
    compare_with_reference({2, 128, 16, 100, 2, true}, at::kFloat, cuda, true);  // warp-reduced per group
    compare_with_reference({1, 64, 32, 50, 0, false}, at::kFloat, cuda, true);
    compare_with_reference({2, 6, 16, 130, 2, true}, at::kBFloat16, cuda, true);
    compare_with_reference({2, 64, 16, 730, 0, true}, at::kBFloat16, cuda, true);
    std::printf("causal conv1d, GPU kernel vs LibTorch reference\n");
    compare_conv(2, 5, 1, 4, true, true, at::kFloat, cuda);
    compare_conv(2, 7, 37, 2, false, false, at::kFloat, cuda);
    compare_conv(3, 40, 517, 3, true, true, at::kFloat, cuda);
    compare_conv(1, 3, 4096, 4, true, true, at::kFloat, cuda);
    compare_conv(4, 64, 730, 4, true, true, at::kBFloat16, cuda);
    std::printf("augmentation and Vim\n");
    augment_gpu_matches_cpu();
#ifdef FOVEA_HAVE_GPU_KERNELS
    ycbcr_gpu_matches_cpu();
    add_layer_norm_gpu_matches_cpu();
    max_pool_gpu_matches_cpu();
    patch_conv_gpu_matches_cpu();
    std::printf("batchnorm + gelu, GPU kernels vs LibTorch in float64\n");
    compare_batch_norm_gelu(64, 64, 16, 16, at::kBFloat16, cuda, true);
    compare_batch_norm_gelu(256, 64, 16, 16, at::kBFloat16, cuda, true);
    compare_batch_norm_gelu(3, 256, 9, 7, at::kBFloat16, cuda, true);
    compare_batch_norm_gelu(5, 5, 11, 6, at::kBFloat16, cuda, true);   // channels not a multiple of 4
    compare_batch_norm_gelu(7, 12, 16, 16, at::kFloat, cuda, true);
    compare_batch_norm_gelu(3, 1100, 3, 3, at::kFloat, cuda, true);    // two blocks across the channels
    compare_batch_norm_gelu(2, 64, 5, 5, at::kFloat, cuda, false);
    compare_batch_norm_gelu(1, 8, 1, 3, at::kFloat, cuda, true);       // three rows
    compare_batch_norm_gelu(16, 64, 8, 8, at::kFloat, cuda, true, 100.0);
#endif
    model_gpu_matches_cpu_reference("vim_small", 224);
    model_gpu_matches_cpu_reference("mamba2_tiny", 224);
  }
  std::printf("%d passed, %d failed\n", passes, failures);
  return failures ? 1 : 0;
}
