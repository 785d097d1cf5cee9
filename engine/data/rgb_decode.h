// Any image file Fovea reads, decoded to 8-bit RGB in memory the caller provides: JPEGs by libjpeg
// directly (engine/data/jpeg_rgb_decode.h, twice as fast), the other formats and the few JPEGs libjpeg
// does not convert itself (CMYK) by OpenCV behind the same checks (engine/data/bgr_decode.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace fovea::engine {

// destination(width, height) returns width * height * 3 bytes for the pixels; it may throw (an image of
// the wrong size, say), which decode_rgb passes on. Throws DatasetError naming `name` for bytes that are
// not an image Fovea decodes.
void decode_rgb(const uint8_t* data, size_t size, const std::string& name,
                const std::function<uint8_t*(int64_t width, int64_t height)>& destination);

}  // namespace fovea::engine
