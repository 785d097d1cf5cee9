// A Chrome trace (Kineto: GPU kernels, memory copies and CUDA runtime calls of every thread) of a window
// of steps in a loop, asked for through an environment variable, for profiling on GPU machines. LibTorch
// 2.x only; with 1.13 (Debian) it does nothing.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

namespace fovea::engine {

class KinetoTrace {
 public:
  // `variable` holds FILE (steps [first, first + count) traced) or FILE,FIRST,COUNT. Nothing when unset.
  KinetoTrace(const char* variable, int64_t first, int64_t count);
  ~KinetoTrace();
  KinetoTrace(const KinetoTrace&) = delete;
  KinetoTrace& operator=(const KinetoTrace&) = delete;

  // Call before each step with its index (0, 1, ...): starts and stops the trace, writes the file.
  void before_step(int64_t step);

 private:
  std::string file_;
  int64_t first_, last_;
  bool on_ = false;
};

}  // namespace fovea::engine
