// Evaluation over image files decoded on the fly (ImageFolder, ImageNet): the image pipeline's batches
// (engine/data/image_batches.h) go to the device, are normalised there and added up as in memory.
#pragma once
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "engine/data/image_batches.h"
#include "engine/training/evaluator.h"

namespace fovea::engine {

struct FolderEvalOptions {
  EvalTransform transform;
  ImageBatchOptions batches;
  std::array<float, 3> mean{}, std{1, 1, 1};
  int64_t in_channels = 3;  // 1: images are turned grey (PIL's luma) for models trained on grey images
  bool bf16_autocast = false;
  bool keep_every_image = false;  // EvaluationResult::per_image
  bool resize_on_device = false;  // on a GPU: workers only decode, the GPU resizes and crops
  // On a GPU with a JPEG decoder (engine/data/gpu_jpeg_batches.h): decode there too, faster. Off by
  // default: nvJPEG's pixels are not libjpeg's (PIL's), see docs/PARITY.md.
  bool decode_on_device = false;
};

struct FolderEvaluation {
  EvaluationResult result;
  // When the last result was in: the pipelines' shutdown after it (threads, the GPU decoder's release)
  // is not evaluation time, as timm's validate.py does not count its loader's shutdown.
  std::chrono::steady_clock::time_point finished;
  int64_t skipped = 0;               // files that could not be decoded
  std::vector<std::string> failures;  // the first few, "path: reason"
};

// Evaluates `files` in `order` (positions in the list; all when empty). `on_batch` hears the number of
// files done (decoded or skipped) after each batch.
FolderEvaluation evaluate_image_files(models::ImageClassifier& model, const ImageFileList& files,
                                      std::vector<int64_t> order, const FolderEvalOptions& options, int num_classes,
                                      const std::vector<int64_t>& sample_positions, const at::Device& device,
                                      JobControl& control, const std::function<void(int64_t)>& on_batch = {});

}  // namespace fovea::engine
