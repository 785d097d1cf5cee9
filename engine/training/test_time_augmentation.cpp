#include "engine/training/test_time_augmentation.h"

#include <ATen/ATen.h>

#include "models/image_classifier.h"

namespace fovea::engine {
namespace {

at::Tensor mirrored_mean(models::ImageClassifier& model, const at::Tensor& images) {
  return 0.5 * (model.forward(images).to(at::kFloat) + model.forward(images.flip({3})).to(at::kFloat));
}

}  // namespace

at::Tensor logits_with_tta(models::ImageClassifier& model, const at::Tensor& images, int level) {
  if (level <= 0) return model.forward(images);
  const at::Tensor plain = mirrored_mean(model, images);
  if (level == 1) return plain;
  const int64_t h = images.size(2), w = images.size(3);
  const at::Tensor padded = at::reflection_pad2d(images, {1, 1, 1, 1});
  const at::Tensor up_left = padded.slice(2, 0, h).slice(3, 0, w), down_right = padded.slice(2, 2, h + 2).slice(3, 2, w + 2);
  const at::Tensor shifted = 0.5 * (mirrored_mean(model, up_left.contiguous(images.suggest_memory_format())) +
                                    mirrored_mean(model, down_right.contiguous(images.suggest_memory_format())));
  return 0.5 * plain + 0.5 * shifted;
}

}  // namespace fovea::engine
