#include "models/registry.h"

#include <stdexcept>

#include "models/resnet.h"

namespace fovea::models {
namespace {

ModelEntry resnet_entry(std::string name, std::string description, ResNetOptions (*base)()) {
  ModelEntry entry;
  entry.name = std::move(name);
  entry.family = "resnet";
  entry.description = std::move(description);
  entry.create = [base](const ModelSpec& spec) -> std::shared_ptr<ImageClassifier> {
    ResNetOptions options = base();
    options.num_classes = spec.num_classes;
    options.in_channels = spec.in_channels;
    options.cifar_stem = spec.cifar_stem;
    return ResNet(options).ptr();
  };
  return entry;
}

std::vector<ModelEntry> build_registry() {
  std::vector<ModelEntry> entries;
  entries.push_back(resnet_entry("resnet18", "ResNet-18 (torchvision)", resnet18_options));
  entries.push_back(resnet_entry("resnet34", "ResNet-34 (torchvision)", resnet34_options));
  entries.push_back(resnet_entry("resnet50", "ResNet-50 (torchvision, V1.5)", resnet50_options));
  return entries;
}

}  // namespace

const std::vector<ModelEntry>& model_registry() {
  static const std::vector<ModelEntry> entries = build_registry();
  return entries;
}

const ModelEntry* find_model(std::string_view name) {
  for (const ModelEntry& entry : model_registry()) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

std::shared_ptr<ImageClassifier> create_model(const ModelSpec& spec) {
  const ModelEntry* entry = find_model(spec.name);
  if (!entry) {
    std::string known;
    for (const ModelEntry& e : model_registry()) known += (known.empty() ? "" : ", ") + e.name;
    throw std::invalid_argument("unknown model '" + spec.name + "' (known: " + known + ")");
  }
  return entry->create(spec);
}

}  // namespace fovea::models
