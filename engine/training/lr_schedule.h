// Learning rate as a function of the optimizer step.
#pragma once
#include <cmath>
#include <cstdint>

#include "engine/train_config.h"

namespace fovea::engine {

// Cosine decays from `base` at step 0 to 0 after `total_steps` steps.
inline double learning_rate_at(LrSchedule schedule, double base, int64_t step, int64_t total_steps) {
  if (schedule == LrSchedule::Constant || total_steps <= 0) return base;
  const double progress = static_cast<double>(step) / static_cast<double>(total_steps);
  return base * 0.5 * (1.0 + std::cos(3.14159265358979323846 * progress));
}

}  // namespace fovea::engine
