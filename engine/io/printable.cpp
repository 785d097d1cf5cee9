#include "engine/io/printable.h"

#include <cstdio>

namespace fovea::engine {

std::string printable(std::string_view text, size_t max) {
  std::string out;
  for (const char ch : text) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7f) {
      out += ch;  // UTF-8 sequences pass through
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    }
  }
  return out;
}

}  // namespace fovea::engine
