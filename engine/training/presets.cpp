#include "engine/training/presets.h"

#include "engine/errors.h"

namespace fovea::engine {
namespace {

// The ROCm blog's ResNet-18 script: torchvision ResNet-18, Adam lr 0.01, weight decay 1e-4, batch 256,
// 8 epochs, plain cross-entropy, no augmentation; grey 28x28 images padded to 32x32 RGB. The script
// evaluates without model.eval(), on each test batch's own BatchNorm statistics; Fovea evaluates in eval
// mode, on statistics re-estimated from 8,192 training images first ("precise BN"), which takes the
// running averages' lag behind Adam's fast-moving weights out of the test accuracy. Training is unchanged.
// Every preset sets every field it uses: choosing one after another leaves nothing of the first.

// No per-group rate for norm biases, the plain warm-up and decay, no lookahead and no weight average.
void plain_rates_and_weights(TrainConfig& c) {
  c.norm_bias_lr_scale = 1;
  c.warmup_from = 0;
  c.final_lr_fraction = 0;
  c.lookahead_every = 0;
  c.ema_decay = 0;
}

void resnet18_cifar_adam(TrainConfig& c) {
  c.model = "resnet18";
  c.cifar_stem = false;
  c.optimizer = OptimizerKind::Adam;
  c.learning_rate = 0.01;
  c.weight_decay = 1e-4;
  c.batch_size = 256;
  c.epochs = 8;
  c.schedule = LrSchedule::Constant;
  c.augment = false;
  c.pad_to = 32;
  c.force_rgb = true;
  c.precise_bn = 8192;
  c.flip_idx = false;
  plain_rates_and_weights(c);
}

// airbench94 (Keller Jordan): its network with the whitening init and 3 epochs of whitening-bias
// training; Nesterov SGD, momentum 0.85, lr 11.5 and weight decay 0.0153 "per 1,024 images" of a summed
// loss, i.e. PyTorch SGD with lr 11.5 / k and weight_decay (0.0153 * 1024 / k) / lr, k = 1024 * (1 + 1 / (1 -
// 0.85)). On Fovea's mean loss (gradients 1,024 times smaller at batch 1,024) that is lr 11.5 * 1024 / k = 1.5
// and weight decay 0.0153 * 1024 / 11.5 / 1024 = 0.0153 / 11.5; BatchNorm biases learn 64 times faster with
// their decay divided by 64. The rate rises from 0.2 to 1 over the first 23 % of the steps, then falls to
// 0.07; label smoothing 0.2; flip + 2-pixel translate of every image (IDX data sets too); batch 1,024,
// 9.9 epochs; lookahead every 5 steps from epoch 3; mirror-and-shift TTA.
void fast_cifar(TrainConfig& c) {
  c.model = "airbench94";
  c.optimizer = OptimizerKind::Sgd;
  c.nesterov = true;
  c.momentum = 0.85;
  c.learning_rate = 11.5 * 1024.0 / (1024.0 * (1.0 + 1.0 / (1.0 - 0.85)));
  c.weight_decay = 0.0153 / 11.5;
  c.decay_norms_and_biases = true;
  c.norm_bias_lr_scale = 64;
  c.schedule = LrSchedule::Linear;
  c.warmup_epochs = 2.3;
  c.warmup_from = 0.2;
  c.final_lr_fraction = 0.07;
  c.label_smoothing = 0.2;
  c.augment = true;
  c.flip_idx = true;
  c.precise_bn = 0;
  c.batch_size = 1024;
  c.epochs = 9.9;
  c.ema_decay = 0;
  c.lookahead_every = 5;
  c.lookahead_start_epochs = 3;
  c.tta = 2;
  c.whiten_bias_epochs = 3;
}

// timm's fine-tuning defaults for ViT (AdamW, cosine with warm-up, label smoothing 0.1, no decay on
// norms and biases, gradient clipping 1.0) at a fine-tuning learning rate; the head learns 10x faster.
void vit_finetune(TrainConfig& c) {
  plain_rates_and_weights(c);
  c.model = "vit_small";
  c.optimizer = OptimizerKind::AdamW;
  c.learning_rate = 1e-4;
  c.weight_decay = 0.05;
  c.decay_norms_and_biases = false;
  c.backbone_lr_scale = 0.1;
  c.schedule = LrSchedule::Cosine;
  c.warmup_epochs = 1;
  c.label_smoothing = 0.1;
  c.grad_clip_norm = 1.0;
  c.batch_size = 64;
  c.epochs = 10;
  c.augment = true;
  c.flip_idx = false;
  c.precise_bn = 0;
  c.ema_decay = 0.999;
}

// hustvl/Vim's fine-tuning recipe (AdamW, weight decay 0.05 without norms and biases, cosine with
// warm-up, label smoothing 0.1, mixup 0.8 / cutmix 1.0, EMA) at a fine-tuning learning rate.
void vim_finetune(TrainConfig& c) {
  vit_finetune(c);
  c.model = "vim_tiny";
  c.grad_clip_norm = 0;
  c.mixup_alpha = 0.8;
  c.cutmix_alpha = 1.0;
  c.ema_decay = 0.9996;
}

}  // namespace

const std::vector<TrainPreset>& train_presets() {
  static const std::vector<TrainPreset> presets = {
      {"resnet18-cifar-adam", "ResNet-18, Adam lr 0.01, batch 256, 8 epochs (the ROCm ResNet blog's script)",
       resnet18_cifar_adam},
      {"fast-cifar", "airbench94: whitening init, Nesterov SGD, label smoothing, EMA, TTA, batch 1,024", fast_cifar},
      {"vit-finetune", "ViT-S fine-tuning: AdamW, cosine with warm-up, label smoothing, EMA (timm's defaults)",
       vit_finetune},
      {"vim-finetune", "Vim-Ti fine-tuning: AdamW, cosine, mixup/cutmix, EMA (hustvl/Vim's recipe)", vim_finetune},
  };
  return presets;
}

void apply_preset(const std::string& name, TrainConfig& config) {
  std::string known;
  for (const TrainPreset& preset : train_presets()) {
    if (preset.name == name) {
      preset.apply(config);
      config.preset = name;
      return;
    }
    known += (known.empty() ? "" : ", ") + preset.name;
  }
  throw ConfigError("unknown preset '" + name + "' (known: " + known + ")");
}

}  // namespace fovea::engine
