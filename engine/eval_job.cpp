#include "engine/eval_job.h"

#include <torch/nn/module.h>
#include <torch/utils.h>

#include <algorithm>
#include <chrono>

#include "engine/data/tensor_dataset.h"
#include "engine/device.h"
#include "engine/errors.h"
#include "engine/loaded_model.h"
#include "engine/training/batch_maker.h"
#include "engine/training/eval_device_warm_up.h"
#include "engine/training/evaluator.h"
#include "engine/training/folder_evaluator.h"
#include "models/image_classifier.h"

namespace fovea::engine {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", 100 * fraction);
  return text;
}

// CNNs on GPUs run fastest with channels_last weights (the batches already come in that layout).
void use_channels_last(models::ImageClassifier& model) {
  torch::NoGradGuard no_grad;
  for (auto& p : model.parameters())
    if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
}

// Token models cut the image into a grid of the size they were built for; CNNs pool whatever comes.
bool takes_any_image_size(const std::string& model) {
  const models::ModelEntry* entry = models::find_model(model);
  return entry && (entry->family == "resnet" || entry->family == "airbench");
}

}  // namespace

void validate(const EvalConfig& c) {
  if (c.checkpoint.empty()) throw ConfigError("no checkpoint given");
  if (c.data_path.empty()) throw ConfigError("no data set given");
  if (c.batch_size < 1) throw ConfigError("batch size must be at least 1, got " + std::to_string(c.batch_size));
  if (c.limit < 0) throw ConfigError("the image limit must not be negative, got " + std::to_string(c.limit));
  if (c.sample_predictions < 0) throw ConfigError("sample prediction count must not be negative");
  if (c.workers < 0 || c.workers > 1024) throw ConfigError("workers must be between 0 and 1024, got " + std::to_string(c.workers));
}

namespace {

// Progress of an evaluation at most every 100 ms: images done, images/s, ETA.
class EvalProgress {
 public:
  EvalProgress(JobObserver& observer, Clock::time_point job_start, int64_t images, int64_t batch_size)
      : observer_(observer), job_start_(job_start), images_(images) {
    progress_.phase = "evaluate";
    progress_.total_steps = progress_.steps_per_epoch = (images + batch_size - 1) / batch_size;
    observer_.on_progress(progress_);
  }
  void batch_done(int64_t done) {
    const auto now = Clock::now();
    ++progress_.step;
    if (now - last_report_ < std::chrono::milliseconds(100) && done < images_) return;
    last_report_ = now;
    const double elapsed = seconds_since(start_);
    progress_.step_in_epoch = progress_.step;
    progress_.elapsed_seconds = seconds_since(job_start_);
    progress_.images_per_second = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    progress_.eta_seconds = done > 0 ? elapsed / static_cast<double>(done) * static_cast<double>(images_ - done) : 0;
    observer_.on_progress(progress_);
  }
  double seconds() const { return seconds_since(start_); }
  double seconds_until(Clock::time_point end) const { return std::chrono::duration<double>(end - start_).count(); }

