#include "engine/loaded_model.h"

#include <nlohmann/json.hpp>

#include "engine/errors.h"

namespace fovea::engine {
namespace {

using nlohmann::json;

const models::ModelEntry& registry_entry(const std::string& name, const std::string& path) {
  const models::ModelEntry* entry = models::find_model(name);
  if (!entry) {
    std::string known;
    for (const models::ModelEntry& e : models::model_registry()) known += (known.empty() ? "" : ", ") + e.name;
    throw ConfigError(path + ": unknown model '" + name + "' (known: " + known + ")");
  }
  return *entry;
}

void set_normalisation(LoadedModel& out, const std::vector<float>& mean, const std::vector<float>& std) {
  for (size_t c = 0; c < 3; ++c) {
    out.mean[c] = mean.empty() ? 0.0f : mean[std::min(c, mean.size() - 1)];
    out.std[c] = std.empty() ? 1.0f : std[std::min(c, std.size() - 1)];
  }
}

// The architecture and normalisation that Fovea's metadata records.
void from_metadata(LoadedModel& out, const std::string& text, const ModelChoice& choice, const std::string& path) {
  json meta;
  try {
    meta = json::parse(text);
    const json& m = meta.at("model");
    out.spec.name = m.at("name").get<std::string>();
    out.spec.num_classes = m.at("num_classes").get<int64_t>();
    out.spec.in_channels = m.at("in_channels").get<int64_t>();
    out.spec.cifar_stem = m.value("cifar_stem", false);
    out.spec.image_size = m.value("image_size", int64_t{0});
    out.class_names = meta.value("class_names", std::vector<std::string>{});
    const json& p = meta.at("preprocessing");
    set_normalisation(out, p.at("mean").get<std::vector<float>>(), p.at("std").get<std::vector<float>>());
    // Trained on images of one size: evaluation resizes to that size (crop_pct 1) unless the metadata
    // records a reference-style preprocessing.
    out.preprocessing.input_size = p.value("input_size", p.value("height", int64_t{224}));
    out.preprocessing.crop_pct = p.value("crop_pct", 1.0);
    out.preprocessing.interpolation = p.value("interpolation", std::string("bilinear"));
  } catch (const json::exception& e) {
    throw CheckpointError(path + ": Fovea metadata without the model's description (" + e.what() + ")");
  }
  const models::ModelEntry& recorded = registry_entry(out.spec.name, path);
  if (!choice.model.empty() && &registry_entry(choice.model, path) != &recorded)
    throw ConfigError(path + " holds " + out.spec.name + ", not " + choice.model);
  out.from_metadata = true;
  out.notes.push_back("model " + out.spec.name + " with " + std::to_string(out.spec.num_classes) +
                      " classes, as the checkpoint's metadata says");
}

// The class count of a state dict without metadata: the rows of its classifier's weight.
int64_t class_count_of(const std::map<std::string, at::Tensor>& tensors, const std::string& path, int64_t fallback) {
  for (const char* head : {"fc.weight", "head.weight", "7.weight"}) {
    const auto it = tensors.find(head);
    if (it != tensors.end() && it->second.dim() == 2) return it->second.size(0);
  }
  if (fallback > 0) return fallback;
  throw ConfigError(path + ": cannot tell the number of classes (no fc.weight or head.weight): give it "
                           "(fovea-cli: --num-classes N)");
}

void from_choice(LoadedModel& out, const ModelChoice& choice, const WeightsFile& file) {
  const std::string& path = file.path;
  if (choice.model.empty())
    throw ConfigError(path + " has no Fovea metadata to say which model it holds: name the model (fovea-cli: --model NAME)");
  const models::ModelEntry& entry = registry_entry(choice.model, path);
  const int64_t classes =
      choice.num_classes > 0 ? choice.num_classes : class_count_of(file.tensors, path, choice.default_num_classes);
  out.spec = {entry.name, classes, choice.in_channels, choice.cifar_stem, choice.image_size};
  const auto& p = entry.preprocessing;
  out.preprocessing = p;
  if (choice.image_size > 0) out.preprocessing.input_size = choice.image_size;
  if (choice.in_channels == 3) {
    set_normalisation(out, {float(p.mean[0]), float(p.mean[1]), float(p.mean[2])},
                      {float(p.std[0]), float(p.std[1]), float(p.std[2])});
  } else {
    set_normalisation(out, {float((p.mean[0] + p.mean[1] + p.mean[2]) / 3)}, {float((p.std[0] + p.std[1] + p.std[2]) / 3)});
  }
  out.notes.push_back("model " + entry.name + " with " + std::to_string(classes) +
                      " classes (the file has no Fovea metadata), " + entry.name + "'s reference normalisation");
}

}  // namespace

LoadedModel load_model(const std::string& path, const ModelChoice& choice, const LoadOptions& options) {
  const WeightsFile file = read_weights_file(path);
  LoadedModel out;
  out.format = file.format;
  out.notes.push_back(file.describe());
  if (!file.metadata_json.empty()) {
    from_metadata(out, file.metadata_json, choice, path);
  } else {
    from_choice(out, choice, file);
  }
  for (size_t c = 0; c < 3; ++c) {
    out.preprocessing.mean[c] = out.mean[c];
    out.preprocessing.std[c] = out.std[c];
  }
  try {
    out.model = models::create_model(out.spec);
  } catch (const std::exception& e) {
    throw ConfigError(path + ": cannot build " + out.spec.name + ": " + e.what());
  }
  out.report = load_state_dict(*out.model, file.tensors, path, options);
  out.notes.push_back(out.report.summary());
  out.model->eval();
  return out;
}

}  // namespace fovea::engine
