#include "engine/training/run_checkpoint.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "engine/errors.h"
#include "engine/state_dict_loader.h"
#include "engine/train_job.h"
#include "engine/training/resume_state.h"
#include "engine/training/weight_ema.h"
#include "engine/weights_file.h"
#include "models/registry.h"

namespace fovea::engine {
namespace {

// The settings added to a run's record beyond the basic ones, visited by name for writing, reading back
// and comparing on resume.
template <typename Config, typename Visit>
void visit_settings(Config& c, Visit&& visit) {
  visit("nesterov", c.nesterov);
  visit("decay_norms_and_biases", c.decay_norms_and_biases);
  visit("backbone_lr_scale", c.backbone_lr_scale);
  visit("norm_bias_lr_scale", c.norm_bias_lr_scale);
  visit("warmup_epochs", c.warmup_epochs);
  visit("warmup_from", c.warmup_from);
  visit("final_lr_fraction", c.final_lr_fraction);
  visit("step_epochs", c.step_epochs);
  visit("step_gamma", c.step_gamma);
  visit("label_smoothing", c.label_smoothing);
  visit("mixup_alpha", c.mixup_alpha);
  visit("cutmix_alpha", c.cutmix_alpha);
  visit("ema_decay", c.ema_decay);
  visit("lookahead_every", c.lookahead_every);
  visit("lookahead_start_epochs", c.lookahead_start_epochs);
  visit("grad_clip_norm", c.grad_clip_norm);
  visit("pad_to", c.pad_to);
  visit("force_rgb", c.force_rgb);
  visit("tta", c.tta);
  visit("whiten_bias_epochs", c.whiten_bias_epochs);
  visit("preset", c.preset);
  visit("flip", c.flip);
  visit("flip_idx", c.flip_idx);
  visit("cutout", c.cutout);
  visit("precise_bn", c.precise_bn);
  visit("image_size", c.image_size);
  visit("train_crop", c.train_crop);
  visit("randaugment_ops", c.randaugment_ops);
  visit("randaugment_magnitude", c.randaugment_magnitude);
}

using nlohmann::json;

json parse_metadata(const std::string& text, const std::string& path) {
  try {
    json meta = json::parse(text);
    if (meta.is_object()) return meta;
  } catch (const json::exception&) {
  }
  throw CheckpointError(path + ": Fovea metadata is not a JSON object");
}

// The metadata's value at `key` (an object path like {"model", "name"}), or `fallback`.
template <typename T>
T value_at(const json& meta, std::initializer_list<const char*> keys, T fallback) {
  const json* node = &meta;
  for (const char* key : keys) {
    if (!node->is_object() || !node->contains(key)) return fallback;
    node = &(*node)[key];
  }
  try {
    return node->get<T>();
  } catch (const json::exception&) {
    return fallback;
  }
}

bool same_model(const std::string& a, const std::string& b) {
  const models::ModelEntry* x = models::find_model(a);
  return x ? x == models::find_model(b) : a == b;
}

std::string image_shape(int64_t classes, int64_t height, int64_t width, int64_t channels) {
  return std::to_string(classes) + " classes of " + std::to_string(height) + "x" + std::to_string(width) + "x" +
         std::to_string(channels) + " images";
}

template <typename T>
std::string text_of(const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return value;
  } else if constexpr (std::is_same_v<T, bool>) {
    return value ? "on" : "off";
  } else if constexpr (std::is_floating_point_v<T>) {
    char text[32];
    std::snprintf(text, sizeof text, "%.10g", value);  // 1 and 9.9, not 1.0 and 9.9000000000000004
    return text;
  } else {
    return json(value).dump();
  }
}

// Fails on what makes the checkpoint unusable for this run; warns about what makes it inexact.
void check_resumable(const json& meta, const TrainConfig& config, const DataDescription& data, const RunPosition& planned,
                     const std::string& path, JobObserver& observer) {
  auto conflict = [&](const std::string& what) {
    throw ConfigError("cannot resume from " + path + ": " + what);
  };
  const json& recorded = meta["train_config"];
  const std::string model = value_at<std::string>(meta, {"model", "name"}, "");
  if (!same_model(model, config.model)) conflict("it holds " + model + ", this run asks for " + config.model);
  if (value_at(meta, {"model", "cifar_stem"}, false) != config.cifar_stem)
    conflict(std::string("it was trained ") + (config.cifar_stem ? "without" : "with") + " the CIFAR stem");
  const std::string optimizer = value_at<std::string>(recorded, {"optimizer"}, "");
  if (optimizer != optimizer_name(config.optimizer))
    conflict("it was trained with " + optimizer + ", this run asks for " + optimizer_name(config.optimizer));
  const std::string theirs = image_shape(value_at<int64_t>(meta, {"model", "num_classes"}, 0),
                                         value_at<int64_t>(meta, {"preprocessing", "height"}, 0),
                                         value_at<int64_t>(meta, {"preprocessing", "width"}, 0),
                                         value_at<int64_t>(meta, {"model", "in_channels"}, 0));
  const std::string ours = image_shape(static_cast<int64_t>(data.info.class_names.size()), data.info.height,
                                       data.info.width, data.info.channels);
  if (theirs != ours) conflict("it was trained on " + theirs + ", the data set has " + ours);
  const int64_t batch = value_at<int64_t>(recorded, {"batch_size"}, 0);
  if (batch != config.batch_size)
    conflict("it was trained with batch size " + std::to_string(batch) + ", this run asks for " +
             std::to_string(config.batch_size));
  const int64_t steps_per_epoch = value_at<int64_t>(meta, {"resume", "steps_per_epoch"}, 0);
  if (steps_per_epoch != planned.steps_per_epoch)
    conflict("its run had " + std::to_string(steps_per_epoch) + " steps per epoch, this one has " +
             std::to_string(planned.steps_per_epoch) + " (a different number of training images?)");
  const int epoch = value_at(meta, {"epoch"}, 0);
  if (epoch >= epoch_count(config))
    conflict("it was written after epoch " + std::to_string(epoch) + " and the run has " + text_of(config.epochs) +
             " epochs in all: ask for more epochs to train on");

  // Legitimate choices (a longer run, another learning rate) that make the steps differ from a run
  // that was never stopped.
  std::vector<std::string> changed;
  auto compare = [&](const char* name, auto theirs_value, auto ours_value) {
    if (theirs_value != ours_value) changed.push_back(std::string(name) + " " + text_of(theirs_value) + " -> " + text_of(ours_value));
  };
  compare("epochs", value_at(recorded, {"epochs"}, 0.0), config.epochs);
  compare("learning rate", value_at(recorded, {"learning_rate"}, 0.0), config.learning_rate);
  compare("schedule", value_at<std::string>(recorded, {"schedule"}, ""), std::string(schedule_name(config.schedule)));
  compare("weight decay", value_at(recorded, {"weight_decay"}, 0.0), config.weight_decay);
  if (config.optimizer == OptimizerKind::Sgd) compare("momentum", value_at(recorded, {"momentum"}, 0.0), config.momentum);
  compare("augmentation", value_at(recorded, {"augment"}, true), config.augment);
  compare("seed", value_at<uint64_t>(recorded, {"seed"}, 0), config.seed);
  visit_settings(config, [&](const char* name, const auto& ours) {
    using Value = std::remove_cvref_t<decltype(ours)>;
    compare(name, value_at<Value>(recorded, {name}, ours), ours);
  });
  compare("training images", value_at<int64_t>(meta, {"resume", "train_images"}, 0), data.train_images);
  if (!changed.empty()) {
    std::string list;
    for (const std::string& c : changed) list += (list.empty() ? "" : ", ") + c;
    say(observer, log::Level::Warning,
        "resuming with settings that differ from the run's (" + list +
            "): training goes on, but not with the steps of a run that was never stopped");
  }
}

}  // namespace

