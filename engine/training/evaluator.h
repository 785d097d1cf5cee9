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
};

// `split` and `batches` live on the evaluation device; `sample_indices` are positions in the split
// whose predictions (with their images from `host_images`, uint8 NHWC on the CPU) are returned.
// `on_batch`, if given, hears the number of images done after each batch.
EvaluationResult evaluate(models::ImageClassifier& model, const TensorSplit& split, const BatchMaker& batches,
                          int64_t batch_size, int num_classes, const std::vector<int64_t>& sample_indices,
                          const at::Tensor& host_images, JobControl& control, bool bf16_autocast = false,
                          const std::function<void(int64_t)>& on_batch = {});

// Evenly spaced positions, so that the same test images are shown every epoch.
std::vector<int64_t> evenly_spaced(int64_t population, int count);

}  // namespace fovea::engine
