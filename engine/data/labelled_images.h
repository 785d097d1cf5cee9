// Decoded images of one split held in memory: pixels in NHWC order as 8-bit values, one label each.
#pragma once
#include <cstdint>
#include <vector>

namespace fovea::engine {

struct LabelledImages {
  int64_t count = 0, height = 0, width = 0, channels = 0;
  std::vector<uint8_t> pixels;  // count * height * width * channels
  std::vector<int64_t> labels;  // count
};

}  // namespace fovea::engine
