// What an exported file says about its model, shared by the safetensors and ONNX writers.
#pragma once
#include <string>
#include <vector>

#include "engine/loaded_model.h"

namespace fovea::engine::export_detail {

int64_t input_size(const LoadedModel& loaded);        // the trained image size (square), e.g. 224 or 32
std::vector<float> mean_of(const LoadedModel& loaded);  // one value per input channel
std::vector<float> std_of(const LoadedModel& loaded);
std::string json_array(const std::vector<std::string>& values);
std::string json_array(const std::vector<float>& values);
// Fovea's checkpoint metadata (engine/loaded_model.cpp reads it back): model, class names, normalisation.
std::string fovea_metadata_json(const LoadedModel& loaded);

}  // namespace fovea::engine::export_detail
