#include "engine/train_config.h"

#include <cmath>
#include <cstdio>

#include "engine/errors.h"

namespace fovea::engine {

double default_learning_rate(OptimizerKind kind) { return kind == OptimizerKind::Sgd ? 0.05 : 1e-3; }

// AdamW's decoupled decay: PyTorch's default of 0.01; SGD: the usual CIFAR value; Adam: none.
double default_weight_decay(OptimizerKind kind) {
  return kind == OptimizerKind::Sgd ? 5e-4 : kind == OptimizerKind::AdamW ? 0.01 : 0.0;
}

const char* optimizer_name(OptimizerKind kind) {
  return kind == OptimizerKind::Sgd ? "sgd" : kind == OptimizerKind::AdamW ? "adamw" : "adam";
}

const char* schedule_name(LrSchedule schedule) {
  switch (schedule) {
    case LrSchedule::Constant: return "constant";
    case LrSchedule::Step: return "step";
    case LrSchedule::Linear: return "linear";
    default: return "cosine";
  }
}

std::vector<std::string> optimizer_names() { return {"sgd", "adam", "adamw"}; }
std::vector<std::string> schedule_names() { return {"constant", "cosine", "step", "linear"}; }

OptimizerKind parse_optimizer(const std::string& text) {
  for (OptimizerKind kind : {OptimizerKind::Sgd, OptimizerKind::Adam, OptimizerKind::AdamW})
    if (text == optimizer_name(kind)) return kind;
  throw ConfigError("unknown optimizer '" + text + "' (expected sgd, adam or adamw)");
}

LrSchedule parse_schedule(const std::string& text) {
  for (LrSchedule s : {LrSchedule::Constant, LrSchedule::Cosine, LrSchedule::Step, LrSchedule::Linear})
    if (text == schedule_name(s)) return s;
  throw ConfigError("unknown learning-rate schedule '" + text + "' (expected constant, cosine, step or linear)");
}

void parse_randaugment(const std::string& text, TrainConfig& config) {
  int ops = 0, magnitude = 0, used = 0;
  if (std::sscanf(text.c_str(), "%d,%d%n", &ops, &magnitude, &used) != 2 || used != static_cast<int>(text.size()))
    throw ConfigError("bad RandAugment setting '" + text + "' (expected N,M: the number of operations and the magnitude, e.g. 2,9)");
  config.randaugment_ops = ops;
  config.randaugment_magnitude = magnitude;
}

// A hair below the product, so that 9.9 * 50 = 495.00000000000006 is 495 steps, not 496.
int64_t total_train_steps(const TrainConfig& config, int64_t steps_per_epoch) {
  return static_cast<int64_t>(std::ceil(config.epochs * static_cast<double>(steps_per_epoch) - 1e-9));
}

int epoch_count(const TrainConfig& config) { return static_cast<int>(std::ceil(config.epochs - 1e-9)); }

void validate(const TrainConfig& c) {
  if (c.data_path.empty()) throw ConfigError("no data set given");
  if (!std::isfinite(c.epochs) || c.epochs <= 0 || c.epochs > 1e6)
    throw ConfigError("epochs must be a positive number, got " + std::to_string(c.epochs));
  if (c.batch_size < 1) throw ConfigError("batch size must be at least 1, got " + std::to_string(c.batch_size));
  if (!std::isfinite(c.learning_rate) || c.learning_rate < 0)
    throw ConfigError("learning rate must be a non-negative number, got " + std::to_string(c.learning_rate));
  if (c.limit_train < 0 || c.limit_test < 0) throw ConfigError("limits must not be negative");
  auto in_range = [](double value, double low, double high) { return std::isfinite(value) && value >= low && value <= high; };
  if (!in_range(c.label_smoothing, 0, 1)) throw ConfigError("label smoothing must be in [0, 1], got " + std::to_string(c.label_smoothing));
  if (!in_range(c.ema_decay, 0, 1) || c.ema_decay == 1) throw ConfigError("EMA decay must be in [0, 1), got " + std::to_string(c.ema_decay));
  if (!in_range(c.mixup_alpha, 0, 1e6) || !in_range(c.cutmix_alpha, 0, 1e6)) throw ConfigError("mixup and cutmix alphas must not be negative");
  if (!in_range(c.warmup_epochs, 0, 1e6)) throw ConfigError("warm-up epochs must not be negative, got " + std::to_string(c.warmup_epochs));
  if (!in_range(c.grad_clip_norm, 0, 1e30)) throw ConfigError("gradient clipping norm must not be negative");
  if (c.step_epochs < 1 || !in_range(c.step_gamma, 0, 1e6)) throw ConfigError("step schedule needs step_epochs >= 1 and a non-negative gamma");
  if (!in_range(c.backbone_lr_scale, 0, 1e6)) throw ConfigError("backbone learning-rate scale must not be negative");
  if (!in_range(c.norm_bias_lr_scale, 0, 1e6) || c.norm_bias_lr_scale == 0)
    throw ConfigError("norm-bias learning-rate scale must be a positive number, got " + std::to_string(c.norm_bias_lr_scale));
  if (!in_range(c.warmup_from, 0, 1)) throw ConfigError("warm-up start must be a fraction in [0, 1], got " + std::to_string(c.warmup_from));
  if (!in_range(c.final_lr_fraction, 0, 1))
    throw ConfigError("final learning-rate fraction must be in [0, 1], got " + std::to_string(c.final_lr_fraction));
  if (c.lookahead_every < 0 || c.lookahead_start_epochs < 0)
    throw ConfigError("lookahead every N steps and its start epoch must not be negative");
  if (c.tta < 0 || c.tta > 2) throw ConfigError("test-time augmentation level must be 0, 1 or 2, got " + std::to_string(c.tta));
  if (c.whiten_bias_epochs < 0) throw ConfigError("whitening bias epochs must not be negative");
  if (c.pad_to < 0 || c.pad_to > 4096) throw ConfigError("pad_to must be between 0 and 4096, got " + std::to_string(c.pad_to));
  if (c.image_size < 0 || c.image_size > 4096)
    throw ConfigError("image size must be between 1 and 4096 (0: the model's), got " + std::to_string(c.image_size));
  if (c.train_crop != "rrc" && c.train_crop != "pad-crop" && c.train_crop != "none")
    throw ConfigError("unknown training crop '" + c.train_crop + "' (expected rrc, pad-crop or none)");
  if (c.precise_bn < 0) throw ConfigError("precise BN needs a number of images >= 0, got " + std::to_string(c.precise_bn));
  if (c.cutout < 0 || c.cutout > 1024) throw ConfigError("cutout must be between 0 and 1024 pixels, got " + std::to_string(c.cutout));
  if (c.randaugment_ops < 0 || c.randaugment_ops > 10)
    throw ConfigError("RandAugment operations must be between 0 and 10, got " + std::to_string(c.randaugment_ops));
  if (c.randaugment_magnitude < 0 || c.randaugment_magnitude > 30)
    throw ConfigError("RandAugment magnitude must be between 0 and 30, got " + std::to_string(c.randaugment_magnitude));
  if (c.sample_predictions < 0) throw ConfigError("sample prediction count must not be negative");
  if (!c.resume_from.empty() && !c.init_from.empty())
    throw ConfigError("resume_from and init_from exclude each other: resume continues a run, init starts a new one");
}

}  // namespace fovea::engine
