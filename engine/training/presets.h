// Named training recipes: starting points the user edits (GUI preset box, `fovea-cli train --preset`).
// A preset sets the model and the hyperparameters of its source recipe; the data set stays the user's.
#pragma once
#include <string>
#include <vector>

#include "engine/train_config.h"

namespace fovea::engine {

struct TrainPreset {
  std::string name;
  std::string description;  // where the recipe comes from, in a line
  void (*apply)(TrainConfig& config);
};

const std::vector<TrainPreset>& train_presets();

// Applies the preset to `config` (keeping its data, device, output and limits). Throws ConfigError
// naming the unknown preset and listing the known ones.
void apply_preset(const std::string& name, TrainConfig& config);

}  // namespace fovea::engine
