// Fovea's multi-tensor optimizers (engine/training/fast_optimizers.h) against LibTorch's own SGD, Adam
// and AdamW: the same parameters after several steps on the same random gradients, on the CPU and, when
// there is one, on the GPU (where Adam and AdamW take the fused kernel). Bound: max |a - b| / max |b|
// <= 1e-5 (float32, the same arithmetic in another order). Plain C++ so that it runs on GPU machines.
#include <torch/cuda.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/torch.h>

#include <cstdio>
#include <functional>
#include <memory>

#include "engine/training/fast_optimizers.h"
#include "models/torch_compat.h"

namespace {

int failures = 0;

struct Net : torch::nn::Module {
  Net() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 8, 3)));
    fc = register_module("fc", torch::nn::Linear(8, 5));
  }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::Linear fc{nullptr};
};

using MakeOptimizer = std::function<std::unique_ptr<torch::optim::Optimizer>(std::vector<torch::Tensor>)>;

// `late_first`: the first parameter has no gradient for two steps (a frozen layer thawed), so a step
// holds parameters with optimizer state and parameters without.
void compare(const char* name, const MakeOptimizer& ours, const MakeOptimizer& reference, const torch::Device& device,
             bool channels_last, bool late_first = false) {
  torch::manual_seed(1);
  auto a = std::make_shared<Net>(), b = std::make_shared<Net>();
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < a->parameters().size(); ++i) b->parameters()[i].copy_(a->parameters()[i]);
  }
  a->to(device);
  b->to(device);
  if (channels_last) {
    torch::NoGradGuard no_grad;
    for (auto* net : {a.get(), b.get()})
      for (auto& p : net->parameters())
        if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
  }
  auto oa = ours(a->parameters()), ob = reference(b->parameters());
  for (int step = 0; step < 6; ++step) {
    for (size_t i = 0; i < a->parameters().size(); ++i) {
      const torch::Tensor g = torch::randn_like(a->parameters()[i]);
      const bool frozen = late_first && i == 0 && step < 2;
      a->parameters()[i].mutable_grad() = frozen ? torch::Tensor() : g.clone();
      b->parameters()[i].mutable_grad() = frozen ? torch::Tensor() : g.clone();
    }
    oa->step();
    ob->step();
  }
  double worst = 0;
  for (size_t i = 0; i < a->parameters().size(); ++i) {
    const torch::Tensor x = a->parameters()[i].detach().cpu().to(torch::kDouble), y = b->parameters()[i].detach().cpu().to(torch::kDouble);
    worst = std::max(worst, (x - y).abs().max().item<double>() / std::max(1e-30, y.abs().max().item<double>()));
  }
  const bool ok = worst <= 1e-5;
  std::printf("  %-44s %-5s err %.2e  %s\n", name, device.is_cuda() ? "cuda" : "cpu", worst, ok ? "OK" : "FAIL");
  if (!ok) ++failures;
}

}  // namespace

int main() {
  using namespace torch::optim;
  using fovea::engine::FusedAdam;
  using fovea::engine::FusedAdamW;
  using fovea::engine::ForeachSgd;
  std::vector<torch::Device> devices{torch::kCPU};
  if (torch::cuda::is_available()) devices.emplace_back(torch::kCUDA, 0);
  else std::printf("GPU cases skipped: no GPU\n");
  for (const torch::Device& device : devices) {
    for (bool channels_last : {false, true}) {
      compare("sgd, momentum 0.9, weight decay", [](auto p) { return std::make_unique<ForeachSgd>(p, SGDOptions(0.1).momentum(0.9).weight_decay(1e-3)); },
              [](auto p) { return std::make_unique<SGD>(p, SGDOptions(0.1).momentum(0.9).weight_decay(1e-3)); }, device, channels_last);
      compare("sgd, nesterov, dampening 0", [](auto p) { return std::make_unique<ForeachSgd>(p, SGDOptions(0.05).momentum(0.85).nesterov(true)); },
              [](auto p) { return std::make_unique<SGD>(p, SGDOptions(0.05).momentum(0.85).nesterov(true)); }, device, channels_last);
      compare("sgd, plain", [](auto p) { return std::make_unique<ForeachSgd>(p, SGDOptions(0.1)); },
              [](auto p) { return std::make_unique<SGD>(p, SGDOptions(0.1)); }, device, channels_last);
      compare("sgd, nesterov, a parameter thawed at step 3",
              [](auto p) { return std::make_unique<ForeachSgd>(p, SGDOptions(0.05).momentum(0.85).nesterov(true).weight_decay(1e-3)); },
              [](auto p) { return std::make_unique<SGD>(p, SGDOptions(0.05).momentum(0.85).nesterov(true).weight_decay(1e-3)); },
              device, channels_last, /*late_first=*/true);
#if FOVEA_TORCH_AT_LEAST(2, 1)
      // The rate in a device tensor, as CUDA-graphed training steps read it.
      compare("sgd, nesterov, device learning rate",
              [](auto p) {
                auto sgd = std::make_unique<ForeachSgd>(p, SGDOptions(1.0).momentum(0.85).nesterov(true).weight_decay(1e-3));
                sgd->use_device_learning_rates(1, p.front().device());
                sgd->set_device_learning_rate(0, 0.05);
                return sgd;
              },
              [](auto p) { return std::make_unique<SGD>(p, SGDOptions(0.05).momentum(0.85).nesterov(true).weight_decay(1e-3)); },
              device, channels_last);
#endif
      compare("adam, weight decay", [](auto p) { return std::make_unique<FusedAdam>(p, AdamOptions(1e-2).weight_decay(1e-4)); },
              [](auto p) { return std::make_unique<Adam>(p, AdamOptions(1e-2).weight_decay(1e-4)); }, device, channels_last);
      compare("adam, amsgrad", [](auto p) { return std::make_unique<FusedAdam>(p, AdamOptions(1e-3).amsgrad(true)); },
              [](auto p) { return std::make_unique<Adam>(p, AdamOptions(1e-3).amsgrad(true)); }, device, channels_last);
      compare("adamw, weight decay 0.05", [](auto p) { return std::make_unique<FusedAdamW>(p, AdamWOptions(1e-3).weight_decay(0.05)); },
              [](auto p) { return std::make_unique<AdamW>(p, AdamWOptions(1e-3).weight_decay(0.05)); }, device, channels_last);
    }
  }
  std::printf("%s\n", failures ? "FAILED" : "all optimizers match LibTorch's");
  return failures ? 1 : 0;
}
