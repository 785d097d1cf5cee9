// What a training checkpoint records (the metadata JSON; the resume state of resume_state.h), and how
// a run starts from a file: continuing a run exactly (resume_from), or new from weights (init_from).
#pragma once
#include <cstdint>
#include <string>

#include <c10/core/Device.h>

#include "engine/training/data_description.h"
#include "engine/observer.h"
#include "engine/train_config.h"

namespace torch::optim {
class Optimizer;
}
namespace fovea::models {
class ImageClassifier;
}

namespace fovea::engine {

class WeightEma;

constexpr int kCheckpointVersion = 2;  // 2: with the resume state

// Where the run stands: epochs completed and optimizer steps done.
struct RunPosition {
  int epoch = 0;
  int64_t step = 0;
  int64_t steps_per_epoch = 0;
  int64_t total_steps = 0;  // of the whole run: the learning-rate schedule's length
};

// The metadata JSON of the checkpoint written after `metrics.epoch` (`config` with its defaults resolved).
std::string training_metadata(const TrainConfig& config, const DataDescription& data, const EpochMetrics& metrics,
                              const RunPosition& position);

// config.resume_from: checks that the checkpoint belongs to a run like this one (model, optimizer, data
// shape, batch size; differences that only break exactness are logged as warnings), then restores the
// weights, the optimizer state and the random generators. Call with the model on its device and the
// optimizer made for it; `ema`, when the run keeps a weight average, gets the saved average. Returns the position the checkpoint was written at.
RunPosition resume_run(const TrainConfig& config, const DataDescription& data, const RunPosition& planned,
                       models::ImageClassifier& model, torch::optim::Optimizer& optimizer, WeightEma* ema,
                       const c10::Device& device, JobObserver& observer);

// config.init_from: loads the weights (strict unless config.init_strict is false; a head of another class
// count replaced) and logs the report.
void init_from_weights(const TrainConfig& config, models::ImageClassifier& model, JobObserver& observer);

}  // namespace fovea::engine
