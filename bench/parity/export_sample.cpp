// fovea-export-sample: one export parity sample for bench/parity/check_export.py (run where libonnx is,
// checked on the GPU machine, which has onnxruntime, torchvision and timm but no libonnx).
//   fovea-export-sample MODEL OUT_DIR [--tag NAME] [--num-classes N] [--image-size S] [--cifar-stem]
// Writes into OUT_DIR: TAG.onnx and TAG.safetensors (the exports of a Fovea checkpoint of MODEL with seeded
// random weights, and BatchNorm statistics and affine parameters far from the identity, so that folding
// is really tested) and TAG.sample.safetensors: "input" (3, C, S, S) and Fovea's "logits" for it, with
// the model's description in the metadata. The checkpoint itself is removed (it is not needed there).
#include <cstdio>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "engine/checkpoint.h"
#include "engine/export/onnx_export.h"
#include "engine/export/safetensors_export.h"
#include "engine/io/safetensors.h"
#include "engine/loaded_model.h"
#include "models/registry.h"

namespace {

namespace fs = std::filesystem;
using fovea::models::ModelSpec;

// Trained-looking values for every tensor the default initialisation leaves trivial (BatchNorm and
// LayerNorm at the identity, zero biases, a near-zero class token).
void randomise(torch::nn::Module& model) {
  torch::NoGradGuard no_grad;
  for (auto& b : model.named_buffers()) {
    if (b.key().ends_with("running_mean")) b.value().uniform_(-0.5, 0.5);
    if (b.key().ends_with("running_var")) b.value().uniform_(0.3, 2.0);
  }
  for (auto& p : model.named_parameters()) {
    const std::string& k = p.key();
    const bool norm = k.find("bn") != std::string::npos || k.find("norm") != std::string::npos ||
                      k.find("downsample.1") != std::string::npos;
    if (norm && k.ends_with(".weight")) p.value().uniform_(0.5, 1.5);
    else if (k.ends_with(".bias") || k == "cls_token") p.value().normal_(0, 0.1);
  }
}

int64_t number_after(int argc, char** argv, const std::string& flag, int64_t fallback) {
  for (int i = 3; i + 1 < argc; ++i)
    if (argv[i] == flag) return std::stoll(argv[i + 1]);
  return fallback;
}

std::string text_after(int argc, char** argv, const std::string& flag, const std::string& fallback) {
  for (int i = 3; i + 1 < argc; ++i)
    if (argv[i] == flag) return argv[i + 1];
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL OUT_DIR [--tag NAME] [--num-classes N] [--image-size S] [--cifar-stem]\n", argv[0]);
    return 2;
  }
  try {
    ModelSpec spec;
    spec.name = argv[1];
    spec.num_classes = number_after(argc, argv, "--num-classes", 1000);
    spec.image_size = number_after(argc, argv, "--image-size", 224);
    for (int i = 3; i < argc; ++i) spec.cifar_stem |= std::string(argv[i]) == "--cifar-stem";
    const std::string tag = text_after(argc, argv, "--tag", spec.name);
    const fs::path dir = argv[2];
    fs::create_directories(dir);

    torch::manual_seed(0);
    auto model = fovea::models::create_model(spec);
    randomise(*model);
    std::vector<std::string> classes;
    for (int64_t c = 0; c < spec.num_classes; ++c) classes.push_back("class_" + std::to_string(c));
    const nlohmann::json meta = {
        {"model", {{"name", spec.name}, {"num_classes", spec.num_classes}, {"in_channels", 3},
                   {"cifar_stem", spec.cifar_stem}, {"image_size", spec.image_size}}},
        {"class_names", classes},
        {"preprocessing", {{"height", spec.image_size}, {"width", spec.image_size},
                           {"mean", {0.485, 0.456, 0.406}}, {"std", {0.229, 0.224, 0.225}}}}};
    const std::string checkpoint = (dir / (tag + ".fovea.safetensors")).string();
    fovea::engine::save_checkpoint(checkpoint, *model, meta.dump());

    // Export from the checkpoint, as fovea-cli export does.
    const auto loaded = fovea::engine::load_model(checkpoint, {});
    fs::remove(checkpoint);
    const auto onnx = fovea::engine::export_onnx(loaded, (dir / (tag + ".onnx")).string());
    const auto st = fovea::engine::export_safetensors(loaded, (dir / (tag + ".safetensors")).string());

    torch::manual_seed(1);
    const at::Tensor input = torch::randn({3, 3, spec.image_size, spec.image_size});
    torch::NoGradGuard no_grad;
    const at::Tensor logits = loaded.model->forward(input).contiguous();
    int64_t patch = 0;
    if (const auto* entry = fovea::models::find_model(spec.name); entry && entry->family == "vit")
      patch = fovea::engine::state_dict(*loaded.model).at("patch_embed.proj.weight").size(2);
    using fovea::engine::DType;
    fovea::engine::write_safetensors(
        (dir / (tag + ".sample.safetensors")).string(),
        {{"input", DType::F32, input.sizes().vec(), input.data_ptr(), input.nbytes()},
         {"logits", DType::F32, logits.sizes().vec(), logits.data_ptr(), logits.nbytes()}},
        {{"model", spec.name}, {"num_classes", std::to_string(spec.num_classes)},
         {"image_size", std::to_string(spec.image_size)}, {"cifar_stem", spec.cifar_stem ? "1" : "0"},
         {"patch_size", std::to_string(patch)}});
    std::printf("%s: %s (%.1f MB), %s (%.1f MB), logits %lldx%lld\n", tag.c_str(), onnx.path.c_str(), onnx.bytes / 1e6,
                st.path.c_str(), st.bytes / 1e6, static_cast<long long>(logits.size(0)), static_cast<long long>(logits.size(1)));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fovea-export-sample: %s\n", e.what());
    return 1;
  }
}
