// The current LibTorch GPU stream as the plain handle kernels take (cudaStream_t / hipStream_t).
#pragma once
#include <c10/core/Device.h>

namespace fovea::ops {

// Only meaningful in builds with GPU kernels (FOVEA_HAVE_GPU_KERNELS); also makes `device` current.
void* current_gpu_stream(const c10::Device& device);

// Whether Fovea's kernels run on `device`: the CPU references always, GPUs in builds with GPU kernels.
bool kernels_run_on(const c10::Device& device);

}  // namespace fovea::ops
