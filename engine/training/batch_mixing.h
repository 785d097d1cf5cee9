// Mixup and CutMix as timm applies them per batch: images blended with (mixup) or pasted into (CutMix)
// a shuffled copy of the batch, and the loss weighted between both label sets by lambda.
#pragma once
#include <cstdint>

#include <ATen/core/Tensor.h>

namespace fovea::engine {

struct MixedBatch {
  at::Tensor images;           // the mixed batch (NCHW, any memory format)
  at::Tensor labels, partner;  // the original labels and those of the images mixed in
  double lambda = 1.0;         // weight of `labels` in the loss
};

struct MixingOptions {
  double mixup_alpha = 0;
  double cutmix_alpha = 0;  // with both > 0, each batch picks one with even odds
  uint64_t seed = 0;
};

// Draws from (seed, draw): the same step of a resumed run mixes the same way.
MixedBatch mix_batch(const at::Tensor& images, const at::Tensor& labels, const MixingOptions& options, uint64_t draw);

// lambda * CE(logits, labels) + (1 - lambda) * CE(logits, partner), with label smoothing.
at::Tensor mixed_cross_entropy(const at::Tensor& logits, const MixedBatch& batch, double label_smoothing);

}  // namespace fovea::engine
