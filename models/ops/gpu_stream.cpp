#include "models/ops/gpu_stream.h"

#include <c10/util/Exception.h>

#if defined(FOVEA_GPU_CUDA)
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAStream.h>
#elif defined(FOVEA_GPU_ROCM)
#include <ATen/hip/impl/HIPStreamMasqueradingAsCUDA.h>
#include <c10/hip/HIPFunctions.h>
#endif

namespace fovea::ops {

void* current_gpu_stream(const c10::Device& device) {
#if defined(FOVEA_GPU_CUDA)
  c10::cuda::set_device(device.index());
  return c10::cuda::getCurrentCUDAStream(device.index()).stream();
#elif defined(FOVEA_GPU_ROCM)
  c10::hip::set_device(device.index());
  return at::hip::getCurrentHIPStreamMasqueradingAsCUDA(device.index()).stream();
#else
  TORCH_CHECK(false, "this build of Fovea has no GPU kernels (device ", device.str(), ")");
#endif
}

bool kernels_run_on(const c10::Device& device) {
#if defined(FOVEA_HAVE_GPU_KERNELS)
  return device.is_cpu() || device.is_cuda();
#else
  return device.is_cpu();
#endif
}

}  // namespace fovea::ops
