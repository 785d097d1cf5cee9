// Where an evaluation's batches come from: the CPU workers (engine/data/image_batches.h), or, when the
// GPU decodes JPEGs (engine/data/gpu_jpeg_batches.h), the GPU and the CPU workers together. The GPU
// path alone leaves the CPU cores idle while the JPEG engines set the pace, and needs ~0.6 s to start
// nvJPEG: so the CPU workers take the first batches (ready while nvJPEG starts) and then a share of the
// rest, decoded and resized on the CPU, which also leaves the GPU's cores to the model.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <c10/core/Device.h>

#include "engine/data/gpu_jpeg_batches.h"
#include "engine/data/image_batches.h"

namespace fovea::engine {

// Which batches the CPU workers take when the GPU decodes too: the first `lead`, then every `period`-th
// (period 0: none after the lead). FOVEA_CPU_BATCHES=LEAD,PERIOD overrides the default, for measuring;
// the CPU side decodes and resizes its batches (FOVEA_CPU_DECODE_ONLY=1: only decodes, for measuring).
struct CpuBatchShare {
  int64_t lead = 0, period = 0;
  bool takes(int64_t batch) const { return batch < lead || (period > 0 && (batch - lead) % period == period - 1); }
  // The default for images resized with `interpolation` (or the environment's).
  static CpuBatchShare for_gpu_decoding(Interpolation interpolation);
};

// `order` cut into batches of `batch_size` (the last may be short), each batch's positions to the CPU side
// or the GPU side as `share` says, in order on each side.
struct BatchSplit {
  std::vector<bool> cpu_takes;  // per batch
  std::vector<int64_t> cpu_order, gpu_order;
};
BatchSplit split_batches(const std::vector<int64_t>& order, int64_t batch_size, const CpuBatchShare& share);

class EvalBatchSources {
 public:
  // Starts the pipelines for files[order[0]], files[order[1]], ... (all in list order when `order` is
  // empty); `files` must outlive this. With `decode_on_device` on a GPU that decodes JPEGs, the GPU
  // decoder starts in the background (next() waits for it when its first batch is due); if it cannot
  // start, the CPU workers take its batches too.
  EvalBatchSources(const ImageFileList& files, std::vector<int64_t> order, const EvalTransform& transform,
                   ImageBatchOptions batches, bool decode_on_device, bool resize_on_device, const at::Device& device);
  ~EvalBatchSources();
  EvalBatchSources(const EvalBatchSources&) = delete;
  EvalBatchSources& operator=(const EvalBatchSources&) = delete;

  // The next batch in order, its crops on the device (usable on the current stream); nullopt after the last.
  std::optional<DeviceImageBatch> next();
  // True when the GPU's JPEG decoder takes part (the model should then run on a non-blocking stream).
  bool gpu_decoding() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace fovea::engine
