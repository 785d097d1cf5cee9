// The choice inside one 2x2 window, shared by the CPU reference and the GPU kernels so that they agree.
#pragma once
#include "kernels/random.h"  // FOVEA_HOST_DEVICE

namespace fovea::kernels::max_pool_detail {

// Whether `value` replaces the best so far, visiting the window in the order (0,0), (0,1), (1,0), (1,1):
// a strictly larger value, or a NaN (LibTorch's rule: the first maximum, a NaN wins).
FOVEA_HOST_DEVICE bool replaces(float value, float best) { return value > best || value != value; }

}  // namespace fovea::kernels::max_pool_detail
