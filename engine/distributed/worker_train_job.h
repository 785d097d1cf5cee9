// Data-parallel training in local worker processes as an engine job: what the GUI runs for "GPUs: N".
// The job starts N `fovea-cli train ... --progress-json` processes through LocalLauncher (one per GPU, or
// per CPU share over Gloo) and turns rank 0's JSON lines (engine/job_event_stream.h) back into observer
// calls, so the reduced metrics, the test predictions and the summary arrive exactly as from an
// in-process training job. Cancel stops every worker (SIGTERM, SIGKILL after the grace period); a
// failing rank fails the job with the launcher's message ("rank R of N exited with code C: <its last
// error line>"). The job cannot pause: its thread only watches the workers, so callers keep Pause off.
// No LibTorch and no Qt here.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/job.h"
#include "engine/train_config.h"

namespace fovea::engine {

struct WorkerTrainRequest {
  std::string program;  // fovea-cli (an absolute path: it is executed, not looked up)
  TrainConfig config;
  int processes = 2;
  std::vector<std::pair<std::string, std::string>> environment;  // more variables for every worker
  std::chrono::milliseconds grace{10000};                         // from SIGTERM to SIGKILL when stopping
};

// The `fovea-cli` arguments ("train" first) that train with `config`: every field the command line
// has an option for. The preset is not passed (its recipe is already in the fields), nor what the
// command line cannot set (sample_predictions keeps its default).
std::vector<std::string> train_command_line(const TrainConfig& config);

// A job that runs `request` and reports to `observer` (which must outlive it).
std::unique_ptr<Job> make_worker_train_job(WorkerTrainRequest request, JobObserver& observer);

}  // namespace fovea::engine
