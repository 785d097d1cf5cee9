#include "engine/saliency.h"

#include <ATen/ATen.h>
#include <opencv2/imgproc.hpp>
#include <torch/autograd.h>

#include "models/image_classifier.h"

namespace fovea::engine {

std::optional<at::Tensor> grad_cam(models::ImageClassifier& model, const at::Tensor& input, int64_t class_index) {
  torch::AutoGradMode enable_grad(true);
  const bool was_training = model.is_training();
  model.eval();
  // Through the input too, so that a graph exists even when every weight is frozen.
  const auto [features, logits] = model.forward_with_features(input.detach().requires_grad_(true));
  model.train(was_training);
  if (!features.defined()) return std::nullopt;
  const at::Tensor gradient = torch::autograd::grad({logits.select(1, class_index).sum()}, {features})[0];
  const at::Tensor weights = gradient.mean({2, 3}, /*keepdim=*/true);
  at::Tensor cam = (weights * features).sum(1, /*keepdim=*/true).relu().detach();
  cam = at::upsample_bilinear2d(cam, {input.size(2), input.size(3)}, false).squeeze(0).squeeze(0);
  const double peak = cam.max().item<double>();
  return (peak > 0 ? cam / peak : cam).to(at::kFloat).cpu();
}

at::Tensor overlay_heat(const at::Tensor& rgb, const at::Tensor& heat, double opacity) {
  const at::Tensor levels = (heat.clamp(0, 1) * 255).round().to(at::kByte).contiguous();
  const at::Tensor image = rgb.contiguous();
  const int rows = static_cast<int>(image.size(0)), cols = static_cast<int>(image.size(1));
  cv::Mat grey(rows, cols, CV_8UC1, levels.data_ptr<uint8_t>());
  cv::Mat colours;
  cv::applyColorMap(grey, colours, cv::COLORMAP_JET);  // BGR
  cv::cvtColor(colours, colours, cv::COLOR_BGR2RGB);
  at::Tensor out = at::empty({rows, cols, 3}, at::kByte);
  cv::Mat blended(rows, cols, CV_8UC3, out.data_ptr<uint8_t>());
  cv::addWeighted(cv::Mat(rows, cols, CV_8UC3, image.data_ptr<uint8_t>()), 1.0 - opacity, colours, opacity, 0.0, blended);
  return out;
}

}  // namespace fovea::engine
