// Running an engine job from the terminal: progress on stderr, Ctrl-C cancels, the outcome kept for
// the subcommand to print.
#pragma once
#include <mutex>
#include <optional>
#include <string>

#include "engine/job.h"

namespace fovea::cli {

// Progress on stderr, one line per epoch; a live line that is rewritten in a terminal.
// With `relay` (--progress-json), progress, metrics, predictions and log lines go to it instead.
class ConsoleObserver : public engine::JobObserver {
 public:
  explicit ConsoleObserver(engine::JobObserver* relay = nullptr) : relay_(relay) {}
  void on_progress(const engine::Progress& p) override;
  void on_step(const engine::StepMetrics& s) override;
  void on_epoch(const engine::EpochMetrics& e) override;
  void on_predictions(const engine::PredictionSamples& s) override;
  void on_log(log::Level, const std::string&) override;
  void on_finished(const engine::TrainSummary& summary) override;
  void on_evaluated(const engine::EvaluationSummary& summary) override;
  void on_failed(const std::string& message) override;

  std::optional<engine::TrainSummary> summary();
  std::optional<engine::EvaluationSummary> evaluation();
  std::string failure();

 private:
  engine::JobObserver* relay_;
  std::mutex mutex_;
  std::optional<engine::TrainSummary> summary_;
  std::optional<engine::EvaluationSummary> evaluation_;
  std::string failure_;
};

// Starts the job and waits for it; the first Ctrl-C (or SIGTERM) cancels it after the step in flight, a
// second one exits at once. Returns 0 when it finished, else the exit code after telling stderr why
// (130 cancelled, 1 failed). `quiet`: only a failure is told (data-parallel ranks other than 0).
int run_to_completion(engine::Job& job, ConsoleObserver& observer, const char* what, bool quiet = false);

}  // namespace fovea::cli
