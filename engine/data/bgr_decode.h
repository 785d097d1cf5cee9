// OpenCV's image decoding behind Fovea's checks: the header is read first (engine/data/image_header.h), so
// that unknown formats and decompression bombs are refused before OpenCV allocates anything. 8-bit BGR,
// grey expanded to 3 channels, alpha dropped (as PIL's convert("RGB")); EXIF orientation is ignored, as
// PIL does (OpenCV would otherwise turn the image).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "engine/data/image_header.h"

namespace fovea::engine {

// Image files larger than this are refused unread (cv::imdecode takes an int length).
constexpr int64_t kMaxImageFileBytes = int64_t{1} << 30;

// The header of an image file's bytes; throws DatasetError naming `name` when they are not an image Fovea
// decodes (too large a file, an unknown format, a damaged header, too many pixels).
ImageHeader check_image_bytes(const uint8_t* data, size_t size, const std::string& name);

// The whole file; a missing or unreadable file, or one over kMaxImageFileBytes, is a DatasetError naming it.
std::vector<uint8_t> read_image_bytes(const std::string& path);

// Throws DatasetError naming `name` when the bytes are not an image Fovea decodes.
cv::Mat decode_bgr(const uint8_t* data, size_t size, const std::string& name);

// Reads the file, then decode_bgr; a missing or unreadable file is a DatasetError naming it.
cv::Mat read_bgr(const std::string& path);

}  // namespace fovea::engine
