#include "engine/train_config.h"

#include <cmath>

#include "engine/errors.h"

namespace fovea::engine {

double default_learning_rate(OptimizerKind kind) { return kind == OptimizerKind::Sgd ? 0.05 : 1e-3; }

double default_weight_decay(OptimizerKind kind) { return kind == OptimizerKind::Sgd ? 5e-4 : 0.0; }

const char* optimizer_name(OptimizerKind kind) { return kind == OptimizerKind::Sgd ? "sgd" : "adam"; }

const char* schedule_name(LrSchedule schedule) {
  return schedule == LrSchedule::Constant ? "constant" : "cosine";
}

std::vector<std::string> optimizer_names() { return {"sgd", "adam"}; }

OptimizerKind parse_optimizer(const std::string& text) {
  if (text == "sgd") return OptimizerKind::Sgd;
  if (text == "adam") return OptimizerKind::Adam;
  throw ConfigError("unknown optimizer '" + text + "' (expected sgd or adam)");
}

LrSchedule parse_schedule(const std::string& text) {
  if (text == "constant") return LrSchedule::Constant;
  if (text == "cosine") return LrSchedule::Cosine;
  throw ConfigError("unknown learning-rate schedule '" + text + "' (expected constant or cosine)");
}

void validate(const TrainConfig& c) {
  if (c.data_path.empty()) throw ConfigError("no data set given");
  if (c.epochs < 1) throw ConfigError("epochs must be at least 1, got " + std::to_string(c.epochs));
  if (c.batch_size < 1) throw ConfigError("batch size must be at least 1, got " + std::to_string(c.batch_size));
  if (!std::isfinite(c.learning_rate) || c.learning_rate < 0)
    throw ConfigError("learning rate must be a non-negative number, got " + std::to_string(c.learning_rate));
  if (c.limit_train < 0 || c.limit_test < 0) throw ConfigError("limits must not be negative");
  if (c.sample_predictions < 0) throw ConfigError("sample prediction count must not be negative");
  if (!c.resume_from.empty() && !c.init_from.empty())
    throw ConfigError("resume_from and init_from exclude each other: resume continues a run, init starts a new one");
}

}  // namespace fovea::engine
