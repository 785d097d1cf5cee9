// Finding the model weights inside a PyTorch checkpoint: the state dict is the top-level dict, or
// the dict under one of the keys that training scripts use (torchvision and DeiT/Vim write "model",
// timm writes "state_dict" and "state_dict_ema", DeiT/Vim also "model_ema"); keys of models wrapped in
// DataParallel/DistributedDataParallel lose their leading "module.".
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "engine/io/torch_checkpoint.h"

namespace fovea::engine {

struct TorchStateDict {
  std::string found_under;  // "" for the top level, else the key it was found under
  std::vector<std::pair<std::string, TorchTensor>> tensors;  // in file order, without "module."
  std::vector<std::string> ignored;  // entries that are not tensors, as "key (a dict)"
};

// Nested keys are tried in the order state_dict, model, state_dict_ema, model_ema; with prefer_ema
// (timm's --use-ema) the EMA weights come first. Throws CheckpointError naming `name` when there is no
// dict of tensors, or when two keys are the same once "module." is removed.
TorchStateDict find_state_dict(const TorchCheckpoint& checkpoint, const std::string& name, bool prefer_ema = false);

}  // namespace fovea::engine
