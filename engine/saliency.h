// Grad-CAM (Selvaraju et al., 2017) for CNNs: the gradient of a class's logit with respect to the last
// convolutional feature map, averaged over each channel, weights that map; the weighted sum's positive
// part, resized to the input and scaled to [0, 1], shows where the evidence for the class lies.
#pragma once
#include <optional>

#include <ATen/core/Tensor.h>

namespace fovea::models {
class ImageClassifier;
}

namespace fovea::engine {

// `input`: one normalised image (1, C, H, W) on the model's device. Returns float (H, W) in [0, 1] on the
// CPU, or nullopt for models without a convolutional feature map (ViT, Vim, Mamba-2).
std::optional<at::Tensor> grad_cam(models::ImageClassifier& model, const at::Tensor& input, int64_t class_index);

// The heat map in the jet colours blended over `rgb` (uint8 HWC, same height and width), RGB uint8 HWC.
at::Tensor overlay_heat(const at::Tensor& rgb, const at::Tensor& heat, double opacity = 0.45);

}  // namespace fovea::engine
