// JPEG decoding on the GPU (nvJPEG: the hardware JPEG engines of A100/H100-class GPUs when present, the
// GPU's cores otherwise). Built only where the CUDA toolkit has nvJPEG; rocJPEG is not wired up yet.
// Decoding on the CPU costs ~2 ms per ImageNet-sized photo and core; the GPU decodes tens of thousands
// a second, which is what keeps an evaluation of a fast model fed.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace fovea::kernels {

class GpuJpegDecoder {
 public:
  // True when this build has nvJPEG.
  static bool compiled();

  // On the current CUDA device. Throws std::runtime_error when nvJPEG cannot start.
  GpuJpegDecoder();
  ~GpuJpegDecoder();
  GpuJpegDecoder(const GpuJpegDecoder&) = delete;
  GpuJpegDecoder& operator=(const GpuJpegDecoder&) = delete;

  // True when nvJPEG decodes on the GPU's JPEG engines (A100/H100 class); false when it runs its
  // hybrid decoder (Huffman decoding on this CPU thread, the rest on the GPU's cores).
  bool hardware() const;

  // The image's width and height from its header when this decoder can decode it to RGB (baseline or
  // progressive JPEG, YCbCr or grey); false otherwise (not a JPEG, CMYK, ...: decode those on the CPU).
  bool probe(const uint8_t* data, size_t length, int* width, int* height);

  // Decodes the images (each one that probe() accepted) to interleaved RGB uint8 with libjpeg's pixels
  // (ycbcr_to_rgb.h): image i goes to out[i], height * width * 3 bytes of device memory. `planes` is
  // device scratch of the same total size (the sum of height * width * 3), which must stay allocated
  // until the queued work is done: the caller's stream-ordered allocator handles that, where a
  // cudaMalloc here would synchronise the device against the other decoding threads. Queued on `stream`
  // (a cudaStream_t); the inputs may be freed when this returns. Throws std::runtime_error naming the
  // failing step.
  void decode(const std::vector<const uint8_t*>& data, const std::vector<size_t>& lengths,
              const std::vector<uint8_t*>& out, const std::vector<int>& widths, uint8_t* planes, void* stream);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace fovea::kernels
