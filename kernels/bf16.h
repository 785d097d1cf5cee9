// bfloat16 as raw 16-bit patterns, converted the same way on the host and in GPU kernels
// (round to nearest even), so that CPU references and kernels agree bit for bit on conversions
// (of NaNs, only in that a NaN comes out).
#pragma once
#include <cstdint>
#include <cstring>

#include "kernels/random.h"  // FOVEA_HOST_DEVICE

#if defined(__CUDACC__) || defined(__HIPCC__)
#include "kernels/gpu_portability.h"  // FOVEA_GPU_BF16_CONVERT: the device's own rounding
#endif

namespace fovea::kernels {

FOVEA_HOST_DEVICE float bf16_to_float(uint16_t bits) {
  const uint32_t word = static_cast<uint32_t>(bits) << 16;
  float value;
  memcpy(&value, &word, sizeof value);
  return value;
}

// Rounds to nearest even; a NaN stays a NaN (quiet; on GPUs that convert in hardware, the canonical one).
FOVEA_HOST_DEVICE uint16_t float_to_bf16(float value) {
#if defined(FOVEA_GPU_BF16_CONVERT)
  return gpu_float_to_bf16(value);  // one instruction instead of about eight
#elif defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
  // The host's rounding with a select for its branch (equal on all 2^32 inputs): no divergent paths.
  uint32_t word;
  memcpy(&word, &value, sizeof word);
  const uint32_t rounded = (word + 0x7fffu + ((word >> 16) & 1u)) >> 16, quiet_nan = (word >> 16) | 0x40u;
  return static_cast<uint16_t>((word & 0x7fffffffu) > 0x7f800000u ? quiet_nan : rounded);
#else
  uint32_t word;
  memcpy(&word, &value, sizeof word);
  if ((word & 0x7f800000u) == 0x7f800000u && (word & 0x007fffffu)) return static_cast<uint16_t>((word >> 16) | 0x40);  // NaN
  word += 0x7fffu + ((word >> 16) & 1u);
  return static_cast<uint16_t>(word >> 16);
#endif
}

// Two values rounded into one word, `low` in bits 0-15 (its first element in memory).
FOVEA_HOST_DEVICE uint32_t floats_to_bf16x2(float low, float high) {
#if defined(FOVEA_GPU_BF16_CONVERT)
  return gpu_floats_to_bf16x2(low, high);
#else
  return float_to_bf16(low) | static_cast<uint32_t>(float_to_bf16(high)) << 16;
#endif
}

}  // namespace fovea::kernels
