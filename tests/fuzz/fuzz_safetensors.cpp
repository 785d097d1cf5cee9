// safetensors: the header, the tensors' dtypes, shapes and offsets, and their bytes.
#include <vector>

#include "engine/io/safetensors.h"
#include "fuzz_target.h"

void fuzz_one_input(std::span<const uint8_t> data) {
  const auto file = fovea::engine::SafetensorsFile::parse({data.begin(), data.end()}, "fuzz.safetensors");
  volatile uint8_t sink = 0;
  for (const auto& [name, tensor] : file.tensors())
    if (tensor.nbytes > 0) sink ^= file.data(tensor)[tensor.nbytes - 1];  // every range lies in the file
  (void)file.metadata().size();
}
