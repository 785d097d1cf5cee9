#include <cstdio>

#include "app/cli_commands.h"
#include "app/cli_output.h"
#include "engine/model_catalog.h"
#include "engine/training/presets.h"

namespace fovea::cli {

int run_models(bool json) {
  const auto& catalog = engine::model_catalog();
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const engine::ModelInfo& m : catalog) {
      list.push_back({{"name", m.name},
                      {"family", m.family},
                      {"description", m.description},
                      {"parameters", engine::model_parameter_count(m.name)},
                      {"defaults",
                       {{"input_size", m.input_size},
                        {"crop_pct", m.crop_pct},
                        {"interpolation", m.interpolation},
                        {"mean", m.mean},
                        {"std", m.std},
                        {"num_classes", 1000}}}});
    }
    print_json({{"models", list}});
    return 0;
  }
  std::printf("%-18s %14s  %s\n", "model", "parameters", "description");
  for (const engine::ModelInfo& m : catalog) {
    std::printf("%-18s %14s  %s\n", m.name.c_str(), format_count(engine::model_parameter_count(m.name)).c_str(), m.description.c_str());
  }
  return 0;
}

int run_presets(bool json) {
  nlohmann::json list = nlohmann::json::array();
  for (const engine::TrainPreset& preset : engine::train_presets()) {
    engine::TrainConfig c;
    preset.apply(c);
    if (!json) {
      std::printf("%-20s %s\n", preset.name.c_str(), preset.description.c_str());
      continue;
    }
    list.push_back({{"name", preset.name},
                    {"description", preset.description},
                    {"model", c.model},
                    {"optimizer", engine::optimizer_name(c.optimizer)},
                    {"learning_rate", c.learning_rate},
                    {"weight_decay", c.weight_decay},
                    {"schedule", engine::schedule_name(c.schedule)},
                    {"batch_size", c.batch_size},
                    {"epochs", c.epochs}});
  }
  if (json) print_json({{"presets", list}});
  return 0;
}

}  // namespace fovea::cli
