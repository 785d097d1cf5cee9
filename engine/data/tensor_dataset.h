// A small data set held in memory (and on the training device) as uint8 NHWC tensors.
#pragma once
#include <array>
#include <string>

#include <ATen/core/Tensor.h>

#include "engine/data/dataset_info.h"
#include "engine/data/labelled_images.h"

namespace fovea::engine {

struct TensorSplit {
  at::Tensor images;  // uint8 [N, H, W, C]
  at::Tensor labels;  // int64 [N]
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
  TensorSplit to(const at::Device& device) const;
};

struct TensorDataset {
  DatasetInfo info;
  TensorSplit train, test;
  std::array<float, 3> mean{}, std{};  // per channel of the training split, in [0, 1] pixel units
};

TensorSplit to_tensor_split(LabelledImages&& images);

// One split of a probed data set (the test split, or else the training split), its labels checked
// against the class list. limit > 0 keeps the first N images (spread over the classes for folders).
TensorSplit load_tensor_split(const DatasetInfo& info, bool test, int64_t limit);

// Zero-pads both splits' images to pad_to x pad_to (centred; 0 or not larger: unchanged) and repeats grey
// images to 3 channels when `force_rgb`, keeping the recorded shape and the per-channel statistics exact.
void reshape_images(TensorDataset& data, int64_t pad_to, bool force_rgb);

// Reads the data set at `path` (any format probe_dataset recognises). limit > 0 keeps the first N images.
// Throws DatasetError when a label lies outside the class list.
TensorDataset load_tensor_dataset(const std::string& path, int64_t limit_train, int64_t limit_test);

}  // namespace fovea::engine
