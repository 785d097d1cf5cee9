#include "app/cli_output.h"

#include <cstdio>
#include <iostream>

namespace fovea::cli {

void print_json(const nlohmann::json& object) { std::cout << object.dump(2) << std::endl; }

std::string format_duration(double seconds) {
  if (seconds < 0) return "--:--";
  const auto total = static_cast<long long>(seconds + 0.5);
  char buffer[32];
  if (total >= 3600) {
    std::snprintf(buffer, sizeof buffer, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(buffer, sizeof buffer, "%02lld:%02lld", total / 60, total % 60);
  }
  return buffer;
}

std::string format_count(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return (value < 0 ? "-" : "") + digits;
}

}  // namespace fovea::cli
