#include "engine/device.h"

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <torch/cuda.h>

#include <dlfcn.h>

#include <algorithm>
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


std::string out_of_memory_advice(const std::exception& error, const std::string& task, int64_t batch_size) {
  const std::string text = error.what();
  const bool out_of_memory = dynamic_cast<const c10::OutOfMemoryError*>(&error) != nullptr ||
                             text.find("out of memory") != std::string::npos ||
                             text.find("not enough memory") != std::string::npos;
  if (!out_of_memory) return {};
  // LibTorch's first two sentences ("CUDA out of memory. Tried to allocate 64.00 GiB"); the rest is advice
  // for Python users.
  std::string first_line = text.substr(0, text.find('\n'));
  const size_t first_stop = first_line.find(". ");
  const size_t second_stop = first_stop == std::string::npos ? first_stop : first_line.find(". ", first_stop + 2);
  if (second_stop != std::string::npos) first_line.resize(second_stop);
  return "out of memory while " + task + " with batch size " + std::to_string(batch_size) + " (" + first_line +
         "); try a batch size of " + std::to_string(std::max<int64_t>(1, batch_size / 2)) +
         " or less, or a smaller model or image size. The job's memory has been given back.";
}

}  // namespace fovea::engine
