// A JobObserver that keeps everything it hears, for tests (callbacks come from the job's thread).
#pragma once
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/observer.h"

namespace fovea::testing {

class CollectingObserver : public engine::JobObserver {
 public:
  void on_state(engine::JobState s) override { add(states, s); }
  void on_step(const engine::StepMetrics& m) override { add(steps, m); }
  void on_progress(const engine::Progress& p) override { add(progress, p); }
  void on_predictions(const engine::PredictionSamples& s) override { add(predictions, s); }
  void on_log(log::Level, const std::string& message) override { add(logs, message); }
  void on_epoch(const engine::EpochMetrics& m) override {
    add(epochs, m);
    if (after_epoch) after_epoch(m);  // outside the lock: it may call back into the job
  }
  void on_finished(const engine::TrainSummary& s) override {
    std::lock_guard lock(mutex);
    summary = s;
  }
  void on_evaluated(const engine::EvaluationSummary& s) override {
    std::lock_guard lock(mutex);
    evaluation = s;
  }
  void on_failed(const std::string& m) override {
    std::lock_guard lock(mutex);
    failure = m;
  }

  std::vector<double> losses() {
    std::lock_guard lock(mutex);
    std::vector<double> out;
    for (const auto& s : steps) out.push_back(s.train_loss);
    return out;
  }
  bool logged(const std::string& text) {
    std::lock_guard lock(mutex);
    for (const auto& line : logs) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::string all_logs() {
    std::lock_guard lock(mutex);
    std::string out;
    for (const auto& line : logs) out += line + "\n";
    return out;
  }

  std::function<void(const engine::EpochMetrics&)> after_epoch;
  std::mutex mutex;
  std::vector<engine::JobState> states;
  std::vector<engine::StepMetrics> steps;
  std::vector<engine::Progress> progress;
  std::vector<engine::PredictionSamples> predictions;
  std::vector<engine::EpochMetrics> epochs;
  std::vector<std::string> logs;
  std::optional<engine::TrainSummary> summary;
  std::optional<engine::EvaluationSummary> evaluation;
  std::string failure;

 private:
  template <typename T>
  void add(std::vector<T>& list, const T& item) {
    std::lock_guard lock(mutex);
    list.push_back(item);
  }
};

}  // namespace fovea::testing
