// Fovea's own checkpoint: the model's state dict (parameter and buffer names exactly as the Python
// original) as safetensors, with Fovea's JSON metadata stored under __metadata__["fovea"].
#pragma once
#include <map>
#include <string>

#include <ATen/core/Tensor.h>

namespace torch::nn {
class Module;
}

namespace fovea::engine {

constexpr const char* kCheckpointMetadataKey = "fovea";

// Parameters, then buffers, in registration order; everything moved to the CPU.
std::map<std::string, at::Tensor> state_dict(const torch::nn::Module& module);

// Atomic (temporary file, fsync, rename, fsync of the folder).
void save_checkpoint(const std::string& path, const torch::nn::Module& module, const std::string& metadata_json);

struct LoadedTensors {
  std::map<std::string, at::Tensor> tensors;
  std::map<std::string, std::string> metadata;
};
LoadedTensors load_safetensors(const std::string& path);

// Copies the tensors into the module's parameters and buffers, requiring exactly the same names and
// shapes; throws CheckpointError listing missing, unexpected and mismatched names otherwise.
void load_state_dict(torch::nn::Module& module, const std::map<std::string, at::Tensor>& tensors,
                     const std::string& source);

}  // namespace fovea::engine
