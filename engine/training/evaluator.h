// Test-set evaluation: loss, accuracy, confusion matrix, and top-5 predictions for chosen samples.
#pragma once
#include <functional>
#include <vector>

#include "engine/data/tensor_dataset.h"
#include "engine/job.h"
#include "engine/observer.h"
#include "engine/training/batch_maker.h"

namespace fovea::models {
class ImageClassifier;
}

namespace fovea::engine {

struct EvaluationResult {
  double loss = 0;
  double accuracy = 0;
  double top5_accuracy = 0;            // the label among the 5 highest logits (all of them under 5 classes)
  std::vector<int64_t> confusion;      // classes x classes, row = true class
  std::vector<SamplePrediction> samples;
  std::vector<ImageResult> per_image;  // every image, when the accumulator keeps them
};

// Adds up evaluation results batch by batch, on the evaluation device (one sync at the end), for batches
// from memory or from the image pipeline.
class EvalAccumulator {
 public:
  // `keep_every_image`: also the top-5 and loss of every image (read back once per batch).
  EvalAccumulator(int num_classes, std::vector<int64_t> sample_positions, const at::Device& device,
                  bool keep_every_image = false);
  // `logits` (float) and `labels` on the device; `positions` (CPU int64) of each image in the data set;
  // `host_images` the batch's uint8 NHWC images (on any device), for the sampled positions.
  void add(const at::Tensor& logits, const at::Tensor& labels, const at::Tensor& positions,
           const at::Tensor& host_images);
  int64_t images() const { return images_; }
  EvaluationResult finish();

 private:
  void keep_every_image(const at::Tensor& logits, const at::Tensor& labels, const at::Tensor& positions,
                        const at::Tensor& losses);
  void read_back_samples();
  int num_classes_;
  int64_t k_;
  std::vector<int64_t> wanted_;  // sorted
  int64_t images_ = 0;
  bool keep_every_image_ = false;
  at::Tensor loss_sum_, confusion_, top5_correct_;
  // A batch's sampled images: its top-k on the device until finish() reads them back, so that evaluating
  // never waits for the GPU between batches.
  struct PendingSamples {
    at::Tensor top_probabilities, top_classes, labels;  // the whole batch's, on the device
    std::vector<int64_t> rows, positions;                // the sampled rows and their data-set positions
    at::Tensor images;                                   // the sampled rows' uint8 images
  };
  std::vector<PendingSamples> pending_;
  std::vector<SamplePrediction> samples_;
  std::vector<ImageResult> per_image_;
};

// `split` and `batches` live on the evaluation device; `sample_indices` are positions in the split
// whose predictions (with their images from `host_images`, uint8 NHWC on the CPU) are returned.
// `on_batch`, if given, hears the number of images done after each batch.
EvaluationResult evaluate(models::ImageClassifier& model, const TensorSplit& split, const BatchMaker& batches,
                          int64_t batch_size, int num_classes, const std::vector<int64_t>& sample_indices,
                          const at::Tensor& host_images, JobControl& control, bool bf16_autocast = false,
                          const std::function<void(int64_t)>& on_batch = {}, int tta_level = 0,
                          bool keep_every_image = false);

// Evenly spaced positions, so that the same test images are shown every epoch.
std::vector<int64_t> evenly_spaced(int64_t population, int count);

}  // namespace fovea::engine
