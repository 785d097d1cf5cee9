// Exporting a trained model for the Python ecosystem: the weights file is loaded as fovea-cli eval
// loads it, then written as ONNX (onnxruntime) or as a safetensors state dict (torchvision/timm keys).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/loaded_model.h"

namespace fovea::engine {

enum class ExportFormat { Onnx, Safetensors };
const char* export_format_name(ExportFormat format);  // "onnx", "safetensors"
ExportFormat parse_export_format(std::string_view name);  // throws ConfigError naming the value

struct ExportResult {
  std::string path;
  ExportFormat format = ExportFormat::Safetensors;
  uint64_t bytes = 0;
  std::string model;
  int64_t num_classes = 0;
  std::vector<std::string> class_names;  // empty when the checkpoint has none
  int opset = 0;                         // ONNX only
};

struct ExportRequest {
  std::string checkpoint;  // any file engine/weights_file.h reads
  ModelChoice choice;      // for files without Fovea metadata; num_classes 0: from the file's classifier head
  ExportFormat format = ExportFormat::Safetensors;
  std::string out;
};

// Throws ConfigError/CheckpointError/Error naming the file at fault; never leaves a partial file at `out`.
ExportResult export_model(const ExportRequest& request);

}  // namespace fovea::engine
