// Host-only runtime queries, compiled by nvcc or hipcc with the kernels so that one portability header
// serves both vendors.
#include "kernels/gpu_device_query.h"

#include "kernels/gpu_portability.h"

namespace fovea::kernels {

bool gpu_memory_info(int device, GpuMemoryInfo& info) {
  // cudaMemGetInfo answers for the calling thread's current device: switch to `device` and back.
  int current = 0;
  if (gpuGetDevice(&current) != gpuSuccess) return false;
  if (current != device && gpuSetDevice(device) != gpuSuccess) return false;
  const bool ok = gpuMemGetInfo(&info.free_bytes, &info.total_bytes) == gpuSuccess;
  if (current != device) gpuSetDevice(current);
  return ok;
}

std::string gpu_device_name(int device) {
  gpuDeviceProp properties{};
  if (gpuGetDeviceProperties(&properties, device) != gpuSuccess) return {};
  return properties.name;
}

std::string gpu_runtime_version() {
  int version = 0;
  if (gpuRuntimeGetVersion(&version) != gpuSuccess) return kGpuRuntimeName;
  return std::string(kGpuRuntimeName) + " " + std::to_string(gpuVersionMajor(version)) + "." +
         std::to_string(gpuVersionMinor(version));
}

}  // namespace fovea::kernels
