#include "engine/eval_job.h"

#include <torch/nn/module.h>

#include <chrono>

#include "engine/data/tensor_dataset.h"
#include "engine/device.h"
#include "engine/errors.h"
#include "engine/loaded_model.h"
#include "engine/training/batch_maker.h"
#include "engine/training/evaluator.h"

namespace fovea::engine {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", 100 * fraction);
  return text;
}

// Token models cut the image into a grid of the size they were built for; CNNs pool whatever comes.
bool takes_any_image_size(const std::string& model) {
  const models::ModelEntry* entry = models::find_model(model);
  return entry && (entry->family == "resnet" || entry->family == "airbench");
}

void check_fit(const LoadedModel& loaded, const DatasetInfo& info, const TensorSplit& split, const EvalConfig& config,
               JobObserver& observer) {
  const std::string& path = config.checkpoint;
  const int64_t channels = split.images.size(3), height = split.images.size(1);
  const int64_t classes = static_cast<int64_t>(info.class_names.size());
  if (loaded.spec.in_channels != channels)
    throw ConfigError(path + ": the model takes " + std::to_string(loaded.spec.in_channels) + "-channel images, " +
                      info.root + " has " + std::to_string(channels) + "-channel ones");
  if (loaded.spec.num_classes < classes)
    throw ConfigError(path + ": the model tells " + std::to_string(loaded.spec.num_classes) + " classes apart, " +
                      info.root + " has " + std::to_string(classes));
  if (loaded.spec.image_size > 0 && loaded.spec.image_size != height && !takes_any_image_size(loaded.spec.name))
    throw ConfigError(path + ": " + loaded.spec.name + " was built for " + std::to_string(loaded.spec.image_size) +
                      "-pixel images, " + info.root + " has " + std::to_string(height) + " (resizing comes with the "
                      "image decoding pipeline)");
  if (loaded.spec.num_classes > classes)
    say(observer, log::Level::Warning,
        "the model has " + std::to_string(loaded.spec.num_classes) + " classes, the data set " + std::to_string(classes) +
            ": its labels are taken as the model's first class indices");
  else if (!loaded.class_names.empty() && loaded.class_names != info.class_names)
    say(observer, log::Level::Warning, "the model's class names differ from the data set's; labels are compared by index");
}

}  // namespace

void validate(const EvalConfig& c) {
  if (c.checkpoint.empty()) throw ConfigError("no checkpoint given");
  if (c.data_path.empty()) throw ConfigError("no data set given");
  if (c.batch_size < 1) throw ConfigError("batch size must be at least 1, got " + std::to_string(c.batch_size));
  if (c.limit < 0) throw ConfigError("the image limit must not be negative, got " + std::to_string(c.limit));
  if (c.sample_predictions < 0) throw ConfigError("sample prediction count must not be negative");
}

EvaluationSummary evaluate_checkpoint(const EvalConfig& config, JobControl& control, JobObserver& observer) {
  const auto job_start = Clock::now();
  use_all_cpu_cores();
  validate(config);
  const c10::Device device = resolve_device(config.device);

  say(observer, log::Level::Info, "loading " + config.data_path);
  const DatasetInfo info = probe_dataset(config.data_path);
  const bool folders = info.format == DatasetFormat::ImageFolder || info.format == DatasetFormat::ImageNet;
  const bool test = !folders || info.test_images;
  const TensorSplit host = load_tensor_split(info, test, config.limit);
  const std::string split_name = test ? "test" : "train";
  say(observer, log::Level::Info,
      info.format_name + ": " + std::to_string(host.size()) + " " + split_name + " images of " +
          std::to_string(host.images.size(1)) + "x" + std::to_string(host.images.size(2)) + "x" +
          std::to_string(host.images.size(3)) + ", " + std::to_string(info.class_names.size()) + " classes");
  control.checkpoint();

  ModelChoice choice;
  choice.model = config.model;
  choice.num_classes = static_cast<int64_t>(info.class_names.size());
  choice.in_channels = host.images.size(3);
  choice.image_size = host.images.size(1);
  choice.cifar_stem = config.cifar_stem;
  LoadedModel loaded = load_model(config.checkpoint, choice);
  for (const std::string& note : loaded.notes) say(observer, log::Level::Info, note);
  check_fit(loaded, info, host, config, observer);
  loaded.model->to(device);
  control.checkpoint();

  const TensorSplit split = host.to(device);
  BatchOptions options;
  options.mean = loaded.mean;
  options.std = loaded.std;
  const BatchMaker batches(split.images, options);
  const int num_classes = static_cast<int>(loaded.spec.num_classes);
  const std::vector<int64_t> samples = evenly_spaced(split.size(), config.sample_predictions);

  Progress progress;
  progress.phase = "evaluate";
  progress.total_steps = progress.steps_per_epoch = (split.size() + config.batch_size - 1) / config.batch_size;
  const auto eval_start = Clock::now();
  auto last_report = eval_start;
  observer.on_progress(progress);
  auto on_batch = [&](int64_t done) {
    const auto now = Clock::now();
    ++progress.step;
    if (now - last_report < std::chrono::milliseconds(100) && done < split.size()) return;
    last_report = now;
    const double elapsed = seconds_since(eval_start);
    progress.step_in_epoch = progress.step;
    progress.elapsed_seconds = seconds_since(job_start);
    progress.images_per_second = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    progress.eta_seconds = elapsed / static_cast<double>(done) * static_cast<double>(split.size() - done);
    observer.on_progress(progress);
  };
  const EvaluationResult result =
      evaluate(*loaded.model, split, batches, config.batch_size, num_classes, samples, host.images, control,
               config.mixed_precision && device.is_cuda(), on_batch);
  const double eval_seconds = seconds_since(eval_start);  // the result's values were read: the device is done

  EvaluationSummary summary;
  summary.checkpoint = config.checkpoint;
  summary.model = loaded.spec.name;
  summary.data = info.root;
  summary.split = split_name;
  summary.device = describe_device(device);
  summary.images = split.size();
  summary.num_classes = num_classes;
  summary.top1 = result.accuracy;
  summary.top5 = result.top5_accuracy;
  summary.loss = result.loss;
  summary.images_per_second = eval_seconds > 0 ? static_cast<double>(summary.images) / eval_seconds : 0;
  summary.seconds = seconds_since(job_start);
  summary.class_names = loaded.class_names.empty() ? info.class_names : loaded.class_names;
  summary.confusion = result.confusion;
  summary.notes = loaded.notes;
  if (!result.samples.empty()) observer.on_predictions({0, summary.class_names, result.samples});
  say(observer, log::Level::Info,
      "Acc@1 " + percent(summary.top1) + " Acc@5 " + percent(summary.top5) + " loss " + std::to_string(summary.loss) +
          " on " + std::to_string(summary.images) + " images");
  observer.on_evaluated(summary);
  return summary;
}

std::unique_ptr<Job> make_eval_job(EvalConfig config, JobObserver& observer) {
  return std::make_unique<Job>(
      [config = std::move(config)](JobControl& control, JobObserver& obs) {
        try {
          evaluate_checkpoint(config, control, obs);
        } catch (const c10::Error& e) {
          throw Error(e.what_without_backtrace());  // LibTorch's own text, without its C++ backtrace
        }
      },
      observer);
}

}  // namespace fovea::engine
