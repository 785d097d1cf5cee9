#include "engine/training/eval_batch_sources.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>

#include "engine/errors.h"
#include "engine/log.h"

namespace fovea::engine {
namespace {

constexpr int kCoresLeftToGpuDecoding = 4;  // for its file readers and decoding threads

// A batch from the CPU workers as a device batch.
std::optional<DeviceImageBatch> from_cpu(ImageBatchLoader& loader, const EvalTransform& transform, const at::Device& device) {
  std::optional<ImageBatch> batch = loader.next();
  if (!batch) return std::nullopt;
  DeviceImageBatch out;
  out.crops = crops_on_device(*batch, transform, device);
  out.labels = std::move(batch->labels);
  out.positions = std::move(batch->positions);
  out.failures = std::move(batch->failures);
  return out;
}

}  // namespace

CpuBatchShare CpuBatchShare::for_gpu_decoding(Interpolation interpolation) {
  CpuBatchShare share;
  if (const char* wanted = std::getenv("FOVEA_CPU_BATCHES")) {
    long long lead = 0, period = 0;
    if (std::sscanf(wanted, "%lld,%lld", &lead, &period) == 2) {
      share.lead = std::max(0LL, lead);
      share.period = std::max(0LL, period);
    }
    return share;
  }
  // The first batches while nvJPEG starts, then the share that the CPU cores keep up with. Measured on an
  // H200 machine's 16 cores (docs/PERFORMANCE.md): with bilinear resizing (LibTorch's vectorised uint8
  // resampler) every second batch; bicubic resizing runs in float on the CPU, about half as fast: every
  // fourth.
  const unsigned cores = std::thread::hardware_concurrency();
  const bool bilinear = interpolation == Interpolation::Bilinear;
  share.lead = cores >= 4 ? 4 : 0;
  if (cores >= 12) share.period = bilinear ? 2 : 4;
  else if (cores >= 8) share.period = bilinear ? 3 : 6;
  return share;
}

BatchSplit split_batches(const std::vector<int64_t>& order, int64_t batch_size, const CpuBatchShare& share) {
  BatchSplit split;
  const auto images = static_cast<int64_t>(order.size());
  for (int64_t b = 0, first = 0; first < images; ++b, first += batch_size) {
    const bool on_cpu = share.takes(b);
    split.cpu_takes.push_back(on_cpu);
    std::vector<int64_t>& side = on_cpu ? split.cpu_order : split.gpu_order;
    side.insert(side.end(), order.begin() + first, order.begin() + std::min(first + batch_size, images));
  }
  return split;
}

struct EvalBatchSources::State {
  const ImageFileList& files;
  EvalTransform transform;
  ImageBatchOptions batches;
  at::Device device;
  std::vector<bool> cpu_takes;  // per batch
  int64_t next_batch = 0;
  std::vector<int64_t> gpu_order;
  std::unique_ptr<ImageBatchLoader> cpu;  // the CPU workers' batches (all of them without GPU decoding)
  std::future<std::unique_ptr<GpuJpegBatches>> gpu_starting;
  std::unique_ptr<GpuJpegBatches> gpu;
  std::unique_ptr<ImageBatchLoader> gpu_fallback;  // the GPU's batches, on the CPU, when nvJPEG did not start
  bool gpu_decoding = false;

  State(const ImageFileList& f, const EvalTransform& t, ImageBatchOptions b, const at::Device& d)
      : files(f), transform(t), batches(b), device(d) {}

