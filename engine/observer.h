// What a running job tells the outside world. Called on the job's own thread: implementations that
// touch a GUI must queue the work onto the GUI thread (see ui/engine_bridge.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/log.h"

namespace fovea::engine {

enum class JobState { Idle, Running, Paused, Cancelling, Finished, Cancelled, Failed };
const char* job_state_name(JobState state);
bool is_terminal(JobState state);

struct Progress {
  int epoch = 0;               // 1-based epoch in progress
  int epochs = 0;
  int64_t step = 0;            // global optimizer steps done
  int64_t total_steps = 0;
  int64_t step_in_epoch = 0;
  int64_t steps_per_epoch = 0;
  double images_per_second = 0;
  double elapsed_seconds = 0;
  double eta_seconds = -1;     // negative while unknown
  std::string phase;           // "train", "evaluate", "checkpoint"
};

struct StepMetrics {
  int64_t step = 0;
  int epoch = 0;
  double train_loss = 0;
  double learning_rate = 0;
};

struct EpochMetrics {
  int epoch = 0;
  double train_loss = 0;
  double train_accuracy = 0;   // 0..1, on the augmented training batches
  double test_loss = 0;
  double test_accuracy = 0;    // 0..1
  double ema_test_loss = 0;    // of the weight average, when the run keeps one (else 0)
  double ema_test_accuracy = 0;
  double learning_rate = 0;    // at the end of the epoch
  double seconds = 0;
  double images_per_second = 0;  // training throughput of this epoch
  int num_classes = 0;
  std::vector<int64_t> confusion;  // row = true class, column = predicted; num_classes^2
  std::string checkpoint;      // written after this epoch, empty if none
};

// An image as 8-bit pixels, row-major HWC (channels 1 or 3).
struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;
};

struct SamplePrediction {
  int64_t index = 0;           // position in the test set
  Image image;
  int label = -1;
  std::vector<int> top_classes;          // best first
  std::vector<float> top_probabilities;  // same order
  bool correct() const { return !top_classes.empty() && top_classes.front() == label; }
};

struct PredictionSamples {
  int epoch = 0;
  std::vector<std::string> class_names;
  std::vector<SamplePrediction> items;
};

struct TrainSummary {
  int epochs_completed = 0;
  double train_loss = 0;
  double test_loss = 0;
  double test_accuracy = 0;
  double ema_test_accuracy = 0;  // 0 without a weight average
  double images_per_second = 0;  // training images per second over the whole run
  double seconds = 0;
  // airbench's timing: the data-dependent initialisation, the training loops and the last evaluation
  // (start-up, the evaluations of earlier epochs and checkpoint writing excluded).
  double timed_seconds = 0;
  double timed_init_seconds = 0, timed_evaluation_seconds = 0;  // its first and last parts
  std::string checkpoint;        // the last one written
  std::string device;
};

// One evaluated image: where it is in the split, its label, the model's five best classes and its loss.
struct ImageResult {
  int64_t position = 0;
  int label = -1;
  std::vector<int> top_classes;          // best first
  std::vector<float> top_probabilities;  // same order
  float loss = 0;                        // cross-entropy of this image
  bool correct() const { return !top_classes.empty() && top_classes.front() == label; }
};

// A job's summary of evaluating a model on a data set (see eval_job.h).
struct EvaluationSummary {
  std::string checkpoint;
  std::string model;
  std::string data;
  std::string split;             // "test", or "train" for a folder data set with one split
  std::string device;
  int64_t images = 0;
  int num_classes = 0;
  double top1 = 0;               // 0..1 (timm prints these as percentages)
  double top5 = 0;               // 0..1; with fewer than 5 classes, top-k of all of them
  double loss = 0;               // mean cross-entropy
  double images_per_second = 0;  // of the evaluation loop, data already in memory
  double seconds = 0;            // the whole job: reading, building, evaluating
  std::vector<std::string> class_names;
  std::vector<int64_t> confusion;  // row = true class, column = predicted; num_classes^2
  std::vector<std::string> notes;  // how the weights were read and loaded, for people
  std::vector<ImageResult> per_image;      // every image, when the configuration asks for them
  std::vector<std::string> image_sources;  // per_image's files (image folders) or "split[i]", same order
};

class JobObserver {
 public:
  virtual ~JobObserver() = default;
  virtual void on_state(JobState) {}
  virtual void on_progress(const Progress&) {}
  virtual void on_step(const StepMetrics&) {}
  virtual void on_epoch(const EpochMetrics&) {}
  virtual void on_predictions(const PredictionSamples&) {}
  virtual void on_log(log::Level, const std::string&) {}
  virtual void on_finished(const TrainSummary&) {}
  virtual void on_evaluated(const EvaluationSummary&) {}
  virtual void on_failed(const std::string& /*message*/) {}
};

// Logs the message and tells the observer: what jobs say to people.
inline void say(JobObserver& observer, log::Level level, const std::string& message) {
  log::write(level, message);
  observer.on_log(level, message);
}

}  // namespace fovea::engine
