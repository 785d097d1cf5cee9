#include "test_files.h"

#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

namespace fovea::testing {

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

void write_netpbm(const std::string& path, int width, int height, const std::vector<uint8_t>& pixels, bool rgb) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  const std::string header = std::string(rgb ? "P6" : "P5") + "\n" + std::to_string(width) + " " + std::to_string(height) + "\n255\n";
  std::vector<uint8_t> bytes(header.begin(), header.end());
  bytes.insert(bytes.end(), pixels.begin(), pixels.end());
  write_bytes(path, bytes);
}

void touch(const std::string& path) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  write_bytes(path, {});
}

std::vector<uint8_t> random_bytes(size_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> bytes(count);
  for (auto& b : bytes) b = static_cast<uint8_t>(rng() & 0xff);
  return bytes;
}

void write_idx(const std::string& path, const std::vector<int64_t>& dims, const std::vector<uint8_t>& values, bool gzip) {
  std::vector<uint8_t> bytes = {0, 0, 0x08, static_cast<uint8_t>(dims.size())};
  for (int64_t d : dims) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<uint8_t>(d >> shift));
  }
  bytes.insert(bytes.end(), values.begin(), values.end());
  if (!gzip) return write_bytes(path, bytes);
  gzFile gz = gzopen(path.c_str(), "wb");
  if (!gz || gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())) != static_cast<int>(bytes.size()))
    throw std::runtime_error("cannot write " + path);
  gzclose(gz);
}

std::vector<uint8_t> write_idx_dataset(const std::string& folder, int64_t train, int64_t test, int64_t side, bool gzip,
                                       uint32_t seed) {
  const std::string ext = gzip ? ".gz" : "";
  std::vector<uint8_t> train_images = random_bytes(static_cast<size_t>(train * side * side), seed);
  std::vector<uint8_t> train_labels(static_cast<size_t>(train)), test_labels(static_cast<size_t>(test));
  for (size_t i = 0; i < train_labels.size(); ++i) train_labels[i] = static_cast<uint8_t>(i % 10);
  for (size_t i = 0; i < test_labels.size(); ++i) test_labels[i] = static_cast<uint8_t>((i * 7) % 10);
  write_idx(folder + "/train-images-idx3-ubyte" + ext, {train, side, side}, train_images, gzip);
  write_idx(folder + "/train-labels-idx1-ubyte" + ext, {train}, train_labels, gzip);
  write_idx(folder + "/t10k-images-idx3-ubyte" + ext, {test, side, side},
            random_bytes(static_cast<size_t>(test * side * side), seed + 1), gzip);
  write_idx(folder + "/t10k-labels-idx1-ubyte" + ext, {test}, test_labels, gzip);
  return train_images;
}

void write_cifar10_batch(const std::string& path, const std::vector<uint8_t>& labels,
                         const std::vector<uint8_t>& chw_pixels) {
  constexpr size_t image_bytes = 3 * 32 * 32;
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < labels.size(); ++i) {
    bytes.push_back(labels[i]);
    bytes.insert(bytes.end(), chw_pixels.begin() + static_cast<std::ptrdiff_t>(i * image_bytes),
                 chw_pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * image_bytes));
  }
  write_bytes(path, bytes);
}

void write_cifar100_batch(const std::string& path, const std::vector<uint8_t>& coarse, const std::vector<uint8_t>& fine,
                          const std::vector<uint8_t>& chw_pixels) {
  constexpr size_t image_bytes = 3 * 32 * 32;
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < fine.size(); ++i) {
    bytes.push_back(coarse[i]);
    bytes.push_back(fine[i]);
    bytes.insert(bytes.end(), chw_pixels.begin() + static_cast<std::ptrdiff_t>(i * image_bytes),
                 chw_pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * image_bytes));
  }
  write_bytes(path, bytes);
}

}  // namespace fovea::testing
