// GPU entry point of the fused augmentation (see augment.h for the parameters). All pointers in
// `p` are device pointers; `stream` is a cudaStream_t / hipStream_t. Throws if the launch fails.
#pragma once
#include "kernels/augment.h"

namespace fovea::kernels {

void augment_gpu(const AugmentParams& p, void* stream);

}  // namespace fovea::kernels
