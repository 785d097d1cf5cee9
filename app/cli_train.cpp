#include <cstdio>

#include "app/cli_commands.h"
#include "app/cli_console.h"
#include "app/cli_output.h"
#include "engine/data/dataset_info.h"
#include "engine/errors.h"
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

}  // namespace

int run_train(const engine::TrainConfig& config, bool json) {
  // Fail fast, before any work, on the mistakes people make most.
  check_model_name(config.model);
  engine::validate(config);
  engine::check_trainable(engine::probe_dataset(config.data_path));

  ConsoleObserver observer;
  auto job = engine::make_train_job(config, observer);
  if (const int code = run_to_completion(*job, observer, "training")) return code;
  const auto summary = observer.summary();
  if (!summary) {
    std::fprintf(stderr, "fovea-cli: error: training ended without a summary\n");
    return 1;
  }
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
