#include "models/registry.h"

#include <stdexcept>

#include "models/airbench.h"
#include "models/mamba2.h"
#include "models/resnet.h"
#include "models/vim.h"
#include "models/vit.h"

namespace fovea::models {
namespace {

constexpr std::array<double, 3> kImagenetMean = {0.485, 0.456, 0.406};
constexpr std::array<double, 3> kImagenetStd = {0.229, 0.224, 0.225};
constexpr int64_t kSmallImage = 64;  // below this, token models use 4-pixel patches

Preprocessing preprocessing(int64_t size, double crop_pct, const char* interpolation, std::array<double, 3> mean,
                            std::array<double, 3> std) {
  return {size, crop_pct, interpolation, mean, std};
}

int64_t image_size_of(const ModelSpec& spec, int64_t fallback) { return spec.image_size > 0 ? spec.image_size : fallback; }
int64_t patch_for(int64_t image_size, int64_t patch) { return image_size < kSmallImage ? 4 : patch; }

ModelEntry resnet_entry(std::string name, std::string description, ResNetOptions (*base)()) {
  ModelEntry e{std::move(name), "resnet", {}, std::move(description),
               preprocessing(224, 0.875, "bilinear", kImagenetMean, kImagenetStd), nullptr};
  e.create = [base](const ModelSpec& spec) -> std::shared_ptr<ImageClassifier> {
    ResNetOptions o = base();
    o.num_classes = spec.num_classes;
    o.in_channels = spec.in_channels;
    o.cifar_stem = spec.cifar_stem;
    return ResNet(o).ptr();
  };
  return e;
}

ModelEntry vit_entry(std::string name, std::string alias, std::string description, ViTOptions (*base)()) {
  ModelEntry e{std::move(name), "vit", {std::move(alias)}, std::move(description),
               preprocessing(224, 0.9, "bicubic", {0.5, 0.5, 0.5}, {0.5, 0.5, 0.5}), nullptr};
  e.create = [base](const ModelSpec& spec) -> std::shared_ptr<ImageClassifier> {
    ViTOptions o = base();
    o.image_size = image_size_of(spec, o.image_size);
    o.patch_size = patch_for(o.image_size, o.patch_size);
    o.num_classes = spec.num_classes;
    o.in_channels = spec.in_channels;
    return ViT(o).ptr();
  };
  return e;
}

ModelEntry vim_entry(std::string name, std::string alias, std::string description, VimOptions (*base)()) {
  ModelEntry e{std::move(name), "vim", {std::move(alias)}, std::move(description),
               preprocessing(224, 0.875, "bicubic", kImagenetMean, kImagenetStd), nullptr};
  e.create = [base](const ModelSpec& spec) -> std::shared_ptr<ImageClassifier> {
    VimOptions o = base();
    o.image_size = image_size_of(spec, o.image_size);
    if (o.image_size < kSmallImage) o.patch_size = o.stride = 4;
    o.num_classes = spec.num_classes;
    o.in_channels = spec.in_channels;
    return Vim(o).ptr();
  };
  return e;
}

ModelEntry mamba2_entry() {
  ModelEntry e{"mamba2_tiny", "mamba2", {}, "Mamba-2 (SSD) blocks, 12 x 192, mean-pooled",
               preprocessing(224, 0.875, "bicubic", kImagenetMean, kImagenetStd), nullptr};
  e.create = [](const ModelSpec& spec) -> std::shared_ptr<ImageClassifier> {
    Mamba2VisionOptions o;
    o.image_size = image_size_of(spec, o.image_size);
    o.patch_size = patch_for(o.image_size, o.patch_size);
    o.num_classes = spec.num_classes;
    o.in_channels = spec.in_channels;
    return Mamba2Vision(o).ptr();
  };
  return e;
}

ModelEntry airbench_entry() {
  ModelEntry e{"airbench94", "airbench", {"fast_cifar"}, "airbench94's fast CIFAR-10 network",
               preprocessing(32, 1.0, "bilinear", {0.4914, 0.4822, 0.4465}, {0.2470, 0.2435, 0.2616}), nullptr};
  e.create = [](const ModelSpec& spec) -> std::shared_ptr<ImageClassifier> {
    AirbenchOptions o;
    o.num_classes = spec.num_classes;
    o.in_channels = spec.in_channels;
    return AirbenchNet(o).ptr();
  };
  return e;
}

std::vector<ModelEntry> build_registry() {
  const std::string vim_suffix = "_224_bimambav2_final_pool_mean_abs_pos_embed_with_midclstok_div2";
  return {
      resnet_entry("resnet18", "ResNet-18 (torchvision)", resnet18_options),
      resnet_entry("resnet34", "ResNet-34 (torchvision)", resnet34_options),
      resnet_entry("resnet50", "ResNet-50 (torchvision, V1.5)", resnet50_options),
      vit_entry("vit_tiny", "vit_tiny_patch16_224", "ViT-Ti/16 (timm)", vit_tiny_options),
      vit_entry("vit_small", "vit_small_patch16_224", "ViT-S/16 (timm)", vit_small_options),
      vit_entry("vit_base", "vit_base_patch16_224", "ViT-B/16 (timm)", vit_base_options),
      vim_entry("vim_tiny", "vim_tiny_patch16" + vim_suffix, "Vision Mamba Vim-Ti (hustvl/Vim)", vim_tiny_options),
      vim_entry("vim_small", "vim_small_patch16" + vim_suffix, "Vision Mamba Vim-S (hustvl/Vim)", vim_small_options),
      vim_entry("vim_small_stride8", "vim_small_patch16_stride8" + vim_suffix, "Vision Mamba Vim-S, stride 8",
                vim_small_stride8_options),
      mamba2_entry(),
      airbench_entry(),
  };
}

}  // namespace

const std::vector<ModelEntry>& model_registry() {
  static const std::vector<ModelEntry> entries = build_registry();
  return entries;
}

const ModelEntry* find_model(std::string_view name) {
  for (const ModelEntry& entry : model_registry()) {
    if (entry.name == name) return &entry;
    for (const std::string& alias : entry.aliases) {
      if (alias == name) return &entry;
    }
  }
  return nullptr;
}

std::shared_ptr<ImageClassifier> create_model(const ModelSpec& spec) {
  const ModelEntry* entry = find_model(spec.name);
  if (!entry) {
    std::string known;
    for (const ModelEntry& e : model_registry()) known += (known.empty() ? "" : ", ") + e.name;
    throw std::invalid_argument("unknown model '" + spec.name + "' (known: " + known + ")");
  }
  return entry->create(spec);
}

}  // namespace fovea::models
