// Whole-file reads with errors that name the file.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fovea::engine {

std::vector<uint8_t> read_file_bytes(const std::string& path);

// Reads a file that may be gzip-compressed (detected from its magic bytes) and returns the
// uncompressed content; a truncated or corrupt gzip stream is an error naming the file.
// max_bytes > 0 stops after that many uncompressed bytes (for reading headers only).
std::vector<uint8_t> read_maybe_gzip(const std::string& path, size_t max_bytes = 0);

}  // namespace fovea::engine
