// Model weights from any file Fovea reads, told apart by content (not by extension): Fovea's own
// checkpoints, plain safetensors (Hugging Face, timm, Fovea's export; any element type) and PyTorch
// .pth/.pt files (zip or legacy format, state dict at the top or nested, "module." removed).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace fovea::engine {

struct TorchCheckpoint;

enum class WeightsFormat { FoveaCheckpoint, Safetensors, TorchZip, TorchLegacy };
const char* weights_format_name(WeightsFormat format);  // "Fovea checkpoint", "safetensors", ...

struct WeightsFile {
  std::string path;
  WeightsFormat format = WeightsFormat::Safetensors;
  std::map<std::string, at::Tensor> tensors;         // the model's state dict, on the CPU
  std::map<std::string, at::Tensor> training_state;  // Fovea checkpoints: optimizer and RNG state (names with a '/')
  std::string metadata_json;                         // Fovea's metadata; empty when the file has none
  std::string found_under;                           // PyTorch files: the key holding the state dict, "" at the top
  std::vector<std::string> ignored;                  // what was not taken as weights, for people
  // "resnet.pth: PyTorch zip file, state dict under 'model', 62 tensors; ignored: epoch (int), ..."
  std::string describe() const;
};

// The format from a file's first bytes (a few hundred are enough); nullopt when none fits.
std::optional<WeightsFormat> detect_weights_format(std::span<const uint8_t> bytes);

// Reads the whole file. `prefer_ema`: PyTorch files holding both take the EMA weights (timm's
// --use-ema). Throws CheckpointError naming the file when it is none of the formats or is broken.
WeightsFile read_weights_file(const std::string& path, bool prefer_ema = false);

// The weights of a parsed PyTorch file (what read_weights_file does with one; `name` is for messages).
WeightsFile weights_from_torch_checkpoint(const TorchCheckpoint& checkpoint, const std::string& name,
                                          bool prefer_ema = false);

// Fovea's metadata JSON of a safetensors file without reading its tensors; empty when the file has
// none. Throws CheckpointError naming the file when it is not safetensors.
std::string read_fovea_metadata(const std::string& path);

}  // namespace fovea::engine
