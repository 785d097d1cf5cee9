// bfloat16 as raw 16-bit patterns, converted the same way on the host and in GPU kernels
// (round to nearest even), so that CPU references and kernels agree bit for bit on conversions.
#pragma once
#include <cstdint>
#include <cstring>

#include "kernels/random.h"  // FOVEA_HOST_DEVICE

namespace fovea::kernels {

FOVEA_HOST_DEVICE float bf16_to_float(uint16_t bits) {
  const uint32_t word = static_cast<uint32_t>(bits) << 16;
  float value;
  memcpy(&value, &word, sizeof value);
  return value;
}

FOVEA_HOST_DEVICE uint16_t float_to_bf16(float value) {
  uint32_t word;
  memcpy(&word, &value, sizeof word);
  if ((word & 0x7f800000u) == 0x7f800000u && (word & 0x007fffffu)) return static_cast<uint16_t>((word >> 16) | 0x40);  // NaN
  word += 0x7fffu + ((word >> 16) & 1u);
  return static_cast<uint16_t>(word >> 16);
}

}  // namespace fovea::kernels
