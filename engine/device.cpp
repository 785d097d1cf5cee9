#include "engine/device.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <dlfcn.h>

#include <cstdlib>
#include <thread>

#include "engine/errors.h"

namespace fovea::engine {

c10::Device resolve_device(const std::string& request) {
  if (request.empty() || request == "auto") {
    return torch::cuda::is_available() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
  }
  if (request == "cpu") return c10::Device(c10::kCPU);
  if (request.rfind("cuda", 0) == 0) {
    int index = 0;
    if (request.size() > 4) {
      if (request[4] != ':' || request.size() == 5 || request.find_first_not_of("0123456789", 5) != std::string::npos)
        throw ConfigError("unknown device '" + request + "' (expected auto, cpu, cuda or cuda:N)");
      index = std::stoi(request.substr(5));
    }
    if (!torch::cuda::is_available()) throw ConfigError("device '" + request + "' requested, but no GPU is available");
    if (index >= static_cast<int>(torch::cuda::device_count()))
      throw ConfigError("device '" + request + "' requested, but only " + std::to_string(torch::cuda::device_count()) +
                        " GPU(s) are present");
    return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw ConfigError("unknown device '" + request + "' (expected auto, cpu, cuda or cuda:N)");
}

std::string describe_device(const c10::Device& device) { return device.str(); }

int use_all_cpu_cores() {
  at::init_num_threads();
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  if (std::getenv("OMP_NUM_THREADS") == nullptr && cores > at::get_num_threads()) at::set_num_threads(cores);
  return at::get_num_threads();
}

bool use_one_cpu_core_on_this_thread() {
  at::get_num_threads();  // LibTorch sets each thread's OpenMP count on first use: let it do so first
  // The OpenMP runtime LibTorch was linked with (a renamed copy in pip wheels), found by symbol lookup
  // so that Fovea does not link a second one. omp_set_num_threads affects the calling thread only.
  using SetThreads = void (*)(int);
  const auto set_threads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
  if (set_threads == nullptr) return false;
  set_threads(1);
  return at::get_num_threads() == 1;
}

}  // namespace fovea::engine
