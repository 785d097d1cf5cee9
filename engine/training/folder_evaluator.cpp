#include "engine/training/folder_evaluator.h"

#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>

#include "engine/errors.h"
#include "engine/kineto_trace.h"
#include "engine/training/eval_batch_sources.h"
#include "engine/log.h"
#include "models/image_classifier.h"
#include "models/torch_compat.h"

namespace fovea::engine {
namespace {

constexpr size_t kFailuresKept = 10;
constexpr int64_t kSteadyAfter = 10;  // batches before the steady-state rate is measured (debug log)

using Clock = std::chrono::steady_clock;

// "label after 0.123 s" from `start`, for the debug log's phase timings.
std::string after(const char* label, Clock::time_point start) {
  char text[96];
  std::snprintf(text, sizeof text, "%s after %.3f s", label, std::chrono::duration<double>(Clock::now() - start).count());
  return text;
}

// uint8 NHWC on the device to the model's normalised float NCHW (a channels_last view of the same data).
at::Tensor model_input(const at::Tensor& nhwc, const at::Tensor& mean, const at::Tensor& std, int64_t in_channels) {
  at::Tensor x = nhwc.permute({0, 3, 1, 2}).to(at::kFloat);
  if (in_channels == 1) {
    const at::Tensor luma = at::tensor({0.299f, 0.587f, 0.114f}, x.options()).view({1, 3, 1, 1});
    x = (x * luma).sum(1, true).add_(0.5).floor_();  // PIL's convert("L"), rounded to grey levels
  }
  return (x / 255.0f - mean) / std;
}

}  // namespace

FolderEvaluation evaluate_image_files(models::ImageClassifier& model, const ImageFileList& files,
                                      std::vector<int64_t> order, const FolderEvalOptions& options, int num_classes,
                                      const std::vector<int64_t>& sample_positions, const at::Device& device,
                                      JobControl& control, const std::function<void(int64_t)>& on_batch) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const int64_t channels = options.in_channels;
  const auto per_channel = [&](const std::array<float, 3>& values) {
    return at::tensor(std::vector<float>(values.begin(), values.begin() + channels)).view({1, channels, 1, 1}).to(device);
  };
  const at::Tensor mean = per_channel(options.mean), std = per_channel(options.std);

  const auto start = Clock::now();
  Clock::time_point steady_start;
  int64_t steady_images = 0;
  FolderEvaluation out;
  EvalAccumulator accumulator(num_classes, sample_positions, device, options.keep_every_image);
  int64_t done = 0, batch_index = 0;
  KinetoTrace trace("FOVEA_EVAL_TRACE", 20, 20);  // batches 20-39, when profiling
  // One batch of crops on the device, whichever pipeline made it.
  const auto consume = [&](const at::Tensor& images, const std::vector<int64_t>& batch_labels,
                           const std::vector<int64_t>& positions, std::vector<std::string>& failures) {
    trace.before_step(batch_index);
    if (batch_index == 0) log::debug(after("evaluation: first batch", start));
    if (batch_index == kSteadyAfter) steady_start = Clock::now();
    if (batch_index >= kSteadyAfter) steady_images += images.size(0);
    ++batch_index;
    control.checkpoint();
    done += images.size(0) + static_cast<int64_t>(failures.size());
    out.skipped += static_cast<int64_t>(failures.size());
    for (auto& failure : failures)
      if (out.failures.size() < kFailuresKept) out.failures.push_back(std::move(failure));
    if (images.size(0) > 0) {
      at::Tensor logits;
      {
        const compat::CudaBf16Autocast autocast(options.bf16_autocast);
        logits = model.forward(model_input(images, mean, std, channels));
      }
      // From pinned memory: a copy from pageable memory would wait for the device to finish its queue.
      at::Tensor labels = at::tensor(batch_labels, at::kLong);
      if (device.is_cuda()) labels = labels.pin_memory();
      labels = labels.to(device, /*non_blocking=*/true);
      // Sampled images for the gallery come back from the device only when the batch holds one.
      accumulator.add(logits.to(at::kFloat), labels, at::tensor(positions, at::kLong), images);
    }
    if (on_batch) on_batch(done);
  };

  // On a GPU the model's first forward passes load its kernels and set up cuDNN and cuBLAS (a second or
  // more): done on blank batches while the loader's threads prepare the first real ones, as timm's
  // validate.py warms up before it starts timing. The last, smaller batch has shapes of its own.
  const int64_t images = order.empty() ? static_cast<int64_t>(files.size()) : static_cast<int64_t>(order.size());
  const auto warm_up = [&] {
    if (!device.is_cuda() || images == 0) return;
    const int64_t batch = std::clamp<int64_t>(options.batches.batch_size, 1, images), last = images % batch;
    for (const int64_t rows : {batch, last}) {
      if (rows == 0) continue;
      const at::Tensor blank = at::zeros({rows, options.transform.crop, options.transform.crop, 3},
                                         at::TensorOptions(at::kByte).device(device));
      const compat::CudaBf16Autocast autocast(options.bf16_autocast);
      (void)model.forward(model_input(blank, mean, std, channels));
      log::debug(after(("evaluation: warm-up forward of " + std::to_string(rows) + " launched").c_str(), start));
    }
  };

  EvalBatchSources sources(files, std::move(order), options.transform, options.batches, options.decode_on_device,
                           options.resize_on_device, device);
  std::optional<NonBlockingStreamScope> model_stream;
  if (sources.gpu_decoding()) model_stream.emplace(device);
  log::debug(after("evaluation: pipelines started", start));
  warm_up();
  log::debug(after("evaluation: model warmed up", start));
  while (auto batch = sources.next()) consume(batch->crops, batch->labels, batch->positions, batch->failures);
  model.train(was_training);
  out.result = accumulator.finish();
  out.finished = Clock::now();
  if (batch_index > kSteadyAfter) {
    const double seconds = std::chrono::duration<double>(Clock::now() - steady_start).count();
    log::debug(after("evaluation: done", start) + "; " + std::to_string(static_cast<int64_t>(steady_images / seconds)) +
               " images/s after the first " + std::to_string(kSteadyAfter) + " batches");
  }
  return out;
}

}  // namespace fovea::engine
