// A job's observer calls as JSON lines, and back: how a training run in other processes (data-parallel
// workers started by the GUI) reports to an observer in this one. `fovea-cli train --progress-json`
// writes rank 0's progress, steps, epochs (with the confusion matrix), test predictions (with their
// pixels), log lines and summary as one JSON object per line on standard error; the reading side turns
// each line back into the same observer call. States and failures are not streamed: the process's exit
// tells those. Plain C++ (no LibTorch, no Qt).
#pragma once
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "engine/observer.h"

namespace fovea::engine {

// Every call becomes one line (without the newline) given to `write_line`; calls may come from any thread.
class JsonLinesObserver final : public JobObserver {
 public:
  explicit JsonLinesObserver(std::function<void(const std::string& line)> write_line);

  void on_progress(const Progress& p) override;
  void on_step(const StepMetrics& s) override;
  void on_epoch(const EpochMetrics& e) override;
  void on_predictions(const PredictionSamples& samples) override;
  void on_log(log::Level level, const std::string& message) override;
  void on_finished(const TrainSummary& summary) override;

 private:
  void write(const std::string& line);
  std::mutex mutex_;
  std::function<void(const std::string&)> write_line_;
};

// When `line` is one of JsonLinesObserver's, makes its call on `observer` and returns true; any other
// text (a plain log line, a malformed or unknown event) returns false and calls nothing.
bool replay_json_line(std::string_view line, JobObserver& observer);

}  // namespace fovea::engine
