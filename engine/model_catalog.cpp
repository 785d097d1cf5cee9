#include "engine/model_catalog.h"

#include "models/registry.h"

namespace fovea::engine {

const std::vector<ModelInfo>& model_catalog() {
  static const std::vector<ModelInfo> catalog = [] {
    std::vector<ModelInfo> list;
    for (const models::ModelEntry& entry : models::model_registry()) {
      ModelInfo info;
      info.name = entry.name;
      info.family = entry.family;
      info.description = entry.description;
      info.parameters = models::parameter_count(*entry.create({entry.name, 1000, 3, false}));
      info.input_size = entry.preprocessing.input_size;
      info.crop_pct = entry.preprocessing.crop_pct;
      info.interpolation = entry.preprocessing.interpolation;
      info.mean = entry.preprocessing.mean;
      info.std = entry.preprocessing.std;
      list.push_back(std::move(info));
    }
    return list;
  }();
  return catalog;
}

}  // namespace fovea::engine
