#include "engine/export/export.h"

#include <unistd.h>

#include <filesystem>

#include "engine/errors.h"
#include "engine/export/onnx_export.h"
#include "engine/export/safetensors_export.h"
#include "models/registry.h"

namespace fovea::engine {
namespace {

namespace fs = std::filesystem;

// Fails before the (slow) model load when the file could not be written anyway.
void check_output_path(const std::string& out) {
  const fs::path path(out);
  if (out.empty() || path.filename().empty()) throw ConfigError("cannot write '" + out + "': not a file name");
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::error_code error;
  if (!fs::is_directory(folder, error))
    throw ConfigError("cannot write " + out + ": " +
                      (fs::exists(folder, error) ? folder.string() + " is a file, not a folder"
                                                 : "folder " + folder.string() + " does not exist"));
  if (::access(folder.c_str(), W_OK | X_OK) != 0)
    throw ConfigError("cannot write " + out + ": folder " + folder.string() + " is not writable");
  if (fs::is_directory(path, error)) throw ConfigError("cannot write " + out + ": it is a folder");
}

}  // namespace

const char* export_format_name(ExportFormat format) {
  return format == ExportFormat::Onnx ? "onnx" : "safetensors";
}

ExportFormat parse_export_format(std::string_view name) {
  if (name == "onnx") return ExportFormat::Onnx;
  if (name == "safetensors") return ExportFormat::Safetensors;
  throw ConfigError("unknown export format '" + std::string(name) + "' (known: onnx, safetensors)");
}

ExportResult export_model(const ExportRequest& request) {
  const bool onnx = request.format == ExportFormat::Onnx;
  // Refusals that need no model first: no ONNX in this build, an unsupported --model, no folder.
  if (onnx && (!onnx_export_available() || !request.choice.model.empty())) check_onnx_exportable(request.choice.model);
  check_output_path(request.out);
  const LoadedModel loaded = load_model(request.checkpoint, request.choice);
  return onnx ? export_onnx(loaded, request.out) : export_safetensors(loaded, request.out);
}

}  // namespace fovea::engine
