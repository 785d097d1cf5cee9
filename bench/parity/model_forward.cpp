// fovea-model-forward: runs one of Fovea's models on an input tensor, for parity checks against the
// Python references (bench/parity/check_models.py).
//   fovea-model-forward MODEL WEIGHTS.safetensors INPUT.safetensors OUTPUT.safetensors [--device D]
// WEIGHTS: any weights file Fovea reads (safetensors, torch.save zip or legacy .pth) holding a state dict
// with the reference's key names (loaded strictly); INPUT holds "input"
// (N, C, H, W) float32; OUTPUT receives "logits" (N, classes) float32.
#include <cstdio>
#include <string>

#include <torch/torch.h>

#include "engine/checkpoint.h"
#include "engine/device.h"
#include "engine/io/safetensors.h"
#include "engine/weights_file.h"
#include "models/registry.h"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s MODEL WEIGHTS INPUT OUTPUT [--device D]\n", argv[0]);
    return 2;
  }
  try {
    const std::string device_name = argc >= 7 && std::string(argv[5]) == "--device" ? argv[6] : "cpu";
    const auto device = fovea::engine::resolve_device(device_name);
    const auto weights = fovea::engine::read_weights_file(argv[2]);
    const auto input = fovea::engine::load_safetensors(argv[3]).tensors.at("input");
    fovea::models::ModelSpec spec;
    spec.name = argv[1];
    spec.num_classes = weights.tensors.count("head.weight") ? weights.tensors.at("head.weight").size(0)
                                                            : weights.tensors.at("fc.weight").size(0);
    spec.in_channels = input.size(1);
    auto model = fovea::models::create_model(spec);
    fovea::engine::load_state_dict(*model, weights.tensors, argv[2]);
    model->to(device);
    model->eval();
    torch::NoGradGuard no_grad;
    const at::Tensor logits = model->forward(input.to(device)).to(torch::kFloat).cpu().contiguous();
    fovea::engine::write_safetensors(argv[4],
                                     {{"logits", fovea::engine::DType::F32, logits.sizes().vec(), logits.data_ptr(), logits.nbytes()}},
                                     {});
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fovea-model-forward: %s\n", e.what());
    return 1;
  }
}
