#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "engine/data/dataset_info.h"
#include "engine/errors.h"
#include "engine/model_catalog.h"
#include "engine/train_job.h"

namespace fovea::cli {
namespace {

volatile std::sig_atomic_t interrupted = 0;
// The first Ctrl-C (or SIGTERM) cancels the job after the step in flight; a second one exits at once.
extern "C" void on_interrupt(int) {
  if (interrupted) std::_Exit(130);
  interrupted = 1;
}

// Progress on stderr, one line per epoch; a live line that is rewritten in a terminal.
class ConsoleObserver : public engine::JobObserver {
 public:
  void on_progress(const engine::Progress& p) override {
    std::fprintf(stderr, "\repoch %d/%d  step %lld/%lld  %.0f img/s  ETA %s   ", p.epoch, p.epochs,
                 static_cast<long long>(p.step_in_epoch), static_cast<long long>(p.steps_per_epoch),
                 p.images_per_second, format_duration(p.eta_seconds).c_str());
    std::fflush(stderr);
  }
  void on_log(log::Level, const std::string&) override {
    std::fprintf(stderr, "\r");  // the facade prints the line itself; start it at column 0
  }
  void on_finished(const engine::TrainSummary& summary) override {
    std::lock_guard lock(mutex_);
    summary_ = summary;
  }
  void on_failed(const std::string& message) override {
    std::lock_guard lock(mutex_);
    failure_ = message;
  }
  std::optional<engine::TrainSummary> summary() {
    std::lock_guard lock(mutex_);
    return summary_;
  }
  std::string failure() {
    std::lock_guard lock(mutex_);
    return failure_;
  }

 private:
  std::mutex mutex_;
  std::optional<engine::TrainSummary> summary_;
  std::string failure_;
};

void check_model_name(const std::string& name) {
  std::string known;
  for (const engine::ModelInfo& m : engine::model_catalog()) {
    if (m.name == name) return;
    known += (known.empty() ? "" : ", ") + m.name;
  }
  throw engine::ConfigError("unknown model '" + name + "' (known: " + known + ")");
}

}  // namespace

int run_train(const engine::TrainConfig& config, bool json) {
  // Fail fast, before any work, on the mistakes people make most.
  check_model_name(config.model);
  engine::validate(config);
  engine::check_trainable(engine::probe_dataset(config.data_path));

  ConsoleObserver observer;
  auto job = engine::make_train_job(config, observer);
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  job->start();
  while (!engine::is_terminal(job->state())) {
    if (interrupted) job->cancel();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  job->wait();
  std::fprintf(stderr, "\n");
  if (job->state() == engine::JobState::Cancelled) {
    std::fprintf(stderr, "fovea-cli: training cancelled\n");
    return 130;
  }
  const auto summary = observer.summary();
  if (job->state() == engine::JobState::Failed || !summary) {
    std::fprintf(stderr, "fovea-cli: error: %s\n", observer.failure().c_str());
    return 1;
  }
  if (json) {
    print_json({{"model", config.model},
                {"data", config.data_path},
                {"device", summary->device},
                {"epochs", summary->epochs_completed},
                {"test_accuracy", summary->test_accuracy},
                {"test_loss", summary->test_loss},
                {"train_loss", summary->train_loss},
                {"images_per_second", summary->images_per_second},
                {"seconds", summary->seconds},
                {"checkpoint", summary->checkpoint}});
  } else {
    std::printf("test accuracy %.2f%%, test loss %.4f, train loss %.4f, %.0f images/s, %s\n",
                100 * summary->test_accuracy, summary->test_loss, summary->train_loss, summary->images_per_second,
                summary->checkpoint.empty() ? "no checkpoint" : summary->checkpoint.c_str());
  }
  return 0;
}

}  // namespace fovea::cli
