// What the trainer and a checkpoint know of a run's data, whatever their source (memory or folders).
#pragma once
#include <array>
#include <cstdint>
#include <string>

#include "engine/data/dataset_info.h"

namespace fovea::engine {

// What the trainer and the checkpoints know of the data: the classes, the images as the model sees
// them (info.height, width, channels), the normalisation and, for folders, the evaluation preprocessing.
struct DataDescription {
  DatasetInfo info;
  std::array<float, 3> mean{}, std{1, 1, 1};
  int64_t train_images = 0;   // those the run trains on (after limit_train)
  double crop_pct = 0;        // folders: evaluation resizes to floor(height / crop_pct), then center crops; 0: in memory
  std::string interpolation;  // folders: the resampling of crops and resizes
};

}  // namespace fovea::engine
