// Untrusted text (entry names, keys, module names from a file) made safe for an error message: at most
// `max` characters, with control characters escaped, so that a hostile name cannot flood or garble it.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace fovea::engine {

std::string printable(std::string_view text, size_t max = 80);

}  // namespace fovea::engine
