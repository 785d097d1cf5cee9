// CIFAR-10 binary version (https://www.cs.toronto.edu/~kriz/cifar.html): files of 3073-byte records,
// one label byte then 1024 red, 1024 green and 1024 blue bytes of a 32x32 image in row-major order.
#pragma once
#include <string>
#include <vector>

#include "engine/data/labelled_images.h"

namespace fovea::engine {

constexpr int64_t kCifarSide = 32;
constexpr int64_t kCifar10RecordBytes = 1 + 3 * kCifarSide * kCifarSide;

// Appends the records of one batch file to `out` (pixels converted to HWC); `name` for messages.
void parse_cifar10_records(const std::vector<uint8_t>& bytes, const std::string& name, LabelledImages& out);

// Reads the batch files in order; limit > 0 keeps the first `limit` images.
LabelledImages read_cifar10_batches(const std::vector<std::string>& files, int64_t limit);

// batches.meta.txt: one class name per line (blank lines ignored).
std::vector<std::string> read_class_names_file(const std::string& path);

}  // namespace fovea::engine
