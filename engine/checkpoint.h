// Fovea's own checkpoint: the model's state dict (parameter and buffer names exactly as the Python
// original) as safetensors, with Fovea's JSON metadata stored under __metadata__["fovea"]. Training
// checkpoints add the state that exact resume needs under names with a '/', which no PyTorch module
// name can hold (see training/resume_state.h); engine/weights_file.h reads them back apart.
#pragma once
#include <map>
#include <string>

#include <ATen/core/Tensor.h>

#include "engine/state_dict_loader.h"

namespace torch::nn {
class Module;
}

namespace fovea::engine {

constexpr const char* kCheckpointMetadataKey = "fovea";

// Parameters, then buffers, in registration order; everything moved to the CPU.
std::map<std::string, at::Tensor> state_dict(const torch::nn::Module& module);

// Atomic (temporary file, fsync, rename, fsync of the folder). `extra` tensors are stored after the
// model's; their names must not collide with the model's.
void save_checkpoint(const std::string& path, const torch::nn::Module& module, const std::string& metadata_json,
                     const std::map<std::string, at::Tensor>& extra = {});

// Every tensor of a safetensors file as stored, the training state of Fovea's checkpoints included: for
// a model's weights from any file, use read_weights_file (weights_file.h).
struct LoadedTensors {
  std::map<std::string, at::Tensor> tensors;
  std::map<std::string, std::string> metadata;
};
LoadedTensors load_safetensors(const std::string& path);

}  // namespace fovea::engine
