// Decoded, resized and cropped images of a folder data set, batch after batch, prepared by a pool of
// worker threads ahead of the consumer (the DataLoader of torchvision's validation scripts, in-process).
// Files that cannot be decoded are skipped and reported with their batch, never fatal.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

#include "engine/data/image_file_list.h"
#include "engine/data/image_transform.h"

namespace fovea::engine {

struct ImageBatch {
  at::Tensor images;                  // uint8 [n, crop, crop, 3]; pinned memory when the options ask
  std::vector<at::Tensor> decoded;    // instead, with `decode_only`: each image whole, RGB uint8 HWC, or
  std::vector<uint8_t> cropped;       // (per decoded image, 1) already resized and cropped by the worker: images
                                      // over kMaxPixelsResizedOnDevice, whose whole batch would take gigabytes
  std::vector<int64_t> labels;        // of each image
  std::vector<int64_t> positions;     // of each image in the file list
  std::vector<std::string> failures;  // "path: reason" for each file of the batch that was skipped
};

// Decode-only workers resize and crop larger images themselves (1 megapixel: ImageNet's photos are ~0.2).
constexpr int64_t kMaxPixelsResizedOnDevice = int64_t{1} << 20;

struct ImageBatchOptions {
  int64_t batch_size = 256;
  int threads = 0;             // 0: one per core
  bool pinned_memory = false;  // for fast, asynchronous copies to a CUDA device
  // Workers only decode; the consumer resizes and crops (on a GPU, where it is cheaper than on the CPU:
  // decoding alone keeps the CPU cores busy).
  bool decode_only = false;
};

// The batch's crops as uint8 [n, crop, crop, 3] on `device`: copied there (asynchronously from pinned
// memory), or, for decode-only batches, each image copied there and resized and cropped by `transform`
// (equally sized images together; those the worker cropped already, copied as they are).
at::Tensor crops_on_device(const ImageBatch& batch, const EvalTransform& transform, const at::Device& device);

// One decoded image (RGB uint8 HWC) and its index in the loading order in, the batch's crop x crop x 3
// uint8 image out. Called by the worker threads concurrently.
using PerImageTransform = std::function<at::Tensor(const at::Tensor& rgb, int64_t index)>;

class ImageBatchLoader {
 public:
  // Loads files[order[0]], files[order[1]], ... (all files in list order when `order` is empty).
  // `files` must outlive the loader.
  ImageBatchLoader(const ImageFileList& files, std::vector<int64_t> order, EvalTransform transform,
                   ImageBatchOptions options);
  // The same with any per-image transform giving crop x crop images (training's random crops).
  ImageBatchLoader(const ImageFileList& files, std::vector<int64_t> order, int64_t crop, PerImageTransform transform,
                   ImageBatchOptions options);
  ~ImageBatchLoader();  // stops the workers without waiting for batches nobody asked for
  ImageBatchLoader(const ImageBatchLoader&) = delete;
  ImageBatchLoader& operator=(const ImageBatchLoader&) = delete;

  // The next batch in order (it may be empty when all its files failed); nullopt after the last.
  std::optional<ImageBatch> next();
  int64_t batch_count() const;
  int64_t image_count() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace fovea::engine
