// Batches from a data set held in memory: uint8 images on the device, augmented there by BatchMaker.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <optional>

#include "engine/data/tensor_dataset.h"
#include "engine/distributed/distributed_sampler.h"
#include "engine/training/batch_maker.h"
#include "engine/training/train_batch_source.h"

namespace fovea::engine {
namespace {

constexpr int64_t kMaxTranslate = 2;

class MemoryBatchSource final : public TrainBatchSource {
 public:
  MemoryBatchSource(const TrainConfig& config, const BatchSourceOptions& options, JobObserver& observer)
      : options_(options), tta_(config.tta), seed_(config.seed) {
    TensorDataset data = load_tensor_dataset(config.data_path, config.limit_train, config.limit_test);
    reshape_images(data, config.pad_to, config.force_rgb);
    if (config.randaugment_ops > 0 || config.image_size > 0)
      say(observer, log::Level::Warning,
          data.info.format_name + " is trained from memory at its own image size: the image size and RandAugment "
                                  "settings apply to image folders only");
    if (options.shard_count > 1) {  // this rank evaluates every shard_count-th test image
      const at::Tensor mine = strided_positions(data.test.size(), options.shard_rank, options.shard_count);
      data.test = {data.test.images.index_select(0, mine), data.test.labels.index_select(0, mine)};
    }
    host_test_images_ = data.test.images;
    train_ = data.train.to(options.device);
    test_ = data.test.to(options.device);
    BatchOptions train_options;
    train_options.mean = data.mean;
    train_options.std = data.std;
    train_options.seed = config.seed;
    train_options.channels_last = options.channels_last;
    train_options.max_translate = config.augment ? kMaxTranslate : 0;
    // Mirror images only for photographs: a flipped digit or letter is another symbol.
    train_options.random_flip = config.augment && config.flip && (config.flip_idx || mirror_invariant(data.info.format));
    train_options.cutout = config.augment ? config.cutout : 0;
    test_options_ = train_options;
    test_options_.max_translate = 0;
    test_options_.random_flip = false;
    test_options_.cutout = 0;
    train_batches_.emplace(train_.images, train_options);
    test_batches_.emplace(test_.images, test_options_);
    sample_positions_ = evenly_spaced(test_.size(), config.sample_predictions);
    eval_batch_ = 2 * std::min(config.batch_size, train_.size());
    description_.info = std::move(data.info);
    description_.mean = data.mean;
    description_.std = data.std;
    description_.train_images = train_.size();
  }

  const DataDescription& data() const override { return description_; }

  void start_epoch(int epoch, int64_t batch, uint64_t) override {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(seed_ * 1000003ULL + static_cast<uint64_t>(epoch));
    order_ = at::randperm(train_.size(), generator, at::kLong);
    if (options_.shard_count > 1) order_ = shard_order(order_, options_.shard_rank, options_.shard_count);
    order_ = order_.to(options_.device);
    batch_ = batch;
  }

  TrainBatch batch(int64_t step_in_epoch, uint64_t first_draw) override {
    const at::Tensor idx = order_.slice(0, step_in_epoch * batch_, (step_in_epoch + 1) * batch_);
    return {train_batches_->make(idx, first_draw), train_.labels.index_select(0, idx)};
  }

  EvaluationResult evaluate(models::ImageClassifier& model, bool with_samples, bool with_tta, JobControl& control) override {
    EvaluationResult result =
        engine::evaluate(model, test_, *test_batches_, eval_batch_, static_cast<int>(description_.info.class_names.size()),
                         with_samples ? sample_positions_ : std::vector<int64_t>{}, host_test_images_, control,
                         options_.bf16_autocast, {}, with_tta ? tta_ : 0);
    for (SamplePrediction& s : result.samples)  // positions in the whole test set
      s.index = s.index * options_.shard_count + options_.shard_rank;
    return result;
  }

  at::Tensor plain_train_images(int64_t count) override {
    const BatchMaker plain(train_.images, test_options_);
    return plain.make(at::arange(std::min(count, train_.size()), at::TensorOptions(at::kLong).device(options_.device)), 0)
        .to(at::kFloat);
  }

 private:
  BatchSourceOptions options_;
  int tta_;
  uint64_t seed_;
  DataDescription description_;
  TensorSplit train_, test_;
  at::Tensor host_test_images_, order_;
  BatchOptions test_options_;
  std::optional<BatchMaker> train_batches_, test_batches_;
  std::vector<int64_t> sample_positions_;
  int64_t eval_batch_ = 0, batch_ = 1;
};

}  // namespace

std::unique_ptr<TrainBatchSource> open_memory_data(const TrainConfig& config, const BatchSourceOptions& options,
                                                   JobObserver& observer) {
  return std::make_unique<MemoryBatchSource>(config, options, observer);
}

}  // namespace fovea::engine
