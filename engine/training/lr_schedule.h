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
  double warmup_from = 0;       // > 0: step 0 gets this fraction of `base` instead (airbench's triangle)
  double final_fraction = 0;    // Cosine and Linear end at this fraction of `base`
  int64_t decay_every = 0;      // Step: steps between decays
  double gamma = 0.1;           // Step: factor per decay
};

inline ScheduleShape schedule_shape(const TrainConfig& config, int64_t steps_per_epoch) {
  ScheduleShape s;
  s.kind = config.schedule;
  s.total_steps = total_train_steps(config, steps_per_epoch);
  s.warmup_steps = static_cast<int64_t>(std::llround(config.warmup_epochs * static_cast<double>(steps_per_epoch)));
  s.warmup_from = config.warmup_from;
  s.final_fraction = config.final_lr_fraction;
  s.decay_every = static_cast<int64_t>(config.step_epochs) * steps_per_epoch;
  s.gamma = config.step_gamma;
  return s;
}

// Cosine and linear decay from `base` right after the warm-up to base * final_fraction at `total_steps`;
// Step multiplies by gamma every `decay_every` steps counted from step 0 (as PyTorch's StepLR counts epochs).
// With warmup_from and final_fraction, Linear is airbench94's triangle: np.interp(step, [0, warm-up, total],
// [from, 1, final]).
inline double learning_rate_at(const ScheduleShape& s, double base, int64_t step) {
  if (step < s.warmup_steps) {
    const double rise = static_cast<double>(step) / static_cast<double>(s.warmup_steps);
    if (s.warmup_from > 0) return base * (s.warmup_from + (1.0 - s.warmup_from) * rise);
    return base * static_cast<double>(step + 1) / static_cast<double>(s.warmup_steps);
  }
  const int64_t span = s.total_steps - s.warmup_steps;
  const double progress = span > 0 ? static_cast<double>(step - s.warmup_steps) / static_cast<double>(span) : 0.0;
  const double low = s.final_fraction;
  switch (s.kind) {
    case LrSchedule::Constant: return base;
    case LrSchedule::Cosine: return base * (low + (1.0 - low) * 0.5 * (1.0 + std::cos(3.14159265358979323846 * progress)));
    case LrSchedule::Linear: return base * (1.0 - (1.0 - low) * progress);
    case LrSchedule::Step:
      return base * std::pow(s.gamma, static_cast<double>(s.decay_every > 0 ? step / s.decay_every : 0));
  }
  return base;
}

}  // namespace fovea::engine
