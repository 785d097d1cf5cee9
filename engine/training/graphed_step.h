// A training step recorded once as a CUDA graph and replayed for every later batch. Small models on a
// fast GPU spend most of a step waiting for the CPU to launch a few hundred tiny kernels; a replay
// launches them all at once. The step's inputs are copied into buffers the graph reads, its outputs
// (the loss, running sums, the updated weights) are written in place, so everything the step touches
// must keep its memory: no host synchronisation, no new parameters, learning rates read from the device.
#pragma once
#include <functional>
#include <memory>

#include <ATen/core/Tensor.h>

namespace fovea::engine {

class GraphedTrainStep {
 public:
  // One step on a batch already on the GPU; returns the loss (a device scalar). Must do the same device
  // work every time it is called.
  using Body = std::function<at::Tensor(const at::Tensor& images, const at::Tensor& labels)>;

  // True when LibTorch was built with CUDA graphs (the CUDA build), false on CPU-only builds.
  static bool available();

  // `eager_steps`: steps run normally before recording (cuDNN picks its algorithms, optimizers create
  // their state). `after_replay` runs after each replay of the recorded step (not after the recording
  // call itself, whose host-side effects already happened): host mirrors of device counters advance.
  GraphedTrainStep(Body body, std::function<void()> after_replay, int eager_steps = 3);
  ~GraphedTrainStep();
  GraphedTrainStep(const GraphedTrainStep&) = delete;
  GraphedTrainStep& operator=(const GraphedTrainStep&) = delete;

  // A batch of another shape than the recorded one runs eagerly (the same work, so the same results).
  at::Tensor run(const at::Tensor& images, const at::Tensor& labels);
  // Forget the recording (the step's work changed, e.g. a parameter stopped training): the next run
  // records again.
  void reset();
  bool recorded() const;

 private:
  struct Recording;
  Body body_;
  std::function<void()> after_replay_;
  int eager_steps_left_;
  std::unique_ptr<Recording> recording_;
};

}  // namespace fovea::engine
