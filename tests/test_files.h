// Writers of small data-set files in the exact byte layouts of the real formats, for tests.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace fovea::testing {

// IDX with unsigned-byte values; gzip-compressed when `gzip` is true.
void write_idx(const std::string& path, const std::vector<int64_t>& dims, const std::vector<uint8_t>& values, bool gzip);

// A complete MNIST-style folder (train-images-idx3-ubyte[.gz], ... t10k-labels-idx1-ubyte[.gz]) of
// random images whose labels are 0..9; returns the images of the training split (NHW).
std::vector<uint8_t> write_idx_dataset(const std::string& folder, int64_t train, int64_t test, int64_t side, bool gzip,
                                       uint32_t seed = 1);

// One CIFAR-10 binary batch: records of label byte + R plane + G plane + B plane (32x32 each).
void write_cifar10_batch(const std::string& path, const std::vector<uint8_t>& labels,
                         const std::vector<uint8_t>& chw_pixels);

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes);
std::vector<uint8_t> random_bytes(size_t count, uint32_t seed);

}  // namespace fovea::testing
