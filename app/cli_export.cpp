#include <cstdio>

#include "app/cli_commands.h"
#include "app/cli_output.h"

namespace fovea::cli {
namespace {

std::string format_bytes(uint64_t bytes) {
  char text[32];
  if (bytes >= 1000 * 1000) {
    std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
  } else {
    std::snprintf(text, sizeof text, "%.1f kB", bytes / 1e3);
  }
  return text;
}

// "10 classes (airplane, automobile, bird, ...)"
std::string describe_classes(const engine::ExportResult& r) {
  std::string text = std::to_string(r.num_classes) + " classes";
  if (r.class_names.empty()) return text;
  text += " (";
  for (size_t i = 0; i < r.class_names.size() && i < 3; ++i) text += (i ? ", " : "") + r.class_names[i];
  return text + (r.class_names.size() > 3 ? ", ...)" : ")");
}

}  // namespace

int run_export(const engine::ExportRequest& request, bool json) {
  const engine::ExportResult r = engine::export_model(request);
  if (json) {
    nlohmann::json out = {{"path", r.path},
                          {"format", engine::export_format_name(r.format)},
                          {"bytes", r.bytes},
                          {"model", r.model},
                          {"num_classes", r.num_classes},
                          {"class_names", r.class_names}};
    if (r.format == engine::ExportFormat::Onnx) out["opset"] = r.opset;
    print_json(out);
  } else {
    const std::string format = r.format == engine::ExportFormat::Onnx ? "ONNX (opset " + std::to_string(r.opset) + ")"
                                                                       : std::string("safetensors");
    std::printf("wrote %s %s: %s, %s, %s\n", format.c_str(), r.path.c_str(), format_bytes(r.bytes).c_str(),
                r.model.c_str(), describe_classes(r).c_str());
  }
  return 0;
}

}  // namespace fovea::cli
