// The model zoo by name: constructors and each model's default preprocessing.
#pragma once
#include <array>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/image_classifier.h"

namespace fovea::models {

// What a caller may choose when building a model.
struct ModelSpec {
  std::string name;
  int64_t num_classes = 1000;
  int64_t in_channels = 3;
  bool cifar_stem = false;  // ResNet only: 3x3 stride-1 stem, no max-pool
  int64_t image_size = 0;   // 0: the model's default; token models size their grid from it, and use
                            // 4-pixel patches for images under 64 pixels (MNIST, CIFAR)
};

// How images are prepared for the model in evaluation (the reference implementation's defaults).
struct Preprocessing {
  int64_t input_size = 224;
  double crop_pct = 0.875;           // resize shorter side to input_size / crop_pct, then center crop
  std::string interpolation = "bilinear";
  std::array<double, 3> mean = {0.485, 0.456, 0.406};
  std::array<double, 3> std = {0.229, 0.224, 0.225};
};

struct ModelEntry {
  std::string name;
  std::string family;       // "resnet", "vit", "vim", "mamba2", "airbench"
  std::vector<std::string> aliases;  // other accepted names (e.g. the original long Vim names)
  std::string description;
  Preprocessing preprocessing;
  std::function<std::shared_ptr<ImageClassifier>(const ModelSpec&)> create;
};

const std::vector<ModelEntry>& model_registry();

// nullptr when no model has that name or alias.
const ModelEntry* find_model(std::string_view name);

// Throws std::invalid_argument naming the model and listing the known ones.
std::shared_ptr<ImageClassifier> create_model(const ModelSpec& spec);

}  // namespace fovea::models
