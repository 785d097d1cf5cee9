#include "engine/evaluation_results.h"

#include <cstdio>

#include "engine/errors.h"
#include "engine/io/atomic_file.h"

namespace fovea::engine {
namespace {

std::string name_of(const EvaluationSummary& s, int index) {
  return index >= 0 && static_cast<size_t>(index) < s.class_names.size() ? s.class_names[static_cast<size_t>(index)]
                                                                          : std::to_string(index);
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

}  // namespace

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

void write_results_csv(const std::string& path, const EvaluationSummary& s) {
  if (s.per_image.empty()) throw ConfigError("no per-image results to write to " + path);
  std::string out = "position,source,label,label_name,correct,loss";
  for (int k = 1; k <= 5; ++k) {
    const std::string n = std::to_string(k);
    out += ",top" + n + ",top" + n + "_name,top" + n + "_probability";
  }
  out += "\n";
  for (size_t i = 0; i < s.per_image.size(); ++i) {
    const ImageResult& r = s.per_image[i];
    out += std::to_string(r.position) + "," + csv_field(i < s.image_sources.size() ? s.image_sources[i] : "") + "," +
           std::to_string(r.label) + "," + csv_field(name_of(s, r.label)) + "," + (r.correct() ? "1" : "0") + "," +
           number(r.loss);
    for (size_t k = 0; k < 5; ++k) {
      if (k < r.top_classes.size()) {
        out += "," + std::to_string(r.top_classes[k]) + "," + csv_field(name_of(s, r.top_classes[k])) + "," +
               number(r.top_probabilities[k]);
      } else {
        out += ",,,";
      }
    }
    out += "\n";
  }
  write_file_atomically(path, out);
}

}  // namespace fovea::engine
