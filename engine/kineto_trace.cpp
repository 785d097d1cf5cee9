#include "engine/kineto_trace.h"

#include <cstdlib>
#include <set>

#include "engine/log.h"
#include "models/torch_compat.h"
#if FOVEA_TORCH_AT_LEAST(2, 0)
#include <torch/csrc/autograd/profiler_kineto.h>
#endif

namespace fovea::engine {

#if FOVEA_TORCH_AT_LEAST(2, 0)
namespace {
namespace prof = torch::autograd::profiler;
const prof::ProfilerConfig& config() {
  static const prof::ProfilerConfig c(torch::profiler::impl::ProfilerState::KINETO, false, false);
  return c;
}
const std::set<torch::profiler::impl::ActivityType>& activities() {
  static const std::set<torch::profiler::impl::ActivityType> a{torch::profiler::impl::ActivityType::CUDA};
  return a;
}
}  // namespace
#endif

KinetoTrace::KinetoTrace(const char* variable, int64_t first, int64_t count) : first_(first), last_(first + count) {
  const char* value = std::getenv(variable);
  if (value == nullptr) return;
  // FILE, or FILE,FIRST,COUNT to choose the window.
  std::string text = value;
  const size_t comma = text.find(',');
  file_ = text.substr(0, comma);
  if (comma != std::string::npos) {
    char* end = nullptr;
    first_ = std::strtoll(text.c_str() + comma + 1, &end, 10);
    last_ = first_ + (end != nullptr && *end == ',' ? std::strtoll(end + 1, nullptr, 10) : count);
  }
}

KinetoTrace::~KinetoTrace() { before_step(last_); }

void KinetoTrace::before_step(int64_t step) {
#if FOVEA_TORCH_AT_LEAST(2, 0)
  if (file_.empty()) return;
  if (step == first_ && !on_) {
    prof::prepareProfiler(config(), activities());
    prof::enableProfiler(config(), activities());
    on_ = true;
  } else if (step >= last_ && on_) {
    prof::disableProfiler()->save(file_);
    on_ = false;
    file_.clear();
    log::write(log::Level::Info, "trace of steps " + std::to_string(first_) + " to " + std::to_string(last_ - 1) +
                                     " written");
  }
#else
  (void)step;
#endif
}

}  // namespace fovea::engine
