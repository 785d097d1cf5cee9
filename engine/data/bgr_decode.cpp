#include "engine/data/bgr_decode.h"

#include <opencv2/imgcodecs.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "engine/data/image_header.h"
#include "engine/errors.h"

namespace fovea::engine {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

}  // namespace

std::vector<uint8_t> read_image_bytes(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) throw DatasetError(path + ": no such image file");
  const auto size = std::filesystem::file_size(path, error);
  if (error) throw DatasetError(path + ": cannot read: " + error.message());
  if (size > static_cast<uintmax_t>(kMaxImageFileBytes))
    throw DatasetError(path + ": " + std::to_string(size) + " bytes, more than the " +
                       std::to_string(kMaxImageFileBytes) + " an image file may have");
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw DatasetError(path + ": cannot read: " + std::strerror(errno));
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  // A file that shrank since file_size() is read as far as it goes; the decoder then finds it truncated.
  bytes.resize(std::fread(bytes.data(), 1, bytes.size(), file.get()));
  if (std::ferror(file.get())) throw DatasetError(path + ": cannot read: " + std::strerror(errno));
  return bytes;
}

ImageHeader check_image_bytes(const uint8_t* data, size_t size, const std::string& name) {
  if (size > static_cast<size_t>(kMaxImageFileBytes))
    throw DatasetError(name + ": " + std::to_string(size) + " bytes, more than the " +
                       std::to_string(kMaxImageFileBytes) + " an image file may have");
  return check_image_header(data, size, name);
}

cv::Mat decode_bgr(const uint8_t* data, size_t size, const std::string& name) {
  check_image_bytes(data, size, name);
  cv::Mat bgr;
  try {
    const cv::Mat bytes(1, static_cast<int>(size), CV_8UC1, const_cast<uint8_t*>(data));
    bgr = cv::imdecode(bytes, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
  } catch (const cv::Exception& e) {
    throw DatasetError(name + ": cannot be decoded as an image: " + e.err);
  }
  if (bgr.empty()) throw DatasetError(name + ": cannot be decoded as an image (corrupt or truncated)");
  return bgr;
}

cv::Mat read_bgr(const std::string& path) {
  const std::vector<uint8_t> bytes = read_image_bytes(path);
  return decode_bgr(bytes.data(), bytes.size(), path);
}

}  // namespace fovea::engine
