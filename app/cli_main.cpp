// fovea-cli: everything the GUI does, headless, through the same engine calls.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>

#include "app/cli_commands.h"
#include "engine/errors.h"

namespace {

std::string default_run_folder(const std::string& model) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  return "runs/" + model + "-" + stamp;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Fovea: train and inspect image classifiers"};
  app.set_version_flag("--version", std::string("fovea-cli ") + FOVEA_VERSION);
  app.require_subcommand(1);
  bool json = false;

  auto* models = app.add_subcommand("models", "List the models Fovea can build, with parameter counts");
  models->add_flag("--json", json, "Print one JSON object on stdout");

  std::string info_path;
  auto* info = app.add_subcommand("info", "Detect a data set's format and show its classes and counts");
  info->add_option("--data", info_path, "Data set folder or a file in it")->required();
  info->add_flag("--json", json, "Print one JSON object on stdout");

  fovea::engine::TrainConfig config;
  std::string optimizer = "adam", schedule = "cosine";
  bool no_augment = false;
  auto* train = app.add_subcommand("train", "Train a model; a checkpoint is written after every epoch");
  train->add_option("--model", config.model, "Model name (see `fovea-cli models`)")->capture_default_str();
  train->add_flag("--cifar-stem", config.cifar_stem, "ResNet: 3x3 stride-1 stem without max-pool, for small images");
  train->add_option("--data", config.data_path, "Data set folder or a file in it")->required();
  train->add_option("--epochs", config.epochs, "Number of epochs")->capture_default_str();
  train->add_option("--batch-size", config.batch_size, "Images per step")->capture_default_str();
  train->add_option("--lr", config.learning_rate, "Learning rate (default: 0.05 for sgd, 0.001 for adam)");
  train->add_option("--optimizer", optimizer, "sgd or adam")->capture_default_str();
  train->add_option("--momentum", config.momentum, "SGD momentum")->capture_default_str();
  train->add_option("--weight-decay", config.weight_decay, "Weight decay (default: 5e-4 for sgd, 0 for adam)");
  train->add_option("--schedule", schedule, "Learning-rate schedule: constant or cosine")->capture_default_str();
  train->add_flag("--no-augment", no_augment, "Train without random flips and translations");
  train->add_option("--device", config.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  bool fp32 = false;
  train->add_flag("--fp32", fp32, "Train in float32 on a GPU too (default there: bf16 autocast, channels_last)");
  train->add_option("--out", config.output_dir, "Folder for checkpoints (default: runs/MODEL-TIME)");
  train->add_option("--limit-train", config.limit_train, "Use only the first N training images");
  train->add_option("--limit-test", config.limit_test, "Use only the first N test images");
  train->add_option("--seed", config.seed, "Random seed")->capture_default_str();
  train->add_flag("--json", json, "Print one JSON object on stdout");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    if (*models) return fovea::cli::run_models(json);
    if (*info) return fovea::cli::run_info(info_path, json);
    if (*train) {
      config.optimizer = fovea::engine::parse_optimizer(optimizer);
      config.schedule = fovea::engine::parse_schedule(schedule);
      config.augment = !no_augment;
      config.mixed_precision = !fp32;
      if (config.output_dir.empty()) config.output_dir = default_run_folder(config.model);
      return fovea::cli::run_train(config, json);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fovea-cli: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
