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
using gpuDeviceProp = hipDeviceProp_t;
inline gpuError_t gpuGetDevice(int* device) { return hipGetDevice(device); }
inline gpuError_t gpuSetDevice(int device) { return hipSetDevice(device); }
inline gpuError_t gpuMemGetInfo(size_t* free, size_t* total) { return hipMemGetInfo(free, total); }
inline gpuError_t gpuGetDeviceProperties(gpuDeviceProp* prop, int device) { return hipGetDeviceProperties(prop, device); }
inline gpuError_t gpuRuntimeGetVersion(int* version) { return hipRuntimeGetVersion(version); }
constexpr const char* kGpuRuntimeName = "ROCm HIP";
// HIP_VERSION encoding: major * 10'000'000 + minor * 100'000 + patch.
inline int gpuVersionMajor(int version) { return version / 10000000; }
inline int gpuVersionMinor(int version) { return version / 100000 % 100; }
#define FOVEA_WARP_SIZE 64  // CDNA wavefronts (gfx90a, gfx942)
#else
#include <cuda_bf16.h>  // the float -> bf16 conversion instructions of sm_80 on
#include <cuda_runtime.h>
using gpuStream_t = cudaStream_t;
using gpuError_t = cudaError_t;
constexpr gpuError_t gpuSuccess = cudaSuccess;
inline gpuError_t gpuGetLastError() { return cudaGetLastError(); }
inline const char* gpuGetErrorString(gpuError_t e) { return cudaGetErrorString(e); }
using gpuDeviceProp = cudaDeviceProp;
inline gpuError_t gpuGetDevice(int* device) { return cudaGetDevice(device); }
inline gpuError_t gpuSetDevice(int device) { return cudaSetDevice(device); }
inline gpuError_t gpuMemGetInfo(size_t* free, size_t* total) { return cudaMemGetInfo(free, total); }
inline gpuError_t gpuGetDeviceProperties(gpuDeviceProp* prop, int device) { return cudaGetDeviceProperties(prop, device); }
inline gpuError_t gpuRuntimeGetVersion(int* version) { return cudaRuntimeGetVersion(version); }
constexpr const char* kGpuRuntimeName = "CUDA";
// CUDART_VERSION encoding: major * 1000 + minor * 10.
inline int gpuVersionMajor(int version) { return version / 1000; }
inline int gpuVersionMinor(int version) { return version / 10 % 100; }
#define FOVEA_WARP_SIZE 32
// Device passes for a GPU that rounds float to bf16 in one instruction (cvt.rn.bf16.f32: to nearest
// even, as bf16.h's software rounding does); there bf16.h uses gpu_float_to_bf16 and gpu_floats_to_bf16x2.
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
#define FOVEA_GPU_BF16_CONVERT 1
#endif
#endif

// __launch_bounds__ with a minimum of resident blocks per multiprocessor, which caps registers per thread.
// HIP's second argument means warps per execution unit instead; the counts here are tuned on NVIDIA
// GPUs, so HIP keeps only the block size.
#if defined(FOVEA_USE_HIP)
#define FOVEA_LAUNCH_BOUNDS(threads, min_blocks_per_sm) __launch_bounds__(threads)
#else
#define FOVEA_LAUNCH_BOUNDS(threads, min_blocks_per_sm) __launch_bounds__(threads, min_blocks_per_sm)
#endif

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace fovea::kernels {

// Warp shuffles of a float, every lane of the warp taking part.
__device__ __forceinline__ float gpu_shuffle_down(float v, int delta) {
#if defined(FOVEA_USE_HIP)
  return __shfl_down(v, delta);
#else
  return __shfl_down_sync(0xffffffffu, v, delta);
#endif
}

__device__ __forceinline__ float gpu_shuffle_xor(float v, int mask) {
#if defined(FOVEA_USE_HIP)
  return __shfl_xor(v, mask);
#else
  return __shfl_xor_sync(0xffffffffu, v, mask);
#endif
}

// The sum of `v` over the warp, in every lane.
__device__ __forceinline__ float gpu_warp_total(float v) {
  for (int mask = FOVEA_WARP_SIZE / 2; mask > 0; mask /= 2) v += gpu_shuffle_xor(v, mask);
  return v;
}

// e^x and 1 / x to a few ulp in one special-function instruction each (for SiLU and sigmoid). On CUDA
// the forms that flush subnormal results to zero: __expf wraps the same instruction in three more that
// keep them, and __fdividef already returns zero for them.
__device__ __forceinline__ float gpu_fast_exp(float x) {
#if defined(FOVEA_USE_HIP)
  return __expf(x);
#else
  float result;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(result) : "f"(x * 1.44269504f));  // log2(e)
  return result;
#endif
}

__device__ __forceinline__ float gpu_fast_reciprocal(float x) {
#if defined(FOVEA_USE_HIP)
  return __builtin_amdgcn_rcpf(x);  // v_rcp_f32; HIP's __fdividef is a full division
#else
  float result;
  asm("rcp.approx.ftz.f32 %0, %1;" : "=f"(result) : "f"(x));
  return result;
#endif
}

// 2^x in one special-function instruction, for exponents pre-scaled by log2(e): saves gpu_fast_exp's
// multiply in a loop. HIP's exp2f would add the range checks that keep subnormal results; older clang
// lacks __builtin_amdgcn_exp2f, so there the device library's native form (__expf uses its e^x sibling).
#if defined(FOVEA_USE_HIP)
#if !__has_builtin(__builtin_amdgcn_exp2f)
extern "C" __device__ __attribute__((pure)) float __ocml_native_exp2_f32(float);  // v_exp_f32 alone
#define FOVEA_OCML_NATIVE_EXP2 1
#endif
#endif

__device__ __forceinline__ float gpu_fast_exp2(float x) {
#if defined(FOVEA_OCML_NATIVE_EXP2)
  return __ocml_native_exp2_f32(x);
#elif defined(FOVEA_USE_HIP)
  return __builtin_amdgcn_exp2f(x);
#else
  float result;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(result) : "f"(x));
  return result;
#endif
}

#if defined(FOVEA_GPU_BF16_CONVERT)
// Rounds to nearest even like float_to_bf16; a NaN becomes the canonical NaN 0x7fff (float_to_bf16
// keeps its sign and payload), so only NaN bit patterns can differ from the CPU's.
__device__ __forceinline__ uint16_t gpu_float_to_bf16(float value) {
  return __bfloat16_as_ushort(__float2bfloat16_rn(value));
}

// Two values rounded into one word in one instruction, `low` in bits 0-15.
__device__ __forceinline__ uint32_t gpu_floats_to_bf16x2(float low, float high) {
  const __nv_bfloat162 pair = __floats2bfloat162_rn(low, high);
  uint32_t word;
  memcpy(&word, &pair, sizeof word);
  return word;
}
#endif

// Throws with the kernel's name if the launch failed.
inline void check_launch(const char* kernel) {
  const gpuError_t error = gpuGetLastError();
  if (error != gpuSuccess) throw std::runtime_error(std::string(kernel) + " launch failed: " + gpuGetErrorString(error));
}

}  // namespace fovea::kernels
