// Evaluation batches decoded on the GPU: reader threads load the files' bytes, and a few decoding threads
// each take a whole batch, decode it with the GPU's JPEG decoder (kernels/jpeg_decoder.h: libjpeg's
// pixels, so PIL's), then resize and crop it there, on a CUDA stream of their own, a few batches ahead
// of the consumer, who gets them in order. Files the GPU decoder does not take (PNG, BMP, WebP,
// progressive, CMYK or RGB-coded JPEGs) are decoded on the CPU by that thread; undecodable files are
// skipped and reported with their batch, as ImageBatchLoader does.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "engine/data/image_file_list.h"
#include "engine/data/image_transform.h"

namespace fovea::engine {

struct DeviceImageBatch {
  at::Tensor crops;                   // uint8 [n, crop, crop, 3] on the device, usable on the current stream
  std::vector<int64_t> labels;        // of each image
  std::vector<int64_t> positions;     // of each image in the file list
  std::vector<std::string> failures;  // "path: reason" for each file of the batch that was skipped
};

class GpuJpegBatches {
 public:
  // This build decodes JPEGs on `device` (nvJPEG and a CUDA LibTorch, and `device` is a CUDA device).
  static bool available(const at::Device& device);

  // Loads files[order[0]], files[order[1]], ... (all in list order when `order` is empty). `files` must
  // outlive this. Throws Error when the GPU decoder cannot start.
  GpuJpegBatches(const ImageFileList& files, std::vector<int64_t> order, EvalTransform transform,
                 int64_t batch_size, const at::Device& device);
  ~GpuJpegBatches();
  GpuJpegBatches(const GpuJpegBatches&) = delete;
  GpuJpegBatches& operator=(const GpuJpegBatches&) = delete;

  // The next batch in order; nullopt after the last. Rethrows what stopped the decoding thread.
  std::optional<DeviceImageBatch> next();
  int64_t batch_count() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// While alive, the constructing thread's current CUDA stream on `device` is a non-blocking one from
// LibTorch's pool rather than the legacy default stream, which waits for (and holds up) work queued on any
// ordinary stream, such as nvJPEG's own. A no-op for other devices and builds; FOVEA_EVAL_DEFAULT_STREAM=1
// turns it off, for measuring.
class NonBlockingStreamScope {
 public:
  explicit NonBlockingStreamScope(const at::Device& device);
  ~NonBlockingStreamScope();
  NonBlockingStreamScope(const NonBlockingStreamScope&) = delete;
  NonBlockingStreamScope& operator=(const NonBlockingStreamScope&) = delete;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace fovea::engine
