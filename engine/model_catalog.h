// The models Fovea can build, described for people (GUI pickers, `fovea-cli models`).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace fovea::engine {

struct ModelInfo {
  std::string name;
  std::string family;
  std::string description;
  int64_t input_size = 224;
  double crop_pct = 0.875;
  std::string interpolation;
  std::array<double, 3> mean{}, std{};
};

const std::vector<ModelInfo>& model_catalog();

// Trainable parameters at 1000 classes and 3 input channels. Builds the model the first time it is
// asked for (a large one takes a moment), then remembers the count. Throws ConfigError for unknown names.
int64_t model_parameter_count(const std::string& name);

}  // namespace fovea::engine
