// Evaluating a weights file on a data set as an engine job: the GUI and the CLI both evaluate through
// these calls. IDX and CIFAR data sets are evaluated from memory at their own size; image folders
// (ImageFolder, ImageNet) stream through the decoding pipeline with the model's eval preprocessing.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "engine/job.h"

namespace fovea::engine {

struct EvalConfig {
  std::string checkpoint;        // any file engine/weights_file.h reads
  std::string model;             // needed only when the file has no Fovea metadata; the class count then
                                 // comes from the file's classifier head, else from the data set
  bool cifar_stem = false;       // with `model`: ResNet with the 3x3 stride-1 stem
  std::string data_path;         // its test split; a folder data set without one: its only split
  std::string device = "auto";
  int64_t batch_size = 256;
  int64_t limit = 0;             // evaluate the first N images only (0: all)
  bool mixed_precision = false;  // bf16 autocast on a GPU; fp32 gives the reference's numbers
  int sample_predictions = 0;    // images whose top-5 predictions are reported through on_predictions
  bool per_image_results = false;  // every image's top-5 and loss in the summary (EvaluationSummary::per_image)
  int workers = 0;               // image folders: decoding threads (0: one per core)
  bool resize_on_gpu = true;     // image folders on a GPU: workers only decode, the GPU resizes and crops
                                 // (equally sized images together; within one grey level of PIL as on the CPU)
  bool gpu_decode = false;       // image folders on a GPU with a JPEG decoder (nvJPEG): decode there, faster;
                                 // its pixels differ from libjpeg's (PIL's) where colours change (docs/PARITY.md)
};

// Throws ConfigError on the first bad field, naming it.
void validate(const EvalConfig& config);

// A job that evaluates on its own thread and reports on_evaluated (or on_failed) to `observer`, which must
// outlive it.
std::unique_ptr<Job> make_eval_job(EvalConfig config, JobObserver& observer);

// The evaluation itself, on the calling thread. Throws on errors (the job turns them into on_failed).
EvaluationSummary evaluate_checkpoint(const EvalConfig& config, JobControl& control, JobObserver& observer);

}  // namespace fovea::engine
