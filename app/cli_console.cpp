#include "app/cli_console.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "app/cli_output.h"

namespace fovea::cli {
namespace {

volatile std::sig_atomic_t interrupted = 0;
extern "C" void on_interrupt(int) {
  if (interrupted) std::_Exit(130);
  interrupted = 1;
}

}  // namespace

void ConsoleObserver::on_progress(const engine::Progress& p) {
  if (relay_) return relay_->on_progress(p);
  if (p.epochs > 0) {
    std::fprintf(stderr, "\repoch %d/%d  step %lld/%lld  %.0f img/s  ETA %s   ", p.epoch, p.epochs,
                 static_cast<long long>(p.step_in_epoch), static_cast<long long>(p.steps_per_epoch), p.images_per_second,
                 format_duration(p.eta_seconds).c_str());
  } else {  // evaluation: batches
    std::fprintf(stderr, "\r%s  batch %lld/%lld  %.0f img/s  ETA %s   ", p.phase.c_str(), static_cast<long long>(p.step),
                 static_cast<long long>(p.total_steps), p.images_per_second, format_duration(p.eta_seconds).c_str());
  }
  std::fflush(stderr);
}

void ConsoleObserver::on_step(const engine::StepMetrics& s) {
  if (relay_) relay_->on_step(s);
}

void ConsoleObserver::on_epoch(const engine::EpochMetrics& e) {
  if (relay_) relay_->on_epoch(e);
}

void ConsoleObserver::on_predictions(const engine::PredictionSamples& s) {
  if (relay_) relay_->on_predictions(s);
}

void ConsoleObserver::on_log(log::Level level, const std::string& message) {
  if (relay_) return relay_->on_log(level, message);
  std::fprintf(stderr, "\r");  // the facade prints the line itself; start it at column 0
}

void ConsoleObserver::on_finished(const engine::TrainSummary& summary) {
  {
    std::lock_guard lock(mutex_);
    summary_ = summary;
  }
  if (relay_) relay_->on_finished(summary);
}

void ConsoleObserver::on_evaluated(const engine::EvaluationSummary& summary) {
  std::lock_guard lock(mutex_);
  evaluation_ = summary;
}

void ConsoleObserver::on_failed(const std::string& message) {
  std::lock_guard lock(mutex_);
  failure_ = message;
}

std::optional<engine::TrainSummary> ConsoleObserver::summary() {
  std::lock_guard lock(mutex_);
  return summary_;
}

std::optional<engine::EvaluationSummary> ConsoleObserver::evaluation() {
  std::lock_guard lock(mutex_);
  return evaluation_;
}

std::string ConsoleObserver::failure() {
  std::lock_guard lock(mutex_);
  return failure_;
}

int run_to_completion(engine::Job& job, ConsoleObserver& observer, const char* what, bool quiet) {
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  job.start();
  while (!engine::is_terminal(job.state())) {
    if (interrupted) job.cancel();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  job.wait();
  if (!quiet) std::fprintf(stderr, "\n");
  if (job.state() == engine::JobState::Cancelled) {
    if (!quiet) std::fprintf(stderr, "fovea-cli: %s cancelled\n", what);
    return 130;
  }
  if (job.state() == engine::JobState::Failed) {
    std::fprintf(stderr, "fovea-cli: error: %s\n", observer.failure().c_str());
    return 1;
  }
  return 0;
}

}  // namespace fovea::cli
