// Classifying single images with a loaded model: the Classify page, drag-and-drop and
// `fovea-cli predict`. Images go through the model's evaluation preprocessing (engine/data/image_transform.h).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "engine/loaded_model.h"

namespace fovea::engine {

struct ClassScore {
  int64_t index = 0;
  std::string name;
  float probability = 0;
};

struct ImagePrediction {
  std::string source;             // the file, or a description such as "clipboard"
  std::vector<ClassScore> top;    // most probable first
  double milliseconds = 0;        // preprocessing and the forward pass
  std::string error;              // set instead of `top` when the image could not be read
  int64_t width = 0, height = 0;  // of the original image
};

// Class names for a model: its metadata's, ImageNet-1k's for 1,000 classes, else "class N".
std::vector<std::string> display_class_names(const LoadedModel& loaded);

struct SaliencyMap {
  at::Tensor image;  // what the model saw: the preprocessed crop, RGB uint8 HWC
  at::Tensor heat;   // Grad-CAM, float (H, W) in [0, 1], same size
  at::Tensor overlay;  // the heat map coloured and blended over the image, RGB uint8 HWC
  int64_t class_index = 0;
};

class Predictor {
 public:
  Predictor(LoadedModel loaded, c10::Device device);
  // Never throws for a bad image: the reason is in `error`.
  ImagePrediction classify_file(const std::string& path, int top_k) const;
  // RGB uint8 HWC on the CPU.
  ImagePrediction classify(const at::Tensor& rgb, const std::string& source, int top_k) const;

  // Grad-CAM of `class_index` (negative: the best class) on RGB uint8 HWC; nullopt for models without a
  // convolutional feature map. Throws for an image the preprocessing cannot take.
  std::optional<SaliencyMap> saliency(const at::Tensor& rgb, int64_t class_index) const;
  // The same for an image that already is the model's input (an evaluation crop): no resize or crop.
  std::optional<SaliencyMap> saliency_of_input(const at::Tensor& crop, int64_t class_index) const;

  const LoadedModel& loaded() const { return loaded_; }
  const std::vector<std::string>& class_names() const { return names_; }
  c10::Device device() const { return device_; }

 private:
  LoadedModel loaded_;
  c10::Device device_;
  std::vector<std::string> names_;
};

}  // namespace fovea::engine
