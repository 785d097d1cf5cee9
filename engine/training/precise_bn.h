// "Precise BN" (pycls, detectron2): before an evaluation, replace every BatchNorm layer's running mean and
// variance with the statistics of a fixed set of training images. The running averages that training
// keeps (momentum 0.1) trail weights that still move quickly, as with a constant learning rate, and
// make eval-mode accuracy swing from epoch to epoch; averaged over a few thousand images the statistics
// match the weights being evaluated.
#pragma once
#include <cstdint>
#include <functional>

#include <ATen/core/Tensor.h>

namespace torch::nn {
class Module;
}

namespace fovea::engine {

// Runs `forward` over `images` in batches of `batch` (the last partial batch left out; one batch at least)
// with `model` in training mode and no gradients, then sets each BatchNorm2d layer's running mean to the
// mean over all those images and its running variance to their variance (the batches' variances plus
// the variance of their means). The layers' momentum, batch counters and the model's mode are restored.
// Returns the number of BatchNorm2d layers updated.
int recompute_batch_norm_statistics(torch::nn::Module& model, const std::function<void(const at::Tensor&)>& forward,
                                    const at::Tensor& images, int64_t batch);

}  // namespace fovea::engine
