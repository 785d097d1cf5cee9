// The model's state dict as a plain safetensors file that torchvision/timm load with load_state_dict:
// parameters and persistent buffers under the Python original's names, floating point as float32.
// __metadata__ holds "format": "pt" (as safetensors.torch.save_file writes), Fovea's metadata (so that
// Fovea reloads it without --model) and readable copies of the model name and class names.
#pragma once
#include <string>

#include "engine/export/export.h"

namespace fovea::engine {

ExportResult export_safetensors(const LoadedModel& loaded, const std::string& path);

}  // namespace fovea::engine
