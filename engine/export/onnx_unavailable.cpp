// Builds without libonnx-dev: ONNX export says so instead of failing to link.
#include "engine/errors.h"
#include "engine/export/onnx_export.h"

namespace fovea::engine {
namespace {

[[noreturn]] void unavailable() { throw ConfigError("this build of Fovea has no ONNX support (libonnx-dev)"); }

}  // namespace

bool onnx_export_available() { return false; }
void check_onnx_exportable(const std::string&) { unavailable(); }
ExportResult export_onnx(const LoadedModel&, const std::string&) { unavailable(); }

}  // namespace fovea::engine
