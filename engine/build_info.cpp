#include "engine/build_info.h"

#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

#include <opencv2/core/version.hpp>

#if defined(FOVEA_HAVE_GPU_KERNELS)
#include "kernels/gpu_device_query.h"
#endif

namespace fovea::engine {

namespace {

#define FOVEA_STRINGIFY_INNER(x) #x
#define FOVEA_STRINGIFY(x) FOVEA_STRINGIFY_INNER(x)

std::string libtorch_gpu_runtime() {
  if (at::hasCUDA()) {
    // CUDART_VERSION encoding: major * 1000 + minor * 10.
    const long cuda = at::detail::getCUDAHooks().versionCUDART();
    return "CUDA " + std::to_string(cuda / 1000) + "." + std::to_string(cuda / 10 % 100);
  }
  return at::hasHIP() ? "ROCm" : "";
}

}  // namespace

BuildInfo build_info() {
  BuildInfo info;
  info.fovea = FOVEA_VERSION;
  info.libtorch = FOVEA_STRINGIFY(TORCH_VERSION_MAJOR) "." FOVEA_STRINGIFY(TORCH_VERSION_MINOR) "." FOVEA_STRINGIFY(
      TORCH_VERSION_PATCH);
  info.libtorch_gpu_runtime = libtorch_gpu_runtime();
#if defined(FOVEA_HAVE_GPU_KERNELS)
  info.kernels_gpu_runtime = kernels::gpu_runtime_version();
#endif
  info.opencv = CV_VERSION;
#if defined(FOVEA_ONNX_VERSION)
  info.onnx = FOVEA_ONNX_VERSION;
#endif
  return info;
}

}  // namespace fovea::engine
