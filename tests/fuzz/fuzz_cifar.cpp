// CIFAR-10/100 binary records, and the python version's pickled batches (through a file, as Fovea reads
// them).
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "engine/data/cifar_python.h"
#include "engine/data/cifar_reader.h"
#include "fuzz_target.h"

void fuzz_one_input(std::span<const uint8_t> data) {
  const std::vector<uint8_t> bytes(data.begin(), data.end());
  fovea::engine::LabelledImages images;
  try {
    fovea::engine::parse_cifar10_records(bytes, "fuzz_batch.bin", images);
  } catch (const fovea::engine::Error&) {
  }
  try {
    fovea::engine::parse_cifar100_records(bytes, "fuzz_train.bin", images);
  } catch (const fovea::engine::Error&) {
  }
  static const std::string path = "/tmp/fovea-fuzz-cifar-" + std::to_string(::getpid());
  if (std::FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  fovea::engine::LabelledImages python;
  fovea::engine::read_cifar_python_batch(path, fovea::engine::CifarVersion::Cifar10, python);
}
