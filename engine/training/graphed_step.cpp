#include "engine/training/graphed_step.h"

#include <ATen/autocast_mode.h>

#include "engine/errors.h"

#if defined(FOVEA_TORCH_CUDA)
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace fovea::engine {

#if defined(FOVEA_TORCH_CUDA)
struct GraphedTrainStep::Recording {
  at::cuda::CUDAGraph graph;
  at::Tensor images, labels, loss;  // what the graph reads and writes
};

bool GraphedTrainStep::available() { return true; }

namespace {
// Autocast's cache of bf16 weight copies would hand a recording copies made before it; record without.
class AutocastCacheOff {
 public:
  AutocastCacheOff() : previous_(at::autocast::is_autocast_cache_enabled()) { at::autocast::set_autocast_cache_enabled(false); }
  ~AutocastCacheOff() { at::autocast::set_autocast_cache_enabled(previous_); }

 private:
  bool previous_;
};
}  // namespace

at::Tensor GraphedTrainStep::run(const at::Tensor& images, const at::Tensor& labels) {
  if (eager_steps_left_ > 0) {
    --eager_steps_left_;
    return body_(images, labels);
  }
  if (recording_ && (images.sizes() != recording_->images.sizes() || labels.sizes() != recording_->labels.sizes()))
    return body_(images, labels);  // a short batch (undecodable files were dropped): this step runs eagerly
  if (recording_) {
    recording_->images.copy_(images, /*non_blocking=*/true);
    recording_->labels.copy_(labels, /*non_blocking=*/true);
    recording_->graph.replay();
    if (after_replay_) after_replay_();
    return recording_->loss;
  }
  auto recording = std::make_unique<Recording>();
  recording->images = images.clone();  // keeps the memory format (channels_last)
  recording->labels = labels.clone();
  c10::cuda::device_synchronize();
  {
    // Recording needs a stream of its own; the replays then run on the current one.
    const c10::cuda::CUDAStreamGuard side(c10::cuda::getStreamFromPool());
    const AutocastCacheOff no_cache;
    recording->graph.capture_begin();
    try {
      recording->loss = body_(recording->images, recording->labels);
    } catch (...) {
      recording->graph.capture_end();
      throw;
    }
    recording->graph.capture_end();
  }
  c10::cuda::device_synchronize();
  recording->graph.replay();
  recording_ = std::move(recording);
  return recording_->loss;
}
#else
struct GraphedTrainStep::Recording {};

bool GraphedTrainStep::available() { return false; }

at::Tensor GraphedTrainStep::run(const at::Tensor& images, const at::Tensor& labels) { return body_(images, labels); }
#endif

GraphedTrainStep::GraphedTrainStep(Body body, std::function<void()> after_replay, int eager_steps)
    : body_(std::move(body)), after_replay_(std::move(after_replay)), eager_steps_left_(eager_steps) {}

GraphedTrainStep::~GraphedTrainStep() = default;

void GraphedTrainStep::reset() { recording_.reset(); }

bool GraphedTrainStep::recorded() const { return recording_ != nullptr; }

}  // namespace fovea::engine
