// The fovea-cli subcommands. Each returns the process exit code; errors are reported by cli_main.
#pragma once
#include <string>

#include "engine/eval_job.h"
#include "engine/train_config.h"

namespace fovea::cli {

int run_models(bool json);
int run_info(const std::string& data_path, bool json);
int run_train(const engine::TrainConfig& config, bool json);
int run_eval(const engine::EvalConfig& config, bool json);

}  // namespace fovea::cli
