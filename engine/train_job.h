// Training as an engine job: the GUI and the CLI both start training through these calls.
#pragma once
#include <memory>
#include <string>

#include "engine/job.h"
#include "engine/train_config.h"

namespace fovea::engine {

// A job that trains with `config` on its own thread; reports to `observer` (which must outlive it).
std::unique_ptr<Job> make_train_job(TrainConfig config, JobObserver& observer);

// The training itself, on the calling thread. Throws on errors (the job turns them into on_failed).
TrainSummary train(const TrainConfig& config, JobControl& control, JobObserver& observer);

// The settings of the run that wrote a Fovea checkpoint (its data set path among them), with
// resume_from set to it: what continuing that run starts from. Reads only the file's header. Throws
// CheckpointError naming the file when it is not a Fovea training checkpoint.
TrainConfig recorded_train_config(const std::string& checkpoint);

}  // namespace fovea::engine
