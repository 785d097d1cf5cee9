#include "engine/predictor.h"

#include <torch/nn/module.h>
#include <torch/utils.h>

#include <algorithm>
#include <chrono>

#include "engine/data/image_transform.h"
#include "engine/saliency.h"
#include "models/image_classifier.h"
#include "resources/embedded.h"

namespace fovea::engine {
namespace {

// PIL's convert("L"): ITU-R 601-2 luma, for models trained on grey images.
at::Tensor to_grey(const at::Tensor& rgb_hwc) {
  const at::Tensor weights = at::tensor({0.299f, 0.587f, 0.114f});
  return (rgb_hwc.to(at::kFloat).matmul(weights) + 0.5f).floor_().clamp_(0, 255).unsqueeze(2);
}

}  // namespace

std::vector<std::string> display_class_names(const LoadedModel& loaded) {
  const auto classes = static_cast<size_t>(loaded.spec.num_classes);
  if (loaded.class_names.size() == classes) return loaded.class_names;
  if (classes == 1000) return resources::class_names("imagenet-1k");
  std::vector<std::string> names;
  for (size_t c = 0; c < classes; ++c) names.push_back("class " + std::to_string(c));
  return names;
}

Predictor::Predictor(LoadedModel loaded, c10::Device device)
    : loaded_(std::move(loaded)), device_(device), names_(display_class_names(loaded_)) {
  loaded_.model->to(device_);
  loaded_.model->eval();
}

ImagePrediction Predictor::classify_file(const std::string& path, int top_k) const {
  at::Tensor rgb;
  try {
    rgb = read_rgb_image(path);
  } catch (const std::exception& e) {
    ImagePrediction failed;
    failed.source = path;
    failed.error = e.what();
    return failed;
  }
  return classify(rgb, path, top_k);
}

std::optional<SaliencyMap> Predictor::saliency(const at::Tensor& rgb, int64_t class_index) const {
  return saliency_of_input(apply_eval_transform(rgb, eval_transform(loaded_.preprocessing)), class_index);
}

std::optional<SaliencyMap> Predictor::saliency_of_input(const at::Tensor& crop, int64_t class_index) const {
  SaliencyMap out;
  out.image = crop;
  const at::Tensor model_view = loaded_.spec.in_channels == 1 ? to_grey(crop) : crop;
  const at::Tensor input = normalize_image(model_view, loaded_.mean, loaded_.std).unsqueeze(0).to(device_);
  if (class_index < 0) {
    torch::NoGradGuard no_grad;
    class_index = loaded_.model->forward(input).argmax(1).item<int64_t>();
  }
  if (class_index >= loaded_.spec.num_classes)
    throw std::out_of_range("the model has no class " + std::to_string(class_index));
  std::optional<at::Tensor> heat = grad_cam(*loaded_.model, input, class_index);
  if (!heat) return std::nullopt;
  out.heat = *heat;
  out.overlay = overlay_heat(out.image, out.heat);
  out.class_index = class_index;
  return out;
}

ImagePrediction Predictor::classify(const at::Tensor& rgb, const std::string& source, int top_k) const {
  const auto start = std::chrono::steady_clock::now();
  ImagePrediction out;
  out.source = source;
  out.height = rgb.size(0);
  out.width = rgb.size(1);
  try {
    torch::NoGradGuard no_grad;
    at::Tensor image = apply_eval_transform(rgb, eval_transform(loaded_.preprocessing));
    if (loaded_.spec.in_channels == 1) image = to_grey(image);
    const at::Tensor input = normalize_image(image, loaded_.mean, loaded_.std).unsqueeze(0);
    const at::Tensor probabilities = loaded_.model->forward(input.to(device_)).to(at::kFloat).softmax(1)[0].cpu();
    const int64_t k = std::min<int64_t>(std::max(top_k, 1), probabilities.size(0));
    const auto [values, indices] = probabilities.topk(k);
    for (int64_t j = 0; j < k; ++j) {
      const int64_t index = indices[j].item<int64_t>();
      out.top.push_back({index, names_.at(static_cast<size_t>(index)), values[j].item<float>()});
    }
  } catch (const std::exception& e) {
    out.error = source + ": " + e.what();
  }
  out.milliseconds = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace fovea::engine
