// The versions Fovea was built with, for the About dialog and bug reports. No LibTorch or OpenCV types
// here: the GUI includes this header. An empty string means "not built in"; the GUI words it.
#pragma once

#include <string>

namespace fovea::engine {

struct BuildInfo {
  std::string fovea;                 // "0.1.0"
  std::string libtorch;              // "1.13.0"
  std::string libtorch_gpu_runtime;  // "CUDA 12.1", "ROCm"; empty for a CPU-only LibTorch
  std::string kernels_gpu_runtime;   // Fovea's own kernels: "CUDA 12.4", "ROCm HIP 6.0"; empty in CPU builds
  std::string opencv;                // "4.6.0"
  std::string onnx;                  // empty without ONNX export
};

BuildInfo build_info();

}  // namespace fovea::engine
