#include "engine/device_status.h"

#include <torch/cuda.h>

#include "engine/device.h"

#if defined(FOVEA_HAVE_GPU_KERNELS)
#include "kernels/gpu_device_query.h"
#endif

namespace fovea::engine {

ComputeDeviceStatus compute_device_status(const std::string& request) {
  const c10::Device device = resolve_device(request);
  ComputeDeviceStatus status;
  status.device = describe_device(device);
  status.is_gpu = device.is_cuda();
#if defined(FOVEA_HAVE_GPU_KERNELS)
  if (status.is_gpu) {
    const int index = device.has_index() ? device.index() : 0;
    if (std::string name = kernels::gpu_device_name(index); !name.empty()) status.name = std::move(name);
    if (kernels::GpuMemoryInfo memory; kernels::gpu_memory_info(index, memory)) {
      status.total_bytes = int64_t(memory.total_bytes);
      status.used_bytes = int64_t(memory.total_bytes - memory.free_bytes);
    }
  }
#endif
  return status;
}

int gpu_count() {
  try {
    return static_cast<int>(torch::cuda::device_count());
  } catch (const std::exception&) {  // a GPU runtime that fails to start counts no GPUs
    return 0;
  }
}

}  // namespace fovea::engine
