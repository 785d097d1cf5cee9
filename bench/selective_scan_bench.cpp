// Selective-scan speed at Vim-S shapes against the HBM-traffic floor and against the same computation
// composed of LibTorch ops (models::selective_scan_reference), then causal conv1d, the fused augmentation and
// the fused BatchNorm + GELU against their memory-traffic floors. Prints tables; see docs/PERFORMANCE.md.
//   fovea-bench-scan [batch=128] [dim=768] [state=16]      fovea-bench-scan batchnorm: only the last table;
//   fovea-bench-scan scan: only the scan's table, without the LibTorch reference (its columns 0)
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

#include "kernels/augment.h"
#include "models/ops/batch_norm_gelu_op.h"
#include "models/ops/causal_conv1d_op.h"
#include "models/ops/gpu_augment.h"
#include "models/ops/selective_scan_op.h"
#include "models/ssm_reference.h"

namespace {

double median_ms(const std::function<void()>& f, int repeats) {
  f();
  torch::cuda::synchronize();
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    torch::cuda::synchronize();
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// Fused BatchNorm (training) + GELU at airbench94's shapes (batch 1,024, bf16, channels_last) against
// LibTorch's batch_norm then gelu. Floor: the input read and the output written once (forward); plus the
// input, its gradient and the upstream gradient once (backward).
void bench_batch_norm_gelu(double copy_gbs) {
  const auto cuda = at::TensorOptions(at::kFloat).device(at::kCUDA);
  std::printf("\nbatchnorm + gelu, bf16 channels_last, training\n%-22s %-8s %9s %9s %10s %9s\n", "shape", "pass",
              "fused ms", "torch ms", "floor ms", "of floor");
  for (const auto& [c, side] : {std::pair<int64_t, int64_t>{64, 16}, {256, 8}, {256, 4}}) {
    const auto bf16 = at::TensorOptions(at::kBFloat16).device(at::kCUDA);
    const at::Tensor x = torch::randn({1024, c, side, side}, bf16).contiguous(at::MemoryFormat::ChannelsLast);
    const at::Tensor dout = torch::randn_like(x), weight = torch::ones({c}, cuda), bias = torch::zeros({c}, cuda);
    const at::Tensor rm = torch::zeros({c}, cuda), rv = torch::ones({c}, cuda);
    const at::Tensor bias_g = bias.clone().requires_grad_(true), xg = x.clone().requires_grad_(true);
    const auto fused = [&] { return fovea::ops::batch_norm_gelu(xg, weight, bias_g, rm, rv, true, 0.4, 1e-12); };
    const auto torch_ops = [&] { return at::gelu(at::batch_norm(xg, weight, bias_g, rm, rv, true, 0.4, 1e-12, true)); };
    const double bytes = static_cast<double>(x.nbytes());
    const double fwd_floor = 2 * bytes / copy_gbs / 1e6, both_floor = 5 * bytes / copy_gbs / 1e6;
    const double fwd = median_ms([&] { torch::NoGradGuard g; fused(); }, 20);
    const double fwd_torch = median_ms([&] { torch::NoGradGuard g; torch_ops(); }, 20);
    const double both = median_ms([&] { fused().backward(dout); }, 20);
    const double both_torch = median_ms([&] { torch_ops().backward(dout); }, 20);
    char shape[32];
    std::snprintf(shape, sizeof shape, "1024x%lldx%lldx%lld", static_cast<long long>(c), static_cast<long long>(side),
                  static_cast<long long>(side));
    std::printf("%-22s %-8s %9.4f %9.4f %10.4f %8.0f%%\n", shape, "fwd", fwd, fwd_torch, fwd_floor, 100 * fwd_floor / fwd);
    std::printf("%-22s %-8s %9.4f %9.4f %10.4f %8.0f%%\n", shape, "fwd+bwd", both, both_torch, both_floor,
                100 * both_floor / both);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool only_batch_norm = argc > 1 && std::string(argv[1]) == "batchnorm";  // just the last table
  const bool scan_only = argc > 1 && std::string(argv[1]) == "scan";  // the scan alone, without the LibTorch reference
  if (only_batch_norm || scan_only) --argc;
  const int64_t batch = argc > 1 ? std::atoll(argv[1]) : 128, dim = argc > 2 ? std::atoll(argv[2]) : 768,
                state = argc > 3 ? std::atoll(argv[3]) : 16;
  if (!torch::cuda::is_available()) {
    std::printf("no GPU\n");
    return 0;
  }
  const auto cuda = at::TensorOptions(at::kFloat).device(at::kCUDA);
  // Copy bandwidth: bytes read + written by a large device-to-device copy.
  const at::Tensor big = torch::randn({256 * 1024 * 1024}, cuda), sink = torch::empty_like(big);
  const double copy_ms = median_ms([&] { sink.copy_(big); }, 20);
  const double copy_gbs = 2.0 * big.nbytes() / copy_ms / 1e6;
  std::printf("copy bandwidth %.0f GB/s (read + write)\n", copy_gbs);
  if (only_batch_norm) {
    bench_batch_norm_gelu(copy_gbs);
    return 0;
  }
  std::printf("%-5s %5s %-8s %10s %10s %9s %12s %9s\n", "dtype", "L", "pass", "ms", "floor ms", "of floor", "torch ops ms",
              "speedup");
  for (const auto type : {at::kFloat, at::kBFloat16}) {
    for (const int64_t L : {int64_t{197}, int64_t{730}}) {
      fovea::models::SelectiveScanArgs a;
      a.u = torch::randn({batch, dim, L}, cuda).to(type);
      a.delta = (torch::randn({batch, dim, L}, cuda) * 0.5).to(type);
      a.A = -(torch::rand({dim, state}, cuda) + 0.1);
      a.B = torch::randn({batch, state, L}, cuda).to(type);
      a.C = torch::randn({batch, state, L}, cuda).to(type);
      a.D = torch::randn({dim}, cuda);
      a.z = torch::randn({batch, dim, L}, cuda).to(type);
      a.delta_bias = torch::randn({dim}, cuda) * 0.3;
      a.delta_softplus = true;
      const double s = type == at::kFloat ? 4 : 2, bdl = double(batch) * dim * L, bnl = double(batch) * state * L;
      const double fwd_bytes = (4 * bdl + 2 * bnl) * s;                       // u, delta, z, B, C in; out
      const double bwd_bytes = (6 * bdl + 2 * bnl) * s + 3 * bdl * s + 2 * bnl * 4;  // + dout in; du, ddelta, dz, dB, dC out
      const double fwd_floor = fwd_bytes / copy_gbs / 1e6, both_floor = (fwd_bytes + bwd_bytes) / copy_gbs / 1e6;

      torch::NoGradGuard no_grad;
      const double fwd = median_ms([&] { fovea::ops::selective_scan(a); }, 20);
      const double ref_fwd = scan_only ? 0.0 : median_ms([&] { fovea::models::selective_scan_reference(a); }, 3);
      std::printf("%-5s %5lld %-8s %10.3f %10.3f %8.0f%% %12.2f %8.0fx\n", type == at::kFloat ? "fp32" : "bf16",
                  (long long)L, "fwd", fwd, fwd_floor, 100 * fwd_floor / fwd, ref_fwd, ref_fwd / fwd);

      torch::AutoGradMode grad(true);
      fovea::models::SelectiveScanArgs g = a;
      for (at::Tensor* t : {&g.u, &g.delta, &g.A, &g.B, &g.C, &g.D, &g.z, &g.delta_bias}) *t = t->detach().requires_grad_(true);
      const at::Tensor dout = torch::randn({batch, dim, L}, cuda).to(type);
      const double both = median_ms([&] { fovea::ops::selective_scan(g).backward(dout); }, 10);
      const double ref_both = scan_only ? 0.0 : median_ms([&] { fovea::models::selective_scan_reference(g).out.backward(dout); }, 3);
      std::printf("%-5s %5lld %-8s %10.3f %10.3f %8.0f%% %12.2f %8.0fx\n", type == at::kFloat ? "fp32" : "bf16",
                  (long long)L, "fwd+bwd", both, both_floor, 100 * both_floor / both, ref_both, ref_both / both);
    }
  }

  // Causal conv1d at Vim-S shapes (width 4, SiLU, bias): bytes x in + out (forward); x, dout in + dx out
  // (backward; weight gradients are negligible). Target: >= 80 % of copy bandwidth.
  if (scan_only) return 0;
  std::printf("\ncausal conv1d (batch %lld, dim %lld, width 4, silu)\n%-5s %5s %-8s %10s %10s %9s\n", (long long)batch,
              (long long)dim, "dtype", "L", "pass", "ms", "floor ms", "of floor");
  for (const auto type : {at::kFloat, at::kBFloat16}) {
    for (const int64_t L : {int64_t{197}, int64_t{730}}) {
      const at::Tensor x = torch::randn({batch, dim, L}, cuda).to(type), w = torch::randn({dim, 4}, cuda);
      const at::Tensor bias = torch::randn({dim}, cuda), dout = torch::randn({batch, dim, L}, cuda).to(type);
      const double s = type == at::kFloat ? 4 : 2, bdl = double(batch) * dim * L;
      torch::NoGradGuard no_grad;
      const double fwd = median_ms([&] { fovea::ops::causal_conv1d(x, w, bias, true); }, 20);
      torch::AutoGradMode grad(true);
      const at::Tensor xg = x.detach().requires_grad_(true), wg = w.detach().requires_grad_(true);
      const double both = median_ms([&] { fovea::ops::causal_conv1d(xg, wg, bias, true).backward(dout); }, 20);
      const double fwd_floor = 2 * bdl * s / copy_gbs / 1e6, both_floor = 5 * bdl * s / copy_gbs / 1e6;
      std::printf("%-5s %5lld %-8s %10.3f %10.3f %8.0f%%\n", type == at::kFloat ? "fp32" : "bf16", (long long)L, "fwd",
                  fwd, fwd_floor, 100 * fwd_floor / fwd);
      std::printf("%-5s %5lld %-8s %10.3f %10.3f %8.0f%%\n", type == at::kFloat ? "fp32" : "bf16", (long long)L,
                  "fwd+bwd", both, both_floor, 100 * both_floor / both);
    }
  }

  // Fused augmentation of CIFAR-sized images: uint8 NHWC gathered in, float32 NCHW out. A training batch,
  // and a whole CIFAR-10 epoch at once (airbench augments the full training set per epoch).
  const at::Tensor images = torch::randint(0, 256, {50000, 32, 32, 3}, at::TensorOptions(at::kByte).device(at::kCUDA));
  for (const int64_t batch : {int64_t{4096}, int64_t{50000}}) {
    const at::Tensor idx = torch::randperm(50000, at::TensorOptions(at::kLong).device(at::kCUDA)).narrow(0, 0, batch);
    fovea::kernels::AugmentParams p;
    p.max_translate = 2;
    p.random_flip = true;
    const double aug = median_ms([&] { fovea::ops::gpu_augment(images, idx, p); }, 50);
    const double aug_bytes = static_cast<double>(batch) * 32 * 32 * 3 * (1 + 4);
    std::printf("%saugment %lld x 32x32x3 (flip, translate 2): %.4f ms, floor %.4f ms, %.0f%% of floor\n",
                batch == 4096 ? "\n" : "", static_cast<long long>(batch), aug, aug_bytes / copy_gbs / 1e6,
                100 * aug_bytes / copy_gbs / 1e6 / aug);
  }

  bench_batch_norm_gelu(copy_gbs);
  return 0;
}
