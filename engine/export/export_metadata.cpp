#include "engine/export/export_metadata.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdlib>

namespace fovea::engine::export_detail {

int64_t input_size(const LoadedModel& loaded) {
  return loaded.spec.image_size > 0 ? loaded.spec.image_size : loaded.preprocessing.input_size;
}

std::vector<float> mean_of(const LoadedModel& loaded) {
  return {loaded.mean.begin(), loaded.mean.begin() + std::min<int64_t>(loaded.spec.in_channels, 3)};
}

std::vector<float> std_of(const LoadedModel& loaded) {
  return {loaded.std.begin(), loaded.std.begin() + std::min<int64_t>(loaded.spec.in_channels, 3)};
}

std::string json_array(const std::vector<std::string>& values) { return nlohmann::json(values).dump(); }
// Each value as its shortest float32 text (0.485, not 0.48500001430511475).
std::string json_array(const std::vector<float>& values) {
  nlohmann::json array = nlohmann::json::array();
  for (float v : values) {
    char text[32];
    *std::to_chars(text, text + sizeof text - 1, v).ptr = '\0';
    array.push_back(std::strtod(text, nullptr));
  }
  return array.dump();
}

std::string fovea_metadata_json(const LoadedModel& loaded) {
  const int64_t size = input_size(loaded);
  nlohmann::json meta;
  meta["model"] = {{"name", loaded.spec.name},
                   {"num_classes", loaded.spec.num_classes},
                   {"in_channels", loaded.spec.in_channels},
                   {"cifar_stem", loaded.spec.cifar_stem},
                   {"image_size", loaded.spec.image_size}};
  meta["class_names"] = loaded.class_names;
  meta["preprocessing"] = {{"height", size},
                           {"width", size},
                           {"input_size", loaded.preprocessing.input_size},
                           {"crop_pct", loaded.preprocessing.crop_pct},
                           {"interpolation", loaded.preprocessing.interpolation},
                           {"mean", mean_of(loaded)},
                           {"std", std_of(loaded)}};
  meta["exported"] = true;
  return meta.dump();
}

}  // namespace fovea::engine::export_detail
