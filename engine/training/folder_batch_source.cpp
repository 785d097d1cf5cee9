// Batches streamed from image folders (ImageFolder, ImageNet): worker threads decode each image and
// apply the training transform with the image's own random draws; pinned uint8 batches are copied to
// the device asynchronously and normalised there. Evaluation uses the model's evaluation transform.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "engine/data/image_batches.h"
#include "engine/data/train_transform.h"
#include "engine/distributed/distributed_sampler.h"
#include "engine/errors.h"
#include "engine/training/folder_evaluator.h"
#include "engine/training/train_batch_source.h"
#include "models/registry.h"

namespace fovea::engine {
namespace {

constexpr size_t kFailuresReported = 5;

const models::Preprocessing& model_preprocessing(const std::string& model) {
  const models::ModelEntry* entry = models::find_model(model);
  if (!entry) {
    std::string known;
    for (const models::ModelEntry& e : models::model_registry()) known += (known.empty() ? "" : ", ") + e.name;
    throw ConfigError("unknown model '" + model + "' (known: " + known + ")");
  }
  return entry->preprocessing;
}

// `limit` positions spread evenly over the list (sorted by class, so its first images share one class).
std::vector<int64_t> spread_positions(size_t total, int64_t limit) {
  const auto n = static_cast<int64_t>(total);
  const int64_t count = limit > 0 && limit < n ? limit : n;
  std::vector<int64_t> positions;
  for (int64_t k = 0; k < count; ++k) positions.push_back(k * n / count);
  return positions;
}

TrainTransform train_transform_of(const TrainConfig& config, int64_t size, Interpolation interpolation) {
  TrainTransform t;
  t.size = size;
  t.interpolation = interpolation;
  // --no-augment: the evaluation's resize and center crop, nothing random.
  t.crop = config.augment ? parse_train_crop(config.train_crop) : TrainCrop::None;
  t.flip = config.augment && config.flip;
  t.rand_augment.num_ops = config.augment ? config.randaugment_ops : 0;
  t.rand_augment.magnitude = config.randaugment_magnitude;
  return t;
}

class FolderBatchSource final : public TrainBatchSource {
 public:
  FolderBatchSource(DatasetInfo info, const TrainConfig& config, const BatchSourceOptions& options, JobObserver& observer)
      : options_(options), observer_(observer), seed_(config.seed) {
    check_trainable(info);
    const models::Preprocessing& p = model_preprocessing(config.model);
    const int64_t size = folder_image_size(config);
    const Interpolation interpolation = parse_interpolation(p.interpolation);
    transform_ = train_transform_of(config, size, interpolation);
    train_positions_ = spread_positions(info.train_images->size(), config.limit_train);
    test_positions_ = spread_positions(info.test_images->size(), config.limit_test);
    if (train_positions_.empty() || test_positions_.empty())
      throw DatasetError(info.root + ": no images in the " + (train_positions_.empty() ? "training" : "test") + " split");
    const auto test_count = static_cast<int64_t>(test_positions_.size());
    if (options.shard_count > 1) {  // this rank evaluates every shard_count-th test image
      std::vector<int64_t> mine;
      for (size_t k = static_cast<size_t>(options.shard_rank); k < test_positions_.size(); k += static_cast<size_t>(options.shard_count))
        mine.push_back(test_positions_[k]);
      test_positions_ = std::move(mine);
    }
    for (const int64_t k : evenly_spaced(static_cast<int64_t>(test_positions_.size()), config.sample_predictions))
      samples_.push_back(test_positions_[static_cast<size_t>(k)]);

    models::Preprocessing evaluation = p;
    evaluation.input_size = size;
    eval_.transform = eval_transform(evaluation);
    eval_.batches.batch_size = 2 * config.batch_size;
    eval_.bf16_autocast = options.bf16_autocast;
    for (size_t c = 0; c < 3; ++c) {
      eval_.mean[c] = description_.mean[c] = static_cast<float>(p.mean[c]);
      eval_.std[c] = description_.std[c] = static_cast<float>(p.std[c]);
    }
    mean_ = at::tensor(std::vector<float>(eval_.mean.begin(), eval_.mean.end())).view({1, 3, 1, 1}).to(options.device);
    std_ = at::tensor(std::vector<float>(eval_.std.begin(), eval_.std.end())).view({1, 3, 1, 1}).to(options.device);

    info.height = info.width = size;
    info.channels = 3;
    info.train_count = static_cast<int64_t>(train_positions_.size());
    info.test_count = test_count;
    description_.info = std::move(info);
    description_.train_images = description_.info.train_count;
    description_.crop_pct = p.crop_pct;
    description_.interpolation = p.interpolation;
    if (config.tta > 0 || config.pad_to > 0 || config.force_rgb || config.cutout > 0)
      say(observer, log::Level::Warning,
          "test-time augmentation, cutout, pad_to and force_rgb apply to in-memory data sets only: folder images "
          "are RGB crops of the image size, evaluated without test-time augmentation");
    say(observer, log::Level::Info,
        "training images: " + describe(transform_) + "; test images: resize " + std::to_string(eval_.transform.resize) +
            ", center crop " + std::to_string(size));
  }

  const DataDescription& data() const override { return description_; }

