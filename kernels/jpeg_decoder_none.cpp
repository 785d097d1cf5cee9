// Builds without nvJPEG: the GPU decoder reports itself absent and callers decode on the CPU.
#include <stdexcept>

#include "kernels/jpeg_decoder.h"

namespace fovea::kernels {

struct GpuJpegDecoder::State {};

bool GpuJpegDecoder::compiled() { return false; }
GpuJpegDecoder::GpuJpegDecoder() { throw std::runtime_error("this build has no GPU JPEG decoder (nvJPEG)"); }
GpuJpegDecoder::~GpuJpegDecoder() = default;
bool GpuJpegDecoder::hardware() const { return false; }
bool GpuJpegDecoder::probe(const uint8_t*, size_t, int*, int*) { return false; }
void GpuJpegDecoder::decode(const std::vector<const uint8_t*>&, const std::vector<size_t>&,
                            const std::vector<uint8_t*>&, const std::vector<int>&, uint8_t*, void*) {
  throw std::runtime_error("this build has no GPU JPEG decoder (nvJPEG)");
}

}  // namespace fovea::kernels
