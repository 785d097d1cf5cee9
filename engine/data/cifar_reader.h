// CIFAR-10 and CIFAR-100 binary versions (https://www.cs.toronto.edu/~kriz/cifar.html): files of
// records of a 32x32 image, 1024 red, 1024 green and 1024 blue bytes in row-major order, after one
// label byte (CIFAR-10, 3073-byte records) or a coarse and a fine label byte (CIFAR-100, 3074 bytes).
#pragma once
#include <span>
#include <string>
#include <vector>

#include "engine/data/labelled_images.h"

namespace fovea::engine {

constexpr int64_t kCifarSide = 32;
constexpr int64_t kCifarImageBytes = 3 * kCifarSide * kCifarSide;
constexpr int64_t kCifar10RecordBytes = 1 + kCifarImageBytes;
constexpr int64_t kCifar100RecordBytes = 2 + kCifarImageBytes;

// Appends the records of one batch file to `out` (pixels converted to HWC); `name` for messages.
void parse_cifar10_records(const std::vector<uint8_t>& bytes, const std::string& name, LabelledImages& out);
// Fine labels become `labels`, coarse ones `coarse_labels`.
void parse_cifar100_records(const std::vector<uint8_t>& bytes, const std::string& name, LabelledImages& out);

// Reads the batch files in order; limit > 0 keeps the first `limit` images.
LabelledImages read_cifar10_batches(const std::vector<std::string>& files, int64_t limit);
LabelledImages read_cifar100_batches(const std::vector<std::string>& files, int64_t limit);

// Appends `count` images of CHW planes (the layout of both versions' rows) to `out` as HWC.
void append_cifar_chw_images(std::span<const uint8_t> chw, int64_t count, LabelledImages& out);

// batches.meta.txt, fine_label_names.txt, ...: one class name per line (blank lines ignored).
std::vector<std::string> read_class_names_file(const std::string& path);

}  // namespace fovea::engine
