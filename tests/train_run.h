// Runs a training job to its end, for tests: every run goes through a job, so that each trains on a
// fresh thread set up the same way. `stop_after` > 0 cancels the run once that epoch's checkpoint is written.
#pragma once
#include <memory>

#include "collecting_observer.h"
#include "engine/train_job.h"

namespace fovea::testing {

inline engine::JobState run_training(const engine::TrainConfig& config, CollectingObserver& observer,
                                     int stop_after = 0) {
  std::unique_ptr<engine::Job> job;
  if (stop_after > 0) {
    observer.after_epoch = [&](const engine::EpochMetrics& m) {
      if (m.epoch == stop_after) job->cancel();
    };
  }
  job = engine::make_train_job(config, observer);
  job->start();
  job->wait();
  return job->state();
}

}  // namespace fovea::testing
