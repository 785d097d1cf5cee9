#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>

#include "app/cli_commands.h"
#include "app/cli_console.h"
#include "app/cli_output.h"
#include "engine/data/dataset_info.h"
#include "engine/distributed/dist_env.h"
#include "engine/distributed/local_launcher.h"
#include "engine/errors.h"
#include "engine/job_event_stream.h"
#include "engine/model_catalog.h"
#include "engine/train_job.h"

namespace fovea::cli {
namespace {

void check_model_name(const std::string& name) {
  std::string known;
  for (const engine::ModelInfo& m : engine::model_catalog()) {
    if (m.name == name) return;
    known += (known.empty() ? "" : ", ") + m.name;
  }
  throw engine::ConfigError("unknown model '" + name + "' (known: " + known + ")");
}

volatile std::sig_atomic_t stop_requests = 0;
extern "C" void on_stop_request(int) {
  if (stop_requests < 2) stop_requests = stop_requests + 1;
}

std::string this_program() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) throw engine::Error("cannot find this program's path to start the workers: " + error.message());
  return self.string();
}

}  // namespace

int run_train_workers(const std::vector<std::string>& arguments, int processes) {
  if (engine::read_dist_env())
    throw engine::ConfigError("--gpus " + std::to_string(processes) +
                              " starts its own worker processes, but this process already is one of a distributed run "
                              "(WORLD_SIZE is set): leave out --gpus under torchrun or srun");
  engine::LaunchRequest request;
  request.program = this_program();
  request.arguments = arguments;
  request.processes = processes;
  std::signal(SIGINT, on_stop_request);
  std::signal(SIGTERM, on_stop_request);
  const engine::LaunchOutcome outcome =
      engine::run_local_workers(std::move(request), [] { return static_cast<int>(stop_requests); });
  if (outcome.exit_code == 0) return 0;
  if (outcome.failed_rank < 0) {
    std::fprintf(stderr, "\nfovea-cli: training stopped (%d worker processes)\n", processes);
  } else {
    std::fprintf(stderr, "\nfovea-cli: error: %s\n", outcome.message.c_str());
  }
  return outcome.exit_code;
}

int run_train(const engine::TrainConfig& config, bool json, bool progress_json) {
  // Fail fast, before any work, on the mistakes people make most.
  check_model_name(config.model);
  engine::validate(config);
  engine::check_trainable(engine::probe_dataset(config.data_path));

  // A data-parallel worker (torchrun, srun, --gpus): only rank 0 speaks; the others tell only errors.
  const std::optional<engine::DistEnv> distributed = engine::read_dist_env();
  const bool main_rank = !distributed || distributed->is_main();
  if (!main_rank) log::set_level(log::Level::Error);

  // --progress-json: rank 0's reports become JSON lines on stderr; its log lines go there as events
  // only (the facade keeps just errors, the last line a launcher shows when the process fails).
  const bool stream = progress_json && main_rank;
  engine::JsonLinesObserver events([](const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
    std::fflush(stderr);
  });
  if (stream) log::set_level(log::Level::Error);
  ConsoleObserver observer(stream ? &events : nullptr);
  auto job = engine::make_train_job(config, observer);
  if (const int code = run_to_completion(*job, observer, "training", !main_rank || stream)) return code;
  const auto summary = observer.summary();
  if (!summary) {
    std::fprintf(stderr, "fovea-cli: error: training ended without a summary\n");
    return 1;
  }
  if (!main_rank) return 0;
  if (json) {
    print_json({{"model", config.model},
                {"data", config.data_path},
                {"device", summary->device},
                {"epochs", summary->epochs_completed},
                {"preset", config.preset},
                {"test_accuracy", summary->test_accuracy},
                {"ema_test_accuracy", summary->ema_test_accuracy},
                {"test_loss", summary->test_loss},
                {"train_loss", summary->train_loss},
                {"images_per_second", summary->images_per_second},
                {"seconds", summary->seconds},
                {"timed_seconds", summary->timed_seconds},
                {"checkpoint", summary->checkpoint},
                {"resumed_from", config.resume_from},
                {"initialised_from", config.init_from}});
  } else {
    std::printf("test accuracy %.2f%%, test loss %.4f, train loss %.4f, %.0f images/s, %s\n",
                100 * summary->test_accuracy, summary->test_loss, summary->train_loss, summary->images_per_second,
                summary->checkpoint.empty() ? "no checkpoint" : summary->checkpoint.c_str());
  }
  return 0;
}

}  // namespace fovea::cli
