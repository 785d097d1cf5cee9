// Choosing the compute device from user text: "auto", "cpu", "cuda" or "cuda:N".
#pragma once
#include <cstdint>
#include <exception>
#include <string>

#include <c10/core/Device.h>

namespace fovea::engine {

// Throws ConfigError when the text is not a device or the device is not present.
c10::Device resolve_device(const std::string& request);
std::string describe_device(const c10::Device& device);

// Sets the calling thread's intra-op thread count to the number of cores unless OMP_NUM_THREADS
// says otherwise (the OpenMP runtime on some machines defaults to one); returns the count.
int use_all_cpu_cores();

// Makes LibTorch's CPU ops on the calling thread run on that thread alone, for worker threads that
// already run one per core (image decoding): without it each would start a full OpenMP team.
// Returns false when the OpenMP runtime could not be reached (the ops then stay parallel).
bool use_one_cpu_core_on_this_thread();

// A LibTorch error that says the device ran out of memory (CUDA's out-of-memory error, or an allocation
// LibTorch could not make), turned into advice: what ran out, at which batch size, and what to try.
// Empty when `error` is something else.
std::string out_of_memory_advice(const std::exception& error, const std::string& task, int64_t batch_size);

}  // namespace fovea::engine
