#include "resources/embedded.h"

#include "embedded_table.h"  // generated: kEmbedded[] = {{name, content}, ...}

namespace fovea::resources {

std::optional<std::string_view> text(std::string_view name) {
  for (const auto& entry : kEmbedded) {
    if (entry.name == name) return entry.content;
  }
  return std::nullopt;
}

std::vector<std::string> class_names(std::string_view list) {
  std::vector<std::string> names;
  const auto content = text("class_names/" + std::string(list) + ".txt");
  if (!content) return names;
  size_t start = 0;
  while (start < content->size()) {
    size_t end = content->find('\n', start);
    if (end == std::string_view::npos) end = content->size();
    if (end > start) names.emplace_back(content->substr(start, end - start));
    start = end + 1;
  }
  return names;
}

}  // namespace fovea::resources
