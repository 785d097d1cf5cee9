// GpuJpegDecoder on nvJPEG's batched API: the hardware backend (the GPU's JPEG engines) when the GPU
// has one, else the default backend.
#include <cuda_runtime.h>
#include <nvjpeg.h>

#include <stdexcept>
#include <string>

#include "kernels/jpeg_decoder.h"

namespace fovea::kernels {
namespace {

void check(nvjpegStatus_t status, const char* what) {
  if (status != NVJPEG_STATUS_SUCCESS)
    throw std::runtime_error(std::string("nvJPEG ") + what + " failed (status " + std::to_string(static_cast<int>(status)) + ")");
}

}  // namespace

struct GpuJpegDecoder::State {
  nvjpegHandle_t handle = nullptr;
  nvjpegJpegState_t state = nullptr;
  nvjpegJpegStream_t stream = nullptr;  // for probing headers
  bool hardware = false;
  int batch = 0;  // the batch size the state was initialised for
};

bool GpuJpegDecoder::compiled() { return true; }

GpuJpegDecoder::GpuJpegDecoder() : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.hardware = nvjpegCreateEx(NVJPEG_BACKEND_HARDWARE, nullptr, nullptr, 0, &s.handle) == NVJPEG_STATUS_SUCCESS;
  if (!s.hardware) check(nvjpegCreateEx(NVJPEG_BACKEND_DEFAULT, nullptr, nullptr, 0, &s.handle), "create");
  check(nvjpegJpegStateCreate(s.handle, &s.state), "state create");
  check(nvjpegJpegStreamCreate(s.handle, &s.stream), "stream create");
}

GpuJpegDecoder::~GpuJpegDecoder() {
  State& s = *state_;
  if (s.stream) nvjpegJpegStreamDestroy(s.stream);
  if (s.state) nvjpegJpegStateDestroy(s.state);
  if (s.handle) nvjpegDestroy(s.handle);
}

bool GpuJpegDecoder::probe(const uint8_t* data, size_t length, int* width, int* height) {
  State& s = *state_;
  if (length < 4 || data[0] != 0xFF || data[1] != 0xD8) return false;  // no SOI marker: not a JPEG
  int components = 0;
  nvjpegChromaSubsampling_t subsampling;
  int widths[NVJPEG_MAX_COMPONENT] = {}, heights[NVJPEG_MAX_COMPONENT] = {};
  if (nvjpegGetImageInfo(s.handle, data, length, &components, &subsampling, widths, heights) != NVJPEG_STATUS_SUCCESS)
    return false;
  if (components != 1 && components != 3) return false;  // CMYK and other exotic layouts: the CPU decodes them
  if (subsampling == NVJPEG_CSS_UNKNOWN || widths[0] <= 0 || heights[0] <= 0) return false;
  if (s.hardware) {
    int unsupported = 1;
    if (nvjpegJpegStreamParseHeader(s.handle, data, length, s.stream) != NVJPEG_STATUS_SUCCESS) return false;
    if (nvjpegDecodeBatchedSupported(s.handle, s.stream, &unsupported) != NVJPEG_STATUS_SUCCESS || unsupported != 0)
      return false;
  }
  *width = widths[0];
  *height = heights[0];
  return true;
}

void GpuJpegDecoder::decode(const std::vector<const uint8_t*>& data, const std::vector<size_t>& lengths,
                            const std::vector<uint8_t*>& out, const std::vector<int>& widths, void* stream) {
  State& s = *state_;
  const int count = static_cast<int>(data.size());
  if (count == 0) return;
  if (count != s.batch) {
    check(nvjpegDecodeBatchedInitialize(s.handle, s.state, count, 1, NVJPEG_OUTPUT_RGBI), "batch initialise");
    s.batch = count;
  }
  std::vector<nvjpegImage_t> images(count);
  for (int i = 0; i < count; ++i) {
    images[i] = nvjpegImage_t{};
    images[i].channel[0] = out[i];
    images[i].pitch[0] = static_cast<size_t>(widths[i]) * 3;
  }
  check(nvjpegDecodeBatched(s.handle, s.state, data.data(), lengths.data(), images.data(),
                            static_cast<cudaStream_t>(stream)),
        "batched decode");
}

}  // namespace fovea::kernels
