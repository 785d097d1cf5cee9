// What the GPU runtime (CUDA or HIP) says about a device: its name, its memory and the runtime's version,
// for the status bar and the About dialog. Only in GPU builds (FOVEA_HAVE_GPU_KERNELS); plain types.
#pragma once

#include <cstddef>
#include <string>

namespace fovea::kernels {

struct GpuMemoryInfo {
  size_t free_bytes = 0;
  size_t total_bytes = 0;
};

// Device-wide memory (all processes, as nvidia-smi/rocm-smi count it); false when the runtime cannot say.
bool gpu_memory_info(int device, GpuMemoryInfo& info);
// Empty when the runtime cannot say.
std::string gpu_device_name(int device);
// "CUDA 12.4" or "ROCm HIP 6.0": the runtime the kernels run on.
std::string gpu_runtime_version();

}  // namespace fovea::kernels
