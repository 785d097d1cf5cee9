// The zip reader alone: directory, local headers, stored and deflated entries (bombs capped).
#include <memory>
#include <vector>

#include "engine/io/zip_reader.h"
#include "fuzz_target.h"

void fuzz_one_input(std::span<const uint8_t> data) {
  auto archive = std::make_shared<const std::vector<uint8_t>>(data.begin(), data.end());
  const fovea::engine::ZipReader zip(archive, "fuzz.zip", /*max_inflated_size=*/1 << 20);
  for (const auto& entry : zip.entries()) (void)zip.read(entry).size;
}
