// JPEG files decoded by libjpeg(-turbo) straight into RGB memory that the caller provides. Same library
// and settings as OpenCV's JPEG decoder (ISLOW DCT, fancy upsampling), so the same pixels as OpenCV and
// PIL, without OpenCV's BGR image and the BGR-to-RGB pass after it: about twice as fast (a 500x375 photo
// on one core of the CI machine: 1.07-1.15 ms against 1.89-2.20 ms, bit-identical).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace fovea::engine {

// Whether this build has libjpeg (otherwise decode_jpeg_rgb always returns false).
bool direct_jpeg_decoding_available();

// Decodes a greyscale, YCbCr or RGB JPEG into destination(width, height), which returns width * height * 3
// bytes for the RGB pixels. Returns false, having called nothing, for JPEGs that libjpeg does not turn
// into RGB itself (CMYK, YCCK): decode those with OpenCV. Throws DatasetError naming `name` for a corrupt
// or truncated file (PIL refuses truncated JPEGs too; warnings about extraneous bytes are ignored, as PIL
// ignores them). The caller has checked the header (engine/data/image_header.h).
bool decode_jpeg_rgb(const uint8_t* data, size_t size, const std::string& name,
                     const std::function<uint8_t*(int64_t width, int64_t height)>& destination);

}  // namespace fovea::engine
