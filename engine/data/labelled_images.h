// Decoded images of one split held in memory: pixels in NHWC order as 8-bit values, one label each.
#pragma once
#include <cstdint>
#include <vector>

namespace fovea::engine {

struct LabelledImages {
  int64_t count = 0, height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;  // count * height * width * channels
  std::vector<int64_t> labels;  // count
  std::vector<int64_t> coarse_labels;  // CIFAR-100's superclass of each image (count); empty for other data sets

  // Keeps the first `limit` images (limit > 0), for readers that read whole files.
  void keep_first(int64_t limit) {
    if (limit <= 0 || count <= limit) return;
    count = limit;
    labels.resize(static_cast<size_t>(limit));
    if (!coarse_labels.empty()) coarse_labels.resize(static_cast<size_t>(limit));
    pixels.resize(static_cast<size_t>(limit * height * width * channels));
  }
};

}  // namespace fovea::engine
