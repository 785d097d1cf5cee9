// Differentiable selective scan on LibTorch tensors, computed by Fovea's kernels: the GPU kernel for
// CUDA/ROCm tensors (in builds with GPU kernels), the CPU kernel otherwise. Same arguments and
// semantics as models::selective_scan_reference (models/ssm_reference.h), which the tests compare it with.
#pragma once
#include "models/ssm_reference.h"

namespace fovea::ops {

// Returns out (batch, dim, length) in u's dtype (float32 or bfloat16).
at::Tensor selective_scan(const models::SelectiveScanArgs& args);

// True when `selective_scan` can run on tensors of this device.
bool selective_scan_supported(const c10::Device& device);

}  // namespace fovea::ops
