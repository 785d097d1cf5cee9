// An image file's format and size, read from its header alone, so that a file claiming billions of
// pixels is refused before a decoder allocates memory for them (as PIL refuses decompression bombs).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace fovea::engine {

// PIL's Image.MAX_IMAGE_PIXELS * 2: above this PIL raises DecompressionBombError instead of decoding.
constexpr int64_t kMaxImagePixels = 178'956'970;

struct ImageHeader {
  std::string format;  // "JPEG", "PNG", "BMP", "WebP", "TIFF" or "PNM"
  int64_t width = 0;
  int64_t height = 0;
};

// The format whose signature the bytes start with ("JPEG", "PNG", ...), or nullptr for none of them.
const char* image_signature(const uint8_t* data, size_t size);

// The header of a JPEG, PNG, BMP, WebP, TIFF or PNM (P1-P7, PFM) file; nullopt when the bytes start
// with none of these signatures or the header is cut short or inconsistent (no size, a zero size).
std::optional<ImageHeader> read_image_header(const uint8_t* data, size_t size);

// Throws DatasetError naming `name` unless the bytes have a header read_image_header understands and at
// most kMaxImagePixels pixels: "not an image" for unknown signatures, "damaged or truncated" for headers
// that give no size.
ImageHeader check_image_header(const uint8_t* data, size_t size, const std::string& name);

}  // namespace fovea::engine
