// A model built from a weights file and filled with its weights: the architecture, class names and
// normalisation from the file's Fovea metadata when it has some, else from the caller's choice.
#pragma once
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "engine/state_dict_loader.h"
#include "engine/weights_file.h"
#include "models/registry.h"

namespace fovea::engine {

// What to build when the file does not say (no Fovea metadata): a registry name and the data's shape.
struct ModelChoice {
  std::string model;        // required without metadata; with it, must name the same model if given
  int64_t num_classes = 0;  // 0: the rows of the file's classifier weight (fc/head), else default_num_classes
  int64_t default_num_classes = 0;
  int64_t in_channels = 3;
  int64_t image_size = 0;   // 0: the model's default
  bool cifar_stem = false;  // ResNet
};

struct LoadedModel {
  std::shared_ptr<models::ImageClassifier> model;  // on the CPU, in eval mode
  models::ModelSpec spec;
  std::vector<std::string> class_names;  // from the metadata; empty without
  // Per-channel normalisation in [0, 1] pixel units: the training data's statistics for Fovea's
  // checkpoints, else the model's reference preprocessing (averaged over RGB for grey images).
  std::array<float, 3> mean{}, std{1, 1, 1};
  // Evaluation resizing and cropping: what the training images were (Fovea's checkpoints) or the
  // model's reference preprocessing at the chosen image size; mean/std as above.
  models::Preprocessing preprocessing;
  WeightsFormat format = WeightsFormat::Safetensors;
  bool from_metadata = false;
  LoadReport report;
  std::vector<std::string> notes;  // what was read and chosen, for people
};

// Throws CheckpointError/ConfigError naming the file when it cannot be read, has no metadata and no model
// is chosen, or its weights do not fit (strict unless `options` says otherwise).
LoadedModel load_model(const std::string& path, const ModelChoice& choice, const LoadOptions& options = {});

}  // namespace fovea::engine