std::string training_metadata(const TrainConfig& config, const DataDescription& data, const EpochMetrics& metrics,
                              const RunPosition& position) {
  json meta;
  meta["format"] = "fovea-checkpoint";
  meta["version"] = kCheckpointVersion;
  meta["model"] = {{"name", config.model},
                   {"num_classes", data.info.class_names.size()},
                   {"in_channels", data.info.channels},
                   {"cifar_stem", config.cifar_stem},
                   {"image_size", data.info.height}};
  meta["class_names"] = data.info.class_names;
  meta["preprocessing"] = {{"height", data.info.height},
                           {"width", data.info.width},
                           {"mean", std::vector<float>(data.mean.begin(), data.mean.begin() + data.info.channels)},
                           {"std", std::vector<float>(data.std.begin(), data.std.begin() + data.info.channels)}};
  if (data.crop_pct > 0) {  // images of any size: evaluation resizes and center crops, as for reference models
    meta["preprocessing"]["input_size"] = data.info.height;
    meta["preprocessing"]["crop_pct"] = data.crop_pct;
    meta["preprocessing"]["interpolation"] = data.interpolation;
  }
  meta["dataset"] = {{"path", data.info.root}, {"format", data.info.format_name}};
  meta["epoch"] = metrics.epoch;
  meta["step"] = position.step;
  meta["metrics"] = {{"train_loss", metrics.train_loss},
                     {"train_accuracy", metrics.train_accuracy},
                     {"test_loss", metrics.test_loss},
                     {"test_accuracy", metrics.test_accuracy},
                     {"learning_rate", metrics.learning_rate}};
  meta["confusion"] = metrics.confusion;
  meta["train_config"] = {{"epochs", config.epochs},
                          {"batch_size", config.batch_size},
                          {"learning_rate", config.learning_rate},
                          {"optimizer", optimizer_name(config.optimizer)},
                          {"momentum", config.momentum},
                          {"weight_decay", config.weight_decay},
                          {"schedule", schedule_name(config.schedule)},
                          {"augment", config.augment},
                          {"seed", config.seed},
                          {"device", config.device},
                          {"mixed_precision", config.mixed_precision},
                          {"limit_train", config.limit_train},
                          {"limit_test", config.limit_test}};
  visit_settings(config, [&](const char* name, const auto& value) { meta["train_config"][name] = value; });
  // The learning rate is a function of the step (lr_schedule.h); the data order of (seed, epoch); the
  // augmentation of the count of images drawn, which is step * batch size.
  meta["resume"] = {{"steps_per_epoch", position.steps_per_epoch},
                    {"total_steps", position.total_steps},
                    {"train_images", data.train_images},
                    {"optimizer_state", std::string(kOptimizerStatePrefix) + "<parameter>/<state>"},
                    {"rng_state", std::string(kRngStatePrefix) + "<device>"}};
  return meta.dump();
}