 private:
  JobObserver& observer_;
  Clock::time_point job_start_, start_ = Clock::now(), last_report_ = start_;
  int64_t images_;
  Progress progress_;
};

// The positions of a split to evaluate: all, or `limit` spread evenly (folder lists are sorted by class).
std::vector<int64_t> chosen_positions(int64_t total, int64_t limit) {
  const int64_t count = limit > 0 && limit < total ? limit : total;
  std::vector<int64_t> positions;
  for (int64_t k = 0; k < count; ++k) positions.push_back(k * total / count);
  return positions;
}

EvaluationSummary summary_of(const EvalConfig& config, const LoadedModel& loaded, const DatasetInfo& info,
                             const std::string& split, const c10::Device& device, const EvaluationResult& result,
                             int64_t images, double eval_seconds, Clock::time_point job_start) {
  EvaluationSummary summary;
  summary.checkpoint = config.checkpoint;
  summary.model = loaded.spec.name;
  summary.data = info.root;
  summary.split = split;
  summary.device = describe_device(device);
  summary.images = images;
  summary.num_classes = static_cast<int>(loaded.spec.num_classes);
  summary.top1 = result.accuracy;
  summary.top5 = result.top5_accuracy;
  summary.loss = result.loss;
  summary.images_per_second = eval_seconds > 0 ? static_cast<double>(images) / eval_seconds : 0;
  summary.seconds = seconds_since(job_start);
  summary.class_names = loaded.class_names.empty() ? info.class_names : loaded.class_names;
  summary.confusion = result.confusion;
  summary.notes = loaded.notes;
  summary.per_image = result.per_image;
  return summary;
}

void check_classes(const LoadedModel& loaded, const DatasetInfo& info, const std::string& path, JobObserver& observer) {
  const auto classes = static_cast<int64_t>(info.class_names.size());
  if (loaded.spec.num_classes < classes)
    throw ConfigError(path + ": the model tells " + std::to_string(loaded.spec.num_classes) + " classes apart, " +
                      info.root + " has " + std::to_string(classes));
  if (loaded.spec.num_classes > classes)
    say(observer, log::Level::Warning,
        "the model has " + std::to_string(loaded.spec.num_classes) + " classes, the data set " + std::to_string(classes) +
            ": its labels are taken as the model's first class indices");
  else if (!loaded.class_names.empty() && loaded.class_names != info.class_names)
    say(observer, log::Level::Warning, "the model's class names differ from the data set's; labels are compared by index");
}

void check_fit(const LoadedModel& loaded, const DatasetInfo& info, const TensorSplit& split, const EvalConfig& config,
               JobObserver& observer) {
  const std::string& path = config.checkpoint;
  const int64_t channels = split.images.size(3), height = split.images.size(1);
  if (loaded.spec.in_channels != channels)
    throw ConfigError(path + ": the model takes " + std::to_string(loaded.spec.in_channels) + "-channel images, " +
                      info.root + " has " + std::to_string(channels) + "-channel ones");
  if (loaded.spec.image_size > 0 && loaded.spec.image_size != height && !takes_any_image_size(loaded.spec.name))
    throw ConfigError(path + ": " + loaded.spec.name + " was built for " + std::to_string(loaded.spec.image_size) +
                      "-pixel images, " + info.root + " has " + std::to_string(height));
  check_classes(loaded, info, path, observer);
}

const ImageFileList& evaluated_files(const DatasetInfo& info) { return info.test_images ? *info.test_images : *info.train_images; }

// What the decoding workers hold at once when they only decode and the GPU resizes: about five batches ahead
// (ImageBatchLoader's window on 16 cores) of ~640 KB images (ImageNet's photos are ~500 x 400).
int64_t pinned_bytes_for(const EvalConfig& config, const DatasetInfo& info, const c10::Device& device) {
  if (!device.is_cuda() || !config.resize_on_gpu || config.gpu_decode) return 0;
  const auto images = static_cast<int64_t>(chosen_positions(static_cast<int64_t>(evaluated_files(info).size()), config.limit).size());
  return std::min<int64_t>(images, 5 * config.batch_size) * (int64_t{640} << 10);
}

// Folders of encoded images: decoded, resized and cropped on the fly with the model's preprocessing.
EvaluationSummary evaluate_folder(const EvalConfig& config, const DatasetInfo& info, const c10::Device& device,
                                  std::jthread& device_warm_up,
                                  JobControl& control, JobObserver& observer, Clock::time_point job_start) {
  const bool test = info.test_images != nullptr;
  const ImageFileList& files = evaluated_files(info);
  const std::string split_name = test ? "test" : "train";
  ModelChoice choice;
  choice.model = config.model;
  choice.default_num_classes = static_cast<int64_t>(info.class_names.size());  // unless the file's head says
  choice.cifar_stem = config.cifar_stem;
  LoadedModel loaded = load_model(config.checkpoint, choice);
  for (const std::string& note : loaded.notes) say(observer, log::Level::Info, note);
  check_classes(loaded, info, config.checkpoint, observer);
  if (loaded.spec.in_channels != 1 && loaded.spec.in_channels != 3)
    throw ConfigError(config.checkpoint + ": the model takes " + std::to_string(loaded.spec.in_channels) +
                      "-channel images; image folders give RGB (or grey) images");
  loaded.model->to(device);
  if (device.is_cuda() && takes_any_image_size(loaded.spec.name)) use_channels_last(*loaded.model);
  control.checkpoint();

  FolderEvalOptions options;
  options.transform = eval_transform(loaded.preprocessing);
  options.batches.batch_size = config.batch_size;
  options.mean = loaded.mean;
  options.std = loaded.std;
  options.in_channels = loaded.spec.in_channels;
  options.bf16_autocast = config.mixed_precision && device.is_cuda();
  options.keep_every_image = config.per_image_results;
  options.resize_on_device = config.resize_on_gpu;
  options.decode_on_device = config.gpu_decode;
  options.batches.threads = config.workers;
  std::vector<int64_t> order = chosen_positions(static_cast<int64_t>(files.size()), config.limit);
  const auto count = static_cast<int64_t>(order.size());
  say(observer, log::Level::Info,
      info.format_name + ": " + std::to_string(count) + " " + split_name + " images, " +
          std::to_string(info.class_names.size()) + " classes; resize " + std::to_string(options.transform.resize) +
          " " + interpolation_name(options.transform.interpolation) + ", center crop " +
          std::to_string(options.transform.crop));
  std::vector<int64_t> samples;
  for (const int64_t k : evenly_spaced(count, config.sample_predictions)) samples.push_back(order[static_cast<size_t>(k)]);

  if (device_warm_up.joinable()) device_warm_up.join();  // not timed, as timm's validate.py times no warm-up
  EvalProgress progress(observer, job_start, count, config.batch_size);
  const FolderEvaluation evaluation =
      evaluate_image_files(*loaded.model, files, std::move(order), options, static_cast<int>(loaded.spec.num_classes),
                           samples, device, control, [&](int64_t done) { progress.batch_done(done); });
  const int64_t images = count - evaluation.skipped;
  if (images == 0)
    throw DatasetError(info.root + ": none of the " + std::to_string(count) + " images could be decoded" +
                       (evaluation.failures.empty() ? std::string() : " (first: " + evaluation.failures.front() + ")"));
  EvaluationSummary summary = summary_of(config, loaded, info, split_name, device, evaluation.result, images,
                                         progress.seconds_until(evaluation.finished), job_start);
  for (const ImageResult& r : summary.per_image) summary.image_sources.push_back(files.path(static_cast<size_t>(r.position)));
  if (evaluation.skipped > 0) {
    std::string text = std::to_string(evaluation.skipped) + " images could not be decoded and were skipped; first:";
    for (const auto& failure : evaluation.failures) text += "\n  " + failure;
    say(observer, log::Level::Warning, text);
    summary.notes.push_back(std::to_string(evaluation.skipped) + " images skipped (undecodable)");
  }
  if (!evaluation.result.samples.empty()) observer.on_predictions({0, summary.class_names, evaluation.result.samples});
  return summary;
}

// Data sets held in memory (IDX, CIFAR): decoded once, evaluated at their own size.
EvaluationSummary evaluate_in_memory(const EvalConfig& config, const DatasetInfo& info, const c10::Device& device,
                                     JobControl& control, JobObserver& observer, Clock::time_point job_start) {
  const TensorSplit host = load_tensor_split(info, true, config.limit);
  say(observer, log::Level::Info,
      info.format_name + ": " + std::to_string(host.size()) + " test images of " + std::to_string(host.images.size(1)) +
          "x" + std::to_string(host.images.size(2)) + "x" + std::to_string(host.images.size(3)) + ", " +
          std::to_string(info.class_names.size()) + " classes");
  control.checkpoint();

  ModelChoice choice;
  choice.model = config.model;
  choice.default_num_classes = static_cast<int64_t>(info.class_names.size());  // unless the file's head says
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
  EvalProgress progress(observer, job_start, split.size(), config.batch_size);
  const EvaluationResult result =
      evaluate(*loaded.model, split, batches, config.batch_size, num_classes, samples, host.images, control,
               config.mixed_precision && device.is_cuda(), [&](int64_t done) { progress.batch_done(done); }, 0,
               config.per_image_results);
  const double eval_seconds = progress.seconds();  // the result's values were read: the device is done
  EvaluationSummary summary =
      summary_of(config, loaded, info, "test", device, result, split.size(), eval_seconds, job_start);
  for (const ImageResult& r : summary.per_image) summary.image_sources.push_back("test[" + std::to_string(r.position) + "]");
  if (!result.samples.empty()) observer.on_predictions({0, summary.class_names, result.samples});
  return summary;
}

}  // namespace

EvaluationSummary evaluate_checkpoint(const EvalConfig& config, JobControl& control, JobObserver& observer) {
  const auto job_start = Clock::now();
  use_all_cpu_cores();
  validate(config);
  const c10::Device device = resolve_device(config.device);
  say(observer, log::Level::Info, "loading " + config.data_path);
  const DatasetInfo info = probe_dataset(config.data_path);
  const bool folders = info.format == DatasetFormat::ImageFolder || info.format == DatasetFormat::ImageNet;
  std::jthread device_warm_up;
  if (folders) device_warm_up = warm_up_device_for_evaluation(device, pinned_bytes_for(config, info, device));
  const EvaluationSummary summary = folders ? evaluate_folder(config, info, device, device_warm_up, control, observer, job_start)
                                            : evaluate_in_memory(config, info, device, control, observer, job_start);
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
          const std::string advice = out_of_memory_advice(e, "evaluating", config.batch_size);
          throw Error(advice.empty() ? e.what_without_backtrace() : advice);  // without LibTorch's backtrace
        }
      },
      observer);
}

}  // namespace fovea::engine
