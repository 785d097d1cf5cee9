// Test-time augmentation as airbench94 evaluates: level 1 averages the logits of the image and its
// mirror; level 2 also averages those of the image shifted by one pixel both ways (reflect-padded),
// weighted 1/2 (unshifted) and 1/4 each (shifted). Level 0 is the plain forward pass.
#pragma once
#include <ATen/core/Tensor.h>

namespace fovea::models {
class ImageClassifier;
}

namespace fovea::engine {

at::Tensor logits_with_tta(models::ImageClassifier& model, const at::Tensor& images, int level);

}  // namespace fovea::engine
