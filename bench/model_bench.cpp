// fovea-bench-model: how fast a model alone runs inference on the GPU (no input pipeline): random
// normalised batches already on the device, bf16 autocast, channels_last for CNNs, as evaluation runs it.
//   fovea-bench-model MODEL [--batch 256] [--size 224] [--iters 30] [--device cuda] [--fp32] [--trace FILE]
// --trace writes a Chrome trace (Kineto) of one more forward pass, LibTorch 2.x only.
// Prints images/s (median of the timed iterations, after warm-up). The ceiling evaluation can reach.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/utils.h>

#include "engine/device.h"
#include "models/torch_compat.h"
#if FOVEA_TORCH_AT_LEAST(2, 0)
#include <torch/csrc/autograd/profiler_kineto.h>
#endif
#include "models/image_classifier.h"
#include "models/registry.h"
#include "models/torch_compat.h"

int main(int argc, char** argv) {
  using namespace fovea;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL [--batch B] [--size S] [--iters N] [--device D] [--fp32]\n", argv[0]);
    return 2;
  }
  const std::string name = argv[1];
  int64_t batch = 256, size = 224;
  int iters = 30;
  bool bf16 = true;
  std::string device_name = "cuda", trace;
  for (int i = 2; i < argc; ++i) {
    const std::string flag = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : "";
    if (flag == "--fp32") { bf16 = false; continue; }
    if (flag == "--batch") batch = std::atoll(value);
    else if (flag == "--size") size = std::atoll(value);
    else if (flag == "--iters") iters = std::atoi(value);
    else if (flag == "--device") device_name = value;
    else if (flag == "--trace") trace = value;
    ++i;
  }
  try {
    const c10::Device device = engine::resolve_device(device_name);
    const models::ModelEntry* entry = models::find_model(name);
    if (!entry) throw std::runtime_error("unknown model " + name);
    auto model = models::create_model({name, 1000, 3, false, size});
    model->to(device);
    model->eval();
    const bool channels_last = device.is_cuda() && entry->family == "resnet";
    at::Tensor input = at::randn({batch, 3, size, size}, at::TensorOptions(device));
    if (channels_last) {
      torch::NoGradGuard no_grad;
      for (auto& p : model->parameters())
        if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
      input = input.contiguous(at::MemoryFormat::ChannelsLast);
    }
    torch::NoGradGuard no_grad;
    const bool autocast = bf16 && device.is_cuda();
    const auto forward = [&] {
      const compat::CudaBf16Autocast guard(autocast);
      return model->forward(input);
    };
    for (int i = 0; i < 5; ++i) forward();
    if (device.is_cuda()) at::empty({1}, at::TensorOptions(device)).cpu();
    std::vector<double> ms;
    for (int i = 0; i < iters; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      const at::Tensor logits = forward();
      (void)logits.sum().item<float>();  // waits for the device
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
#if FOVEA_TORCH_AT_LEAST(2, 0)
    if (!trace.empty()) {
      namespace prof = torch::autograd::profiler;
      const prof::ProfilerConfig config(torch::profiler::impl::ProfilerState::KINETO, false, false);
      const std::set<torch::profiler::impl::ActivityType> activities{torch::profiler::impl::ActivityType::CPU,
                                                                     torch::profiler::impl::ActivityType::CUDA};
      prof::prepareProfiler(config, activities);
      prof::enableProfiler(config, activities);
      (void)forward().sum().item<float>();
      prof::disableProfiler()->save(trace);
    }
#endif
    std::sort(ms.begin(), ms.end());
    const double median = ms[ms.size() / 2];
    std::printf("%s batch %lld %lldpx %s%s: %.2f ms per batch, %.0f images/s\n", name.c_str(),
                static_cast<long long>(batch), static_cast<long long>(size), autocast ? "bf16" : "fp32",
                channels_last ? " channels_last" : "", median, 1000.0 * static_cast<double>(batch) / median);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fovea-bench-model: %s\n", e.what());
    return 1;
  }
  return 0;
}
