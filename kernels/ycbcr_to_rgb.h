// The last step of JPEG decoding as libjpeg(-turbo) does it by default, and so PIL and OpenCV: the
// downsampled chroma planes upsampled with libjpeg's "fancy" triangle filter (jdsample.c), then YCbCr
// converted to RGB with its 16-bit fixed-point tables (jdcolor.c). Given the planes libjpeg's IDCT
// produced, the result is bit-identical to libjpeg's RGB output; GPU JPEG decoders that upsample chroma
// by replication (nvJPEG's RGB output) are off by up to ~45 levels at sharp colour edges.
#pragma once
#include <cstdint>

namespace fovea::kernels {

struct YcbcrPlanes {
  const uint8_t* y = nullptr;
  const uint8_t* cb = nullptr;  // nullptr for a greyscale image (RGB = Y, Y, Y)
  const uint8_t* cr = nullptr;
  int64_t y_pitch = 0;          // bytes from one row to the next
  int64_t chroma_pitch = 0;
  int width = 0, height = 0;    // the image's, which is the Y plane's
  int chroma_width = 0;         // the downsampled planes': ceil(width / h_factor) ...
  int chroma_height = 0;        // ... and ceil(height / v_factor)
  int h_factor = 1, v_factor = 1;  // luma samples per chroma sample: 1 or 2 each (4:4:4, 4:2:2, 4:2:0, 4:4:0)
  uint8_t* rgb = nullptr;       // height x width x 3, interleaved, contiguous
};

// True for the layouts this file converts (factors of 1 or 2, planes at least 1 x 1).
bool ycbcr_layout_supported(const YcbcrPlanes& image);

// Plain C++ reference.
void ycbcr_to_rgb_cpu(const YcbcrPlanes& image);

// GPU: `count` descriptors in host memory whose planes and outputs are device memory; queued on `stream`
// (cudaStream_t / hipStream_t), a few images per launch (passed as kernel arguments, so nothing to copy).
void ycbcr_to_rgb_gpu(const YcbcrPlanes* images, int count, void* stream);

}  // namespace fovea::kernels
