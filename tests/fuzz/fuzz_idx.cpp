// MNIST-style IDX files (magic, dimensions, payload).
#include <vector>

#include "engine/data/idx_reader.h"
#include "fuzz_target.h"

void fuzz_one_input(std::span<const uint8_t> data) {
  const std::vector<uint8_t> bytes(data.begin(), data.end());
  (void)fovea::engine::parse_idx(bytes, "fuzz-idx3-ubyte", /*header_only=*/true);
  (void)fovea::engine::parse_idx(bytes, "fuzz-idx3-ubyte");
}
