// Learning rate as a function of the optimizer step: an optional linear warm-up, then the schedule.
#pragma once
#include <cmath>
#include <cstdint>

#include "engine/train_config.h"

namespace fovea::engine {

struct ScheduleShape {
  LrSchedule kind = LrSchedule::Cosine;
  int64_t total_steps = 0;
  int64_t warmup_steps = 0;     // the rate rises linearly to `base` over these steps (step 0 gets base/warmup)
  int64_t decay_every = 0;      // Step: steps between decays
  double gamma = 0.1;           // Step: factor per decay
};

inline ScheduleShape schedule_shape(const TrainConfig& config, int64_t steps_per_epoch) {
  ScheduleShape s;
  s.kind = config.schedule;
  s.total_steps = steps_per_epoch * config.epochs;
  s.warmup_steps = static_cast<int64_t>(std::llround(config.warmup_epochs * static_cast<double>(steps_per_epoch)));
  s.decay_every = static_cast<int64_t>(config.step_epochs) * steps_per_epoch;
  s.gamma = config.step_gamma;
  return s;
}

// Cosine and linear decay from `base` right after the warm-up to 0 at `total_steps`; Step multiplies by
// gamma every `decay_every` steps counted from step 0 (as PyTorch's StepLR counts epochs).
inline double learning_rate_at(const ScheduleShape& s, double base, int64_t step) {
  if (step < s.warmup_steps) return base * static_cast<double>(step + 1) / static_cast<double>(s.warmup_steps);
  const int64_t span = s.total_steps - s.warmup_steps;
  const double progress = span > 0 ? static_cast<double>(step - s.warmup_steps) / static_cast<double>(span) : 0.0;
  switch (s.kind) {
    case LrSchedule::Constant: return base;
    case LrSchedule::Cosine: return base * 0.5 * (1.0 + std::cos(3.14159265358979323846 * progress));
    case LrSchedule::Linear: return base * (1.0 - progress);
    case LrSchedule::Step:
      return base * std::pow(s.gamma, static_cast<double>(s.decay_every > 0 ? step / s.decay_every : 0));
  }
  return base;
}

}  // namespace fovea::engine
