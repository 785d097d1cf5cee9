// fovea-cli: everything the GUI does, headless, through the same engine calls.
#include <CLI/CLI.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <functional>
#include <utility>
#include <vector>

#include "app/cli_commands.h"
#include "engine/errors.h"
#include "engine/train_job.h"
#include "engine/training/presets.h"

namespace {

std::string default_run_folder(const std::string& model) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  return "runs/" + model + "-" + stamp;
}

}  // namespace

int main(int argc, char** argv) {
  // Past a file-size limit (ulimit -f) a write then fails with EFBIG, which is reported like a full disk,
  // instead of the default SIGXFSZ ending the process with a half-written temporary file.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{"Fovea: train and inspect image classifiers"};
  app.set_version_flag("--version", std::string("fovea-cli ") + FOVEA_VERSION);
  app.require_subcommand(1);
  bool json = false;

  auto* models = app.add_subcommand("models", "List the models Fovea can build, with parameter counts");
  models->add_flag("--json", json, "Print one JSON object on stdout");

  std::string info_path;
  auto* info = app.add_subcommand("info", "Detect a data set's format and show its classes and counts");
  info->add_option("--data", info_path, "Data set folder or a file in it")->required();
  info->add_flag("--json", json, "Print one JSON object on stdout");

  using fovea::engine::TrainConfig;
  TrainConfig config;
  std::string optimizer = "adam", schedule = "cosine", resume;
  bool no_augment = false, fp32 = false, init_non_strict = false;
  // With --resume, the settings not given on the command line are those of the checkpoint's run.
  std::vector<std::pair<CLI::Option*, std::function<void(TrainConfig&)>>> settings;
  auto setting = [&](CLI::Option* option, auto member) {
    settings.emplace_back(option, [&config, member](TrainConfig& c) { c.*member = config.*member; });
    return option;
  };
  auto* train = app.add_subcommand("train", "Train a model; a checkpoint is written after every epoch");
  setting(train->add_option("--model", config.model, "Model name (see `fovea-cli models`)")->capture_default_str(),
          &TrainConfig::model);
  setting(train->add_flag("--cifar-stem", config.cifar_stem, "ResNet: 3x3 stride-1 stem without max-pool, for small images"),
          &TrainConfig::cifar_stem);
  setting(train->add_option("--data", config.data_path, "Data set folder or a file in it (required unless --resume)"),
          &TrainConfig::data_path);
  setting(train->add_option("--epochs", config.epochs, "Number of epochs, fractions allowed (with --resume: in all, counting those done)")
              ->capture_default_str(),
          &TrainConfig::epochs);
  setting(train->add_option("--batch-size", config.batch_size, "Images per step")->capture_default_str(),
          &TrainConfig::batch_size);
  setting(train->add_option("--lr", config.learning_rate, "Learning rate (default: 0.05 for sgd, 0.001 for adam)"),
          &TrainConfig::learning_rate);
  setting(train->add_option("--optimizer", optimizer, "sgd or adam")->capture_default_str(), &TrainConfig::optimizer);
  setting(train->add_option("--momentum", config.momentum, "SGD momentum")->capture_default_str(), &TrainConfig::momentum);
  setting(train->add_option("--weight-decay", config.weight_decay, "Weight decay (default: 5e-4 for sgd, 0 for adam)"),
          &TrainConfig::weight_decay);
  setting(train->add_option("--schedule", schedule, "Learning-rate schedule: constant or cosine")->capture_default_str(),
          &TrainConfig::schedule);
  setting(train->add_flag("--no-augment", no_augment, "Train without random flips and translations"), &TrainConfig::augment);
  setting(train->add_option("--device", config.device, "auto, cpu, cuda or cuda:N")->capture_default_str(),
          &TrainConfig::device);
  setting(train->add_flag("--fp32", fp32, "Train in float32 on a GPU too (default there: bf16 autocast, channels_last)"),
          &TrainConfig::mixed_precision);
  auto* out = setting(
      train->add_option("--out", config.output_dir,
                        "Folder for checkpoints (default: runs/MODEL-TIME; with --resume, the checkpoint's folder)"),
      &TrainConfig::output_dir);
  setting(train->add_option("--limit-train", config.limit_train, "Use only the first N training images"),
          &TrainConfig::limit_train);
  setting(train->add_option("--limit-test", config.limit_test, "Use only the first N test images"), &TrainConfig::limit_test);
  setting(train->add_option("--seed", config.seed, "Random seed")->capture_default_str(), &TrainConfig::seed);
  auto* resume_option = train->add_option(
      "--resume", resume, "Continue the run of this Fovea checkpoint (weights, optimizer, step, epoch); its settings "
                          "are the defaults");
  train->add_option("--init-from", config.init_from,
                    "Start from these weights (Fovea checkpoint, safetensors or PyTorch .pth/.pt); a classifier head "
                    "of another class count is replaced")
      ->excludes(resume_option);
  train->add_flag("--init-non-strict", init_non_strict, "With --init-from: load the tensors that fit, report the rest");
  std::string preset;
  auto* preset_option = train->add_option("--preset", preset,
                                          "Start from a recipe (see `fovea-cli presets`); options given also apply")
                            ->excludes(resume_option);
  bool no_decay_norms = false;
  setting(train->add_flag("--nesterov", config.nesterov, "SGD: Nesterov momentum"), &TrainConfig::nesterov);
  setting(train->add_flag("--no-decay-norms-biases", no_decay_norms, "No weight decay on norm scales and biases"),
          &TrainConfig::decay_norms_and_biases);
  setting(train->add_option("--backbone-lr-scale", config.backbone_lr_scale,
                            "Learning rate of all but the classifier head, relative to it (fine-tuning)"),
          &TrainConfig::backbone_lr_scale);
  setting(train->add_option("--norm-bias-lr-scale", config.norm_bias_lr_scale,
                            "Learning rate of normalisation biases, relative (their weight decay divided by it)"),
          &TrainConfig::norm_bias_lr_scale);
  setting(train->add_option("--warmup-epochs", config.warmup_epochs, "Linear learning-rate warm-up (epochs)"),
          &TrainConfig::warmup_epochs);
  setting(train->add_option("--warmup-from", config.warmup_from,
                            "Warm-up starts at this fraction of the learning rate (0: from zero)"),
          &TrainConfig::warmup_from);
  setting(train->add_option("--final-lr", config.final_lr_fraction,
                            "Cosine and linear decay end at this fraction of the learning rate"),
          &TrainConfig::final_lr_fraction);
  setting(train->add_option("--step-epochs", config.step_epochs, "Step schedule: epochs between decays"),
          &TrainConfig::step_epochs);
  setting(train->add_option("--step-gamma", config.step_gamma, "Step schedule: factor per decay"), &TrainConfig::step_gamma);
  setting(train->add_option("--label-smoothing", config.label_smoothing, "Cross-entropy label smoothing (0-1)"),
          &TrainConfig::label_smoothing);
  setting(train->add_option("--mixup", config.mixup_alpha, "Mixup alpha (0: off)"), &TrainConfig::mixup_alpha);
  setting(train->add_option("--cutmix", config.cutmix_alpha, "CutMix alpha (0: off)"), &TrainConfig::cutmix_alpha);
  setting(train->add_option("--ema", config.ema_decay, "Keep and evaluate a weight average with this decay (0: off)"),
          &TrainConfig::ema_decay);
  setting(train->add_option("--lookahead", config.lookahead_every,
                            "airbench's lookahead: every N steps the weights join their running average (0: off)"),
          &TrainConfig::lookahead_every);
  setting(train->add_option("--lookahead-start-epochs", config.lookahead_start_epochs,
                            "Epochs trained before the lookahead starts"),
          &TrainConfig::lookahead_start_epochs);
  setting(train->add_option("--clip-grad", config.grad_clip_norm, "Clip the gradient norm to this (0: off)"),
          &TrainConfig::grad_clip_norm);
  setting(train->add_option("--tta", config.tta, "Test-time augmentation of the last epoch's evaluation: 0 none, 1 mirror, 2 mirror + shifts"),
          &TrainConfig::tta);
  setting(train->add_option("--whiten-bias-epochs", config.whiten_bias_epochs,
                            "airbench94: epochs to train the whitening bias"),
          &TrainConfig::whiten_bias_epochs);
  setting(train->add_option("--pad-to", config.pad_to, "Zero-pad smaller images to this size"), &TrainConfig::pad_to);
  setting(train->add_flag("--rgb", config.force_rgb, "Repeat grey images to 3 channels"), &TrainConfig::force_rgb);
  setting(train->add_option("--image-size", config.image_size,
                            "Image folders: the square training and evaluation crop (default: the model's, e.g. 224)"),
          &TrainConfig::image_size);
  setting(train->add_option("--train-crop", config.train_crop,
                            "Image folders: rrc (random resized crop), pad-crop (4-pixel padding, random crop) or none")
              ->capture_default_str(),
          &TrainConfig::train_crop);
  std::string randaugment;
  auto* randaugment_option = train->add_option(
      "--randaugment", randaugment, "Image folders: RandAugment with N operations at magnitude M (0-30), e.g. 2,9 (default: off)");
  setting(setting(randaugment_option, &TrainConfig::randaugment_ops), &TrainConfig::randaugment_magnitude);
  bool no_flip = false;
  setting(train->add_flag("--no-flip", no_flip, "Train without random horizontal flips"), &TrainConfig::flip);
  setting(train->add_flag("--flip", config.flip_idx,
                          "Flip IDX data sets too (Fashion-MNIST; by default only photographs are flipped)"),
          &TrainConfig::flip_idx);
  setting(train->add_option("--precise-bn", config.precise_bn,
                            "In-memory data sets: before each evaluation, recompute BatchNorm statistics from N "
                            "training images (default: 0, off)"),
          &TrainConfig::precise_bn);
  setting(train->add_option("--cutout", config.cutout,
                            "In-memory data sets: erase a random square of N pixels per image to the mean (default: 0, off)"),
          &TrainConfig::cutout);

  int gpus = 0;
  auto* gpus_option = train->add_option(
      "--gpus", gpus,
      "Data-parallel training in N local worker processes, one per GPU (on a CPU-only machine: N CPU processes "
      "over Gloo); --batch-size is the global batch, split evenly. Under torchrun or srun leave it out: the "
      "environment's WORLD_SIZE, RANK, ... are picked up");
  gpus_option->check(CLI::Range(1, 1024));

  auto* presets = app.add_subcommand("presets", "List the training presets");
  presets->add_flag("--json", json, "Print one JSON object on stdout");
  train->add_flag("--json", json, "Print one JSON object on stdout");
  bool progress_json = false;
  train->add_flag("--progress-json", progress_json,
                  "Report progress, metrics, test predictions and log lines as one JSON object per line on stderr "
                  "(what the GUI reads from its worker processes)");

  fovea::engine::EvalConfig eval_config;
  auto* eval = app.add_subcommand("eval", "Evaluate a checkpoint on a data set: Acc@1, Acc@5, loss");
  eval->add_option("--checkpoint", eval_config.checkpoint,
                   "Fovea checkpoint, safetensors or PyTorch .pth/.pt file")->required();
  eval->add_option("--model", eval_config.model, "Model name, for files without Fovea metadata (see `fovea-cli models`)");
  eval->add_flag("--cifar-stem", eval_config.cifar_stem, "With --model: ResNet with the 3x3 stride-1 stem");
  eval->add_option("--data", eval_config.data_path, "Data set folder or a file in it (its test split)")->required();
  eval->add_option("--device", eval_config.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  eval->add_option("--batch-size", eval_config.batch_size, "Images per batch")->capture_default_str();
  eval->add_option("--limit", eval_config.limit, "Evaluate only the first N images");
  eval->add_flag("--bf16", eval_config.mixed_precision, "bf16 autocast on a GPU (default: float32)");
  std::string results_path;
  eval->add_option("--results", results_path, "Write every image's top-5 classes and loss to this CSV file");
  eval->add_option("--workers", eval_config.workers, "Image folders: decoding threads (default: one per core)");
  bool resize_on_cpu = false;
  eval->add_flag("--resize-on-cpu", resize_on_cpu,
                 "Image folders on a GPU: the decoding threads also resize and crop (default: they only decode, the "
                 "GPU resizes and crops, faster)");
  eval->add_flag("--gpu-decode", eval_config.gpu_decode,
                 "Image folders on an NVIDIA GPU: decode JPEGs there (nvJPEG), faster; its pixels are not exactly "
                 "libjpeg's (PIL's), so results can differ slightly from timm's");
  eval->add_flag("--json", json, "Print one JSON object on stdout");

  fovea::cli::PredictRequest predict_request;
  auto* predict = app.add_subcommand("predict", "Classify image files: the top classes with their probabilities");
  predict->add_option("--checkpoint", predict_request.checkpoint,
                      "Fovea checkpoint, safetensors or PyTorch .pth/.pt file")->required();
  predict->add_option("--model", predict_request.choice.model,
                      "Model name, for files without Fovea metadata (see `fovea-cli models`)");
  predict->add_flag("--cifar-stem", predict_request.choice.cifar_stem, "With --model: ResNet with the 3x3 stride-1 stem");
  predict->add_option("--num-classes", predict_request.choice.num_classes,
                      "With --model: class count (default: the rows of the file's fc/head weight)");
  predict->add_option("--image-size", predict_request.choice.image_size, "With --model: input size (default: the model's)");
  predict->add_option("images", predict_request.images, "Image files (JPEG, PNG, BMP, WebP, ...)")->required();
  predict->add_option("--topk", predict_request.top_k, "Classes to show per image")->capture_default_str();
  predict->add_option("--saliency", predict_request.saliency_dir,
                      "Write a Grad-CAM overlay of the best class per image into this folder (CNNs)");
  predict->add_option("--device", predict_request.device, "auto, cpu, cuda or cuda:N")->capture_default_str();
  predict->add_flag("--json", json, "Print one JSON object on stdout");

  fovea::engine::ExportRequest export_request;
  std::string export_format;
  auto* export_ = app.add_subcommand("export", "Export a model: ONNX for onnxruntime, or a safetensors state dict");
  export_->add_option("--checkpoint", export_request.checkpoint,
                      "Fovea checkpoint, safetensors or PyTorch .pth/.pt file")->required();
  export_->add_option("--model", export_request.choice.model,
                      "Model name, for files without Fovea metadata (see `fovea-cli models`)");
  export_->add_flag("--cifar-stem", export_request.choice.cifar_stem, "With --model: ResNet with the 3x3 stride-1 stem");
  export_->add_option("--num-classes", export_request.choice.num_classes,
                      "With --model: class count (default: the rows of the file's fc/head weight)");
  export_->add_option("--in-channels", export_request.choice.in_channels, "With --model: image channels")
      ->capture_default_str();
  export_->add_option("--image-size", export_request.choice.image_size, "With --model: input size (default: the model's)");
  export_->add_option("--format", export_format, "onnx or safetensors")
      ->required()
      ->check(CLI::IsMember({"onnx", "safetensors"}));
  export_->add_option("--out", export_request.out, "File to write (replaced atomically)")->required();
  export_->add_flag("--json", json, "Print one JSON object on stdout");

  fovea::engine::DownloadRequest download_request;
  download_request.destination = "data";
  auto* download = app.add_subcommand("download", "Download CIFAR-10, CIFAR-100 or Fashion-MNIST (checksummed, resumable)");
  download->add_option("name", download_request.name, "cifar10, cifar10-binary, cifar100, cifar100-binary or fashion-mnist")
      ->required();
  download->add_option("--dest", download_request.destination, "Folder to download into")->capture_default_str();
  download->add_option("--mirror", download_request.mirror,
                       "Base URL to fetch the files from instead of the official one (default: $FOVEA_DATASET_MIRROR)");
  download->add_flag("--json", json, "Print one JSON object on stdout");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    if (*models) return fovea::cli::run_models(json);
    if (*info) return fovea::cli::run_info(info_path, json);
    if (*presets) return fovea::cli::run_presets(json);
    if (*eval) {
      eval_config.per_image_results = !results_path.empty();
      eval_config.resize_on_gpu = !resize_on_cpu;
      return fovea::cli::run_eval(eval_config, results_path, json);
    }
    if (*predict) return fovea::cli::run_predict(predict_request, json);
    if (*download) return fovea::cli::run_download(download_request, json);
    if (*export_) {
      export_request.format = fovea::engine::parse_export_format(export_format);
      return fovea::cli::run_export(export_request, json);
    }
    if (*train) {
      config.optimizer = fovea::engine::parse_optimizer(optimizer);
      config.schedule = fovea::engine::parse_schedule(schedule);
      config.augment = !no_augment;
      config.flip = !no_flip;
      if (!randaugment.empty()) fovea::engine::parse_randaugment(randaugment, config);
      config.mixed_precision = !fp32;
      config.init_strict = !init_non_strict;
      config.decay_norms_and_biases = !no_decay_norms;
      if (*preset_option) {
        TrainConfig recipe;
        fovea::engine::apply_preset(preset, recipe);
        for (const auto& [option, copy] : settings) {
          if (option->count() > 0) copy(recipe);
        }
        recipe.init_from = config.init_from;
        recipe.init_strict = config.init_strict;
        config = recipe;
      }
      if (!resume.empty()) {
        TrainConfig resumed = fovea::engine::recorded_train_config(resume);
        for (const auto& [option, copy] : settings) {
          if (option->count() > 0) copy(resumed);
        }
        if (!*out) resumed.output_dir = std::filesystem::path(resume).parent_path().string();
        config = resumed;
      }
      if (config.data_path.empty()) throw fovea::engine::ConfigError("--data is required (unless --resume is given)");
      if (config.output_dir.empty()) config.output_dir = default_run_folder(config.model);
      if (gpus > 1) {
        // The workers get this command line without --gpus, and the run folder chosen here (one for all).
        std::vector<std::string> arguments;
        for (int i = 1; i < argc; ++i) {
          const std::string a = argv[i];
          if (a == "--gpus") ++i;
          else if (a.rfind("--gpus=", 0) != 0) arguments.push_back(a);
        }
        if (!*out) arguments.insert(arguments.end(), {"--out", config.output_dir});
        return fovea::cli::run_train_workers(arguments, gpus);
      }
      return fovea::cli::run_train(config, json, progress_json);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fovea-cli: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
