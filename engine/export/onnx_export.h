// ONNX export (opset 17) of the ResNet and ViT families: input "images" float32 [batch, C, H, W] with a
// symbolic batch, output "logits" [batch, classes]; the class names and normalisation in metadata_props.
// The graph is checked (checker and strict shape inference) before it is written atomically.
#pragma once
#include <string>

#include "engine/export/export.h"

namespace fovea::engine {

constexpr int kOnnxOpset = 17;

// False when this build has no libonnx: export_onnx then throws ConfigError saying so.
bool onnx_export_available();

// Throws ConfigError for models other than ResNet and ViT, naming the model.
void check_onnx_exportable(const std::string& model_name);

ExportResult export_onnx(const LoadedModel& loaded, const std::string& path);

}  // namespace fovea::engine
