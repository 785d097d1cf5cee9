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

// One CIFAR-100 binary file: records of coarse label byte + fine label byte + R, G, B planes.
void write_cifar100_batch(const std::string& path, const std::vector<uint8_t>& coarse, const std::vector<uint8_t>& fine,
                          const std::vector<uint8_t>& chw_pixels);

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes);
void write_text(const std::string& path, const std::string& text);
// Netpbm images, byte for byte: binary PPM (P6, RGB triples) or PGM (P5, grey), row-major; folders created.
void write_netpbm(const std::string& path, int width, int height, const std::vector<uint8_t>& pixels, bool rgb);

// An empty file, its folders created as needed (image folders are scanned, never decoded, by the probes).
void touch(const std::string& path);
std::vector<uint8_t> random_bytes(size_t count, uint32_t seed);

}  // namespace fovea::testing
