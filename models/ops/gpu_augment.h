// LibTorch-facing wrapper of the fused GPU augmentation kernel (kernels/augment_gpu.h).
#pragma once
#include <ATen/core/Tensor.h>

#include "kernels/augment.h"

namespace fovea::ops {

// True when this build has GPU kernels (FOVEA_GPU=cuda or rocm).
bool gpu_augment_available();

// images: uint8 [N, H, W, C] on a GPU; indices: int64 [B] on the same GPU. The pointer and size
// fields of `params` are filled in here; the rest (draws, normalisation, layout) is the caller's.
// Returns float32 [B, C, H', W'] (channels_last memory if params.channels_last).
at::Tensor gpu_augment(const at::Tensor& images, const at::Tensor& indices, kernels::AugmentParams params);

}  // namespace fovea::ops