TrainConfig recorded_train_config(const std::string& checkpoint) {
  const std::string text = read_fovea_metadata(checkpoint);
  if (text.empty()) throw CheckpointError(checkpoint + ": not a Fovea checkpoint (no Fovea metadata)");
  const json meta = parse_metadata(text, checkpoint);
  if (!meta.contains("train_config") || !meta["train_config"].is_object())
    throw CheckpointError(checkpoint + ": the metadata records no training settings");
  const json& r = meta["train_config"];
  TrainConfig c;
  c.model = value_at<std::string>(meta, {"model", "name"}, c.model);
  c.cifar_stem = value_at(meta, {"model", "cifar_stem"}, c.cifar_stem);
  c.data_path = value_at<std::string>(meta, {"dataset", "path"}, "");
  c.epochs = value_at(r, {"epochs"}, c.epochs);
  c.batch_size = value_at(r, {"batch_size"}, c.batch_size);
  c.learning_rate = value_at(r, {"learning_rate"}, c.learning_rate);
  c.optimizer = parse_optimizer(value_at<std::string>(r, {"optimizer"}, optimizer_name(c.optimizer)));
  c.momentum = value_at(r, {"momentum"}, c.momentum);
  c.weight_decay = value_at(r, {"weight_decay"}, c.weight_decay);
  c.schedule = parse_schedule(value_at<std::string>(r, {"schedule"}, schedule_name(c.schedule)));
  c.augment = value_at(r, {"augment"}, c.augment);
  c.seed = value_at(r, {"seed"}, c.seed);
  c.device = value_at(r, {"device"}, c.device);  // as asked for: "auto" stays "auto"
  c.mixed_precision = value_at(r, {"mixed_precision"}, c.mixed_precision);
  c.limit_train = value_at(r, {"limit_train"}, c.limit_train);
  c.limit_test = value_at(r, {"limit_test"}, c.limit_test);
  visit_settings(c, [&](const char* name, auto& value) {
    value = value_at<std::remove_cvref_t<decltype(value)>>(r, {name}, value);
  });
  c.resume_from = checkpoint;
  return c;
}