  void start_epoch(int epoch, int64_t batch, uint64_t first_draw) override {
    // The same order as RandomSampler with a generator seeded from (seed, epoch), as the in-memory path.
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed_ * 1000003ULL + static_cast<uint64_t>(epoch));
    const auto n = static_cast<int64_t>(train_positions_.size());
    at::Tensor permutation = at::randperm(n, generator, at::kLong);
    const int rank = options_.shard_rank, ranks = options_.shard_count;
    if (ranks > 1) permutation = shard_order(permutation, rank, ranks);
    const int64_t used = permutation.size(0) / batch * batch;
    const int64_t* drawn = permutation.data_ptr<int64_t>();
    std::vector<int64_t> order(static_cast<size_t>(used));
    for (int64_t i = 0; i < used; ++i) order[static_cast<size_t>(i)] = train_positions_[static_cast<size_t>(drawn[i])];
    ImageBatchOptions loading;
    loading.batch_size = batch;
    loading.pinned_memory = options_.device.is_cuda();
    const TrainTransform transform = transform_;
    const uint64_t seed = seed_;
    loader_ = std::make_unique<ImageBatchLoader>(
        *description_.info.train_images, std::move(order), transform.size,
        [transform, seed, first_draw, batch, rank, ranks](const at::Tensor& rgb, int64_t index) {
          // The rank's image j of step s: draw first_draw + s * batch * ranks + rank * batch + j.
          const int64_t draw = index / batch * batch * ranks + rank * batch + index % batch;
          return apply_train_transform(rgb, transform, seed, first_draw + static_cast<uint64_t>(draw));
        },
        loading);
    skipped_ = 0;
    failures_.clear();
  }

  TrainBatch batch(int64_t, uint64_t) override {
    std::optional<ImageBatch> loaded = loader_ ? loader_->next() : std::nullopt;
    if (!loaded) throw Error("the training images of the epoch ran out before its last step");
    skipped_ += static_cast<int64_t>(loaded->failures.size());
    for (auto& failure : loaded->failures)
      if (failures_.size() < kFailuresReported) failures_.push_back(std::move(failure));
    return {normalised(loaded->images), labels_on_device(loaded->labels)};
  }

  void finish_epoch() override {
    loader_.reset();  // its workers stop: evaluation gets the cores
    if (skipped_ == 0) return;
    std::string text = std::to_string(skipped_) + " training images could not be decoded and were skipped; first:";
    for (const auto& failure : failures_) text += "\n  " + failure;
    say(observer_, log::Level::Warning, text);
  }

  EvaluationResult evaluate(models::ImageClassifier& model, bool with_samples, bool /*with_tta: refused for folders*/,
                            JobControl& control) override {
    const FolderEvaluation evaluation =
        evaluate_image_files(model, *description_.info.test_images, test_positions_, eval_,
                             static_cast<int>(description_.info.class_names.size()),
                             with_samples ? samples_ : std::vector<int64_t>{}, options_.device, control);
    if (evaluation.skipped > 0 && with_samples) {  // said once per epoch, not again for the EMA's pass
      std::string text = std::to_string(evaluation.skipped) + " test images could not be decoded and were skipped; first:";
      for (const auto& failure : evaluation.failures) text += "\n  " + failure;
      say(observer_, log::Level::Warning, text);
    }
    return evaluation.result;
  }

  at::Tensor plain_train_images(int64_t count) override {
    ImageBatchOptions loading;
    loading.batch_size = 256;
    ImageBatchLoader loader(*description_.info.train_images, spread_positions(train_positions_.size(), count), eval_.transform, loading);
    std::vector<at::Tensor> batches;
    while (auto batch = loader.next())
      if (batch->images.size(0) > 0) batches.push_back(normalised(batch->images));
    if (batches.empty()) throw DatasetError(description_.info.root + ": none of the training images could be decoded");
    return at::cat(batches);
  }

 private:
  // uint8 NHWC (pinned on CUDA) to the device without waiting, then (x / 255 - mean) / std there.
  at::Tensor normalised(const at::Tensor& nhwc) const {
    const at::Tensor x = nhwc.to(options_.device, /*non_blocking=*/true).permute({0, 3, 1, 2}).to(at::kFloat);
    const at::Tensor y = (x / 255.0f - mean_) / std_;
    return y.contiguous(options_.channels_last ? at::MemoryFormat::ChannelsLast : at::MemoryFormat::Contiguous);
  }

  at::Tensor labels_on_device(const std::vector<int64_t>& labels) const {
    at::Tensor host = at::tensor(labels, at::kLong);
    if (options_.device.is_cuda()) host = host.pin_memory();
    return host.to(options_.device, /*non_blocking=*/true);
  }

  BatchSourceOptions options_;
  JobObserver& observer_;
  uint64_t seed_;
  TrainTransform transform_;
  FolderEvalOptions eval_;
  DataDescription description_;
  std::vector<int64_t> train_positions_, test_positions_, samples_;
  at::Tensor mean_, std_;
  std::unique_ptr<ImageBatchLoader> loader_;
  int64_t skipped_ = 0;
  std::vector<std::string> failures_;
};

}  // namespace

int64_t folder_image_size(const TrainConfig& config) {
  return config.image_size > 0 ? config.image_size : model_preprocessing(config.model).input_size;
}

std::unique_ptr<TrainBatchSource> open_folder_data(DatasetInfo info, const TrainConfig& config,
                                                   const BatchSourceOptions& options, JobObserver& observer) {
  return std::make_unique<FolderBatchSource>(std::move(info), config, options, observer);
}

std::unique_ptr<TrainBatchSource> open_train_data(const TrainConfig& config, const BatchSourceOptions& options,
                                                  JobObserver& observer) {
  DatasetInfo info = probe_dataset(config.data_path);
  if (info.format == DatasetFormat::ImageFolder || info.format == DatasetFormat::ImageNet)
    return open_folder_data(std::move(info), config, options, observer);
  return open_memory_data(config, options, observer);
}

}  // namespace fovea::engine
