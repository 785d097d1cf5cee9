// Where a training run's batches come from: a data set held in memory (CIFAR, MNIST: uint8 tensors on
// the device, augmented there) or image folders streamed from disk (decoded, cropped and augmented by
// worker threads). The trainer's loop is the same for both.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "engine/job.h"
#include "engine/observer.h"
#include "engine/train_config.h"
#include "engine/training/data_description.h"
#include "engine/training/evaluator.h"

namespace fovea::models {
class ImageClassifier;
}

namespace fovea::engine {

struct TrainBatch {
  at::Tensor images;  // normalised float NCHW on the device (channels_last memory when asked for)
  at::Tensor labels;  // int64 on the device
};

// How batches are made, beyond what the TrainConfig says.
struct BatchSourceOptions {
  c10::Device device = c10::kCPU;
  bool channels_last = false;
  bool bf16_autocast = false;  // in evaluation
  // Data-parallel training (engine/distributed/distributed_sampler.h): this rank's share of every epoch
  // (DistributedSampler's) and of the test set (every shard_count-th image). 0 of 1: all of them.
  int shard_rank = 0;
  int shard_count = 1;
};

class TrainBatchSource {
 public:
  virtual ~TrainBatchSource() = default;
  virtual const DataDescription& data() const = 0;

  // Every epoch visits the training images in an order drawn from (seed, epoch), so a resumed run sees
  // the uninterrupted run's order; `batch` images per step, the last partial batch dropped.
  // `first_draw`: the images drawn in the run before this epoch (by all ranks). With shards, `batch` is
  // the rank's and the order its share; the rank's image j of step s draws first_draw + s * batch *
  // shard_count + shard_rank * batch + j, so no two ranks share draws.
  virtual void start_epoch(int epoch, int64_t batch, uint64_t first_draw) = 0;
  // Step `step_in_epoch` of the epoch. `first_draw` numbers the random augmentation draws of the batch's
  // first image (the images drawn in the run before it), the next images take the next numbers. A folder
  // batch holds fewer images when files could not be decoded.
  virtual TrainBatch batch(int64_t step_in_epoch, uint64_t first_draw) = 0;
  virtual void finish_epoch() {}

  // The test split through the model (in eval mode); the samples' predictions only when asked for; the
  // configured test-time augmentation only when `with_tta` (the run's last evaluation).
  virtual EvaluationResult evaluate(models::ImageClassifier& model, bool with_samples, bool with_tta,
                                    JobControl& control) = 0;
  // `count` training images without augmentation, normalised (airbench's whitening initialisation).
  virtual at::Tensor plain_train_images(int64_t count) = 0;
};

// Probes config.data_path: image folders stream; every other format is loaded into memory.
std::unique_ptr<TrainBatchSource> open_train_data(const TrainConfig& config, const BatchSourceOptions& options,
                                                  JobObserver& observer);
std::unique_ptr<TrainBatchSource> open_memory_data(const TrainConfig& config, const BatchSourceOptions& options,
                                                   JobObserver& observer);
std::unique_ptr<TrainBatchSource> open_folder_data(DatasetInfo info, const TrainConfig& config,
                                                   const BatchSourceOptions& options, JobObserver& observer);

// Folder data: the training crop's size (config.image_size, or the model's evaluation crop).
int64_t folder_image_size(const TrainConfig& config);

}  // namespace fovea::engine
