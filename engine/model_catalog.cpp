#include "engine/model_catalog.h"

#include <map>
#include <mutex>

#include "engine/errors.h"
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

int64_t model_parameter_count(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, int64_t> counts;
  std::lock_guard lock(mutex);
  if (auto found = counts.find(name); found != counts.end()) return found->second;
  const models::ModelEntry* entry = models::find_model(name);
  if (!entry) throw ConfigError("unknown model '" + name + "'");
  const int64_t count = models::parameter_count(*entry->create({entry->name, 1000, 3, false}));
  counts[name] = count;
  return count;
}

}  // namespace fovea::engine