  // The GPU side, once it has started (or its CPU stand-in).
  void await_gpu() {
    if (gpu || gpu_fallback || !gpu_starting.valid()) return;
    try {
      gpu = gpu_starting.get();
    } catch (const Error& e) {
      log::warn(std::string(e.what()) + "; decoding on the CPU");
      gpu_decoding = false;
      gpu_fallback = std::make_unique<ImageBatchLoader>(files, gpu_order, transform, batches);
    }
  }
};

EvalBatchSources::EvalBatchSources(const ImageFileList& files, std::vector<int64_t> order, const EvalTransform& transform,
                                   ImageBatchOptions batches, bool decode_on_device, bool resize_on_device,
                                   const at::Device& device) {
  if (order.empty())
    for (size_t i = 0; i < files.size(); ++i) order.push_back(static_cast<int64_t>(i));
  batches.batch_size = std::max<int64_t>(1, batches.batch_size);
  batches.pinned_memory = device.is_cuda();
  state_ = std::make_unique<State>(files, transform, batches, device);
  State& s = *state_;
  const auto images = static_cast<int64_t>(order.size());
  const int64_t count = (images + batches.batch_size - 1) / batches.batch_size;

  if (!decode_on_device || !GpuJpegBatches::available(device)) {
    s.cpu_takes.assign(static_cast<size_t>(count), true);
    s.batches.decode_only = device.is_cuda() && resize_on_device;  // the CPU cores then only decode
    if (images > 0) s.cpu = std::make_unique<ImageBatchLoader>(files, std::move(order), transform, s.batches);
    return;
  }
  // Both: whole batches to one side or the other (only the very last batch can be short, whichever side
  // takes it). The CPU side decodes and resizes, so its batches cost the GPU nothing but the copy.
  BatchSplit split = split_batches(order, batches.batch_size, CpuBatchShare::for_gpu_decoding(transform.interpolation));
  s.cpu_takes = std::move(split.cpu_takes);
  s.gpu_order = std::move(split.gpu_order);
  std::vector<int64_t> cpu_order = std::move(split.cpu_order);
  // The CPU side resizes its images too, which leaves the GPU's cores to the model (FOVEA_CPU_DECODE_ONLY=1:
  // the GPU resizes them, for measuring; slower, measured in docs/PERFORMANCE.md).
  s.batches.decode_only = std::getenv("FOVEA_CPU_DECODE_ONLY") != nullptr;
  if (s.batches.threads <= 0) {
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    s.batches.threads = std::max(1, cores - kCoresLeftToGpuDecoding);
  }
  if (!cpu_order.empty()) s.cpu = std::make_unique<ImageBatchLoader>(files, std::move(cpu_order), transform, s.batches);
  if (!s.gpu_order.empty()) {
    s.gpu_decoding = true;
    // nvJPEG takes ~0.6 s to start: in the background, while the CPU workers and the model's warm-up run.
    s.gpu_starting = std::async(std::launch::async, [&s] {
      return std::make_unique<GpuJpegBatches>(s.files, s.gpu_order, s.transform, s.batches.batch_size, s.device);
    });
  }
  log::debug("evaluation: " + std::to_string(std::count(s.cpu_takes.begin(), s.cpu_takes.end(), true)) + " of " +
             std::to_string(count) + " batches decoded on the CPU (" + std::to_string(s.batches.threads) + " threads)");
}

EvalBatchSources::~EvalBatchSources() {
  const auto stopping = std::chrono::steady_clock::now();
  if (state_->gpu_starting.valid()) state_->gpu_starting.wait();  // its thread uses the state
  state_.reset();
  log::debug("evaluation: pipelines stopped in " +
             std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() - stopping).count()) + " s");
}

std::optional<DeviceImageBatch> EvalBatchSources::next() {
  State& s = *state_;
  if (s.next_batch >= static_cast<int64_t>(s.cpu_takes.size())) return std::nullopt;
  const bool on_cpu = s.cpu_takes[static_cast<size_t>(s.next_batch++)];
  if (on_cpu) return from_cpu(*s.cpu, s.transform, s.device);
  s.await_gpu();
  if (s.gpu_fallback) return from_cpu(*s.gpu_fallback, s.transform, s.device);
  return s.gpu->next();
}

bool EvalBatchSources::gpu_decoding() const { return state_->gpu_decoding; }

}  // namespace fovea::engine
