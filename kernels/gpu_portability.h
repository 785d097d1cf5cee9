// The one place that knows whether kernels are compiled for CUDA (nvcc) or HIP (hipcc).
// Kernels use the gpu* names and the feature predicates below, never vendor checks of their own.
#pragma once

#if defined(FOVEA_USE_HIP)
#include <hip/hip_runtime.h>
using gpuStream_t = hipStream_t;
using gpuError_t = hipError_t;
constexpr gpuError_t gpuSuccess = hipSuccess;
inline gpuError_t gpuGetLastError() { return hipGetLastError(); }
inline const char* gpuGetErrorString(gpuError_t e) { return hipGetErrorString(e); }
#define FOVEA_WARP_SIZE 64  // CDNA wavefronts (gfx90a, gfx942)
#else
#include <cuda_runtime.h>
using gpuStream_t = cudaStream_t;
using gpuError_t = cudaError_t;
constexpr gpuError_t gpuSuccess = cudaSuccess;
inline gpuError_t gpuGetLastError() { return cudaGetLastError(); }
inline const char* gpuGetErrorString(gpuError_t e) { return cudaGetErrorString(e); }
#define FOVEA_WARP_SIZE 32
#endif

#include <stdexcept>
#include <string>

namespace fovea::kernels {

// Throws with the kernel's name if the launch failed.
inline void check_launch(const char* kernel) {
  const gpuError_t error = gpuGetLastError();
  if (error != gpuSuccess) throw std::runtime_error(std::string(kernel) + " launch failed: " + gpuGetErrorString(error));
}

}  // namespace fovea::kernels
