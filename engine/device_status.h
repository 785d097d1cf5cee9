// The compute device as the status bar shows it: which device "auto" (or another request) resolves to,
// a GPU's name and how much of its memory is in use. No LibTorch types: the GUI includes this header
// (and words the status itself).
#pragma once

#include <cstdint>
#include <string>

namespace fovea::engine {

struct ComputeDeviceStatus {
  std::string device;       // "cpu", "cuda:0"
  std::string name;         // the GPU's name; empty on the CPU or when the runtime cannot say
  bool is_gpu = false;
  int64_t used_bytes = -1;  // device-wide memory in use (all processes); -1 when unknown or on the CPU
  int64_t total_bytes = -1;
};

// The first call may take seconds (the GPU runtime starts); later ones are quick. Throws ConfigError
// for a request that names no present device.
ComputeDeviceStatus compute_device_status(const std::string& request = "auto");

// How many CUDA (or ROCm) GPUs this process sees: what "GPUs: N" of data-parallel training may use.
// 0 without a GPU runtime. The first call may take seconds, as above.
int gpu_count();

}  // namespace fovea::engine