RunPosition resume_run(const TrainConfig& config, const DataDescription& data, const RunPosition& planned,
                       models::ImageClassifier& model, torch::optim::Optimizer& optimizer, WeightEma* ema,
                       const c10::Device& device, JobObserver& observer) {
  const std::string& path = config.resume_from;
  const WeightsFile file = read_weights_file(path);
  if (file.format != WeightsFormat::FoveaCheckpoint)
    throw CheckpointError(path + ": not a Fovea checkpoint (" + weights_format_name(file.format) +
                          "): only Fovea's checkpoints hold the state to resume a run; use init_from to start a new "
                          "run from these weights");
  const json meta = parse_metadata(file.metadata_json, path);
  if (value_at(meta, {"version"}, 1) < kCheckpointVersion || !meta.contains("resume"))
    throw CheckpointError(path + ": written by an older Fovea without the optimizer state that resuming needs; "
                                 "use init_from to start a new run from its weights");
  check_resumable(meta, config, data, planned, path, observer);

  load_state_dict(model, file.tensors, path);
  restore_optimizer_state(optimizer, model, config.optimizer, file.training_state, path);
  if (ema) ema->restore(file.training_state, path);
  for (const std::string& generator : restore_rng_state(file.training_state, device))
    say(observer, log::Level::Warning, path + " holds no state of the random generator of " + generator + ": it keeps its own");
  RunPosition position = planned;
  position.epoch = value_at(meta, {"epoch"}, 0);
  position.step = value_at<int64_t>(meta, {"step"}, 0);
  if (position.step != static_cast<int64_t>(position.epoch) * planned.steps_per_epoch)
    throw CheckpointError(path + ": step " + std::to_string(position.step) + " does not fall at the end of epoch " +
                          std::to_string(position.epoch) +
                          " (a run of a fractional number of epochs cuts its last one short: resume from an earlier epoch)");
  say(observer, log::Level::Info,
      "resumed from " + path + ": epoch " + std::to_string(position.epoch) + " done, step " +
          std::to_string(position.step) + " of " + std::to_string(planned.total_steps));
  return position;
}

void init_from_weights(const TrainConfig& config, models::ImageClassifier& model, JobObserver& observer) {
  const WeightsFile file = read_weights_file(config.init_from);
  say(observer, log::Level::Info, "initial weights: " + file.describe());
  if (!file.training_state.empty())
    say(observer, log::Level::Info, "its optimizer state is not used: a new run starts with a fresh optimizer");
  LoadOptions options;
  options.strict = config.init_strict;
  options.replace_head = model.head_name();
  const LoadReport report = load_state_dict(model, file.tensors, config.init_from, options);
  say(observer, report.complete() ? log::Level::Info : log::Level::Warning, report.summary());
}

}  // namespace fovea::engine
