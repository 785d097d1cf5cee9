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
  int64_t parameters = 0;  // at 1000 classes and 3 input channels
  int64_t input_size = 224;
  double crop_pct = 0.875;
  std::string interpolation;
  std::array<double, 3> mean{}, std{};
};

// Builds each model once (on first call) to count its parameters.
const std::vector<ModelInfo>& model_catalog();

}  // namespace fovea::engine
