// Everything that defines a training run. Plain data: the GUI and the CLI fill it in the same way.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fovea::engine {

enum class OptimizerKind { Sgd, Adam, AdamW };
// After the optional linear warm-up: constant, cosine to 0, step decay, or linear decay to 0 (with a
// warm-up, the one-cycle shape).
enum class LrSchedule { Constant, Cosine, Step, Linear };

struct TrainConfig {
  std::string model = "resnet18";
  bool cifar_stem = false;          // ResNet: 3x3 stride-1 stem, no max-pool
  std::string data_path;
  double epochs = 10;               // fractions end part-way through the last epoch (airbench: 9.9)
  int64_t batch_size = 64;
  double learning_rate = 0;         // 0: the optimizer's default (default_learning_rate)
  OptimizerKind optimizer = OptimizerKind::Adam;
  double momentum = 0.9;            // SGD
  bool nesterov = false;            // SGD
  double weight_decay = -1;         // negative: the optimizer's default (default_weight_decay)
  bool decay_norms_and_biases = true;  // false: no weight decay on 1-D parameters (norm scales, biases), as timm
  double backbone_lr_scale = 1;     // the learning rate of all but the classifier head, relative (fine-tuning)
  // The learning rate of normalisation layers' biases, relative (airbench: 64); their weight decay is divided
  // by the same factor, so that the decay each step takes off them stays as it was.
  double norm_bias_lr_scale = 1;
  LrSchedule schedule = LrSchedule::Cosine;
  double warmup_epochs = 0;         // linear warm-up from 0 over this many epochs (fractions allowed)
  double warmup_from = 0;           // > 0: the warm-up starts at this fraction of the rate (airbench: 0.2)
  double final_lr_fraction = 0;     // cosine and linear decay end at this fraction of the rate (airbench: 0.07)
  int step_epochs = 30;             // Step schedule: multiply by step_gamma every step_epochs epochs
  double step_gamma = 0.1;
  double label_smoothing = 0;       // cross-entropy target smoothing, 0..1
  double mixup_alpha = 0;           // > 0: mixup with lambda ~ Beta(alpha, alpha)
  double cutmix_alpha = 0;          // > 0: cutmix; with both, each batch uses one of them (even odds)
  double ema_decay = 0;             // > 0: an exponential moving average of the weights, evaluated too
  // > 0: airbench's lookahead every this many steps from lookahead_start_epochs on (weight_lookahead.h):
  // the weights join a running average of themselves; the trained model is the average.
  int lookahead_every = 0;
  int lookahead_start_epochs = 3;
  double grad_clip_norm = 0;        // > 0: clip the gradients' global L2 norm to this
  int tta = 0;                      // test-time augmentation of the last evaluation: 0 none, 1 mirror, 2 mirror + 1-pixel shifts
  int whiten_bias_epochs = 0;       // airbench94: train the whitening conv's bias for this many epochs, then freeze it
  int64_t pad_to = 0;               // > 0: zero-pad smaller images to this size (e.g. 28 -> 32)
  bool force_rgb = false;           // grey images repeated to 3 channels
  std::string preset;               // the preset this configuration started from, for the record
  bool augment = true;              // random 2-pixel translate; also horizontal flips for photographs (CIFAR)
  bool flip = true;                 // with augment: random horizontal flips of photographs (false: none)
  bool flip_idx = false;            // flip IDX data sets too (Fashion-MNIST's clothes are mirror-symmetric, MNIST's digits not)
  int64_t cutout = 0;               // with augment, in-memory data sets: a random square of this side set to the mean
  int64_t precise_bn = 0;           // > 0: before each evaluation, BatchNorm statistics from this many training images
  // Image folders (ImageFolder, ImageNet), decoded and augmented on the fly by worker threads:
  int64_t image_size = 0;           // the square training and evaluation crop; 0: the model's evaluation crop
  std::string train_crop = "rrc";   // rrc (RandomResizedCrop), pad-crop (RandomCrop, 4-pixel padding) or none
  int randaugment_ops = 0;          // RandAugment operations per image (0: off)
  int randaugment_magnitude = 9;    // RandAugment's magnitude bin, 0..30
  std::string device = "auto";      // auto, cpu, cuda, cuda:N
  bool mixed_precision = true;      // bf16 autocast (and channels_last for CNNs) when training on a GPU
  std::string output_dir;           // checkpoints go here; empty: no checkpoints
  int64_t limit_train = 0;          // use only the first N training images (0: all)
  int64_t limit_test = 0;
  uint64_t seed = 0;
  int sample_predictions = 32;      // test images whose predictions are reported each epoch
  // Continue the run that wrote this Fovea checkpoint: its weights, optimizer state, step and epoch
  // (epochs above is the run's total). Same seed, data and settings: the same steps as never stopping.
  std::string resume_from;
  // Start a new run from these weights (any file engine/weights_file.h reads): fine-tuning. A classifier
  // head of another class count is replaced by the model's new one.
  std::string init_from;
  bool init_strict = true;          // init_from: refuse weights that do not fit (but for the head); false: load what fits
};

double default_learning_rate(OptimizerKind kind);
double default_weight_decay(OptimizerKind kind);
const char* optimizer_name(OptimizerKind kind);
const char* schedule_name(LrSchedule schedule);
// Parse user text; throw ConfigError naming the bad value and the accepted ones.
OptimizerKind parse_optimizer(const std::string& text);
LrSchedule parse_schedule(const std::string& text);
std::vector<std::string> optimizer_names();
std::vector<std::string> schedule_names();

// "N,M" (RandAugment's num_ops and magnitude) into the config; throws ConfigError naming the text.
void parse_randaugment(const std::string& text, TrainConfig& config);

// The run's length: ceil(epochs * steps_per_epoch) optimizer steps over ceil(epochs) epochs, the last one
// cut short when epochs has a fraction (airbench94 trains 9.9 epochs: 476 steps of 48 a epoch).
int64_t total_train_steps(const TrainConfig& config, int64_t steps_per_epoch);
int epoch_count(const TrainConfig& config);

// Throws ConfigError on the first bad field, naming it.
void validate(const TrainConfig& config);

}  // namespace fovea::engine
