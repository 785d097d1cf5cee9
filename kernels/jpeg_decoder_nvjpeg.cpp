// GpuJpegDecoder on nvJPEG's batched API: the hardware backend (the GPU's JPEG engines) when the GPU
// has one, else the default backend. nvJPEG decodes to Y, Cb and Cr planes; ycbcr_to_rgb_gpu then
// upsamples chroma and converts colour exactly as libjpeg does (nvJPEG's own RGB output replicates chroma
// samples, which is up to ~45 levels off PIL at colour edges).
#include <cuda_runtime.h>
#include <nvjpeg.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "kernels/jpeg_decoder.h"
#include "kernels/ycbcr_to_rgb.h"

namespace fovea::kernels {
namespace {

void check(nvjpegStatus_t status, const char* what) {
  if (status != NVJPEG_STATUS_SUCCESS)
    throw std::runtime_error(std::string("nvJPEG ") + what + " failed (status " + std::to_string(static_cast<int>(status)) + ")");
}

void check_cuda(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw std::runtime_error(std::string(what) + " failed: " + cudaGetErrorString(status));
}

// What libjpeg would do differently from a YCbCr decode: JPEGs that store RGB directly (an Adobe APP14
// marker with transform 0, or component ids 'R', 'G', 'B') are converted by libjpeg without a colour
// transform. Those few go to the CPU.
bool stored_as_rgb(const uint8_t* data, size_t length) {
  size_t at = 2;
  while (at + 4 <= length && data[at] == 0xFF) {
    const uint8_t marker = data[at + 1];
    const size_t segment = static_cast<size_t>(data[at + 2]) << 8 | data[at + 3];
    if (marker == 0xDA || segment < 2 || at + 2 + segment > length) break;  // the scan: headers are over
    const uint8_t* body = data + at + 4;
    if (marker == 0xEE && segment >= 14 && std::memcmp(body, "Adobe", 5) == 0 && body[11] == 0) return true;
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC && segment >= 17 &&
        body[5] == 3 && body[6] == 'R' && body[9] == 'G' && body[12] == 'B')
      return true;
    at += 2 + segment;
  }
  return false;
}

// nvJPEG's own device buffers, stream-ordered: cudaFree (nvJPEG's default) waits for the whole device,
// so every reallocation would stall behind the model's queued kernels.
int device_malloc(void*, void** ptr, size_t size, cudaStream_t stream) {
  return cudaMallocAsync(ptr, size, stream) == cudaSuccess ? 0 : 1;
}
int device_free(void*, void* ptr, size_t, cudaStream_t stream) { return cudaFreeAsync(ptr, stream) == cudaSuccess ? 0 : 1; }

// nvJPEG's pinned staging buffers, kept and reused once the stream that released them has passed that
// point (cudaFreeHost would wait for the whole device, like cudaFree).
class PinnedPool {
 public:
  ~PinnedPool() {
    for (auto& [size, block] : free_) cudaEventDestroy(block.released);
    for (auto& [ptr, size] : sizes_) cudaFreeHost(ptr);
  }
  static int allocate(void* self, void** ptr, size_t size, cudaStream_t) {
    return static_cast<PinnedPool*>(self)->take(ptr, size) ? 0 : 1;
  }
  static int release(void* self, void* ptr, size_t, cudaStream_t stream) {
    return static_cast<PinnedPool*>(self)->give_back(ptr, stream) ? 0 : 1;
  }

 private:
  struct Block {
    void* ptr;
    cudaEvent_t released;
  };
  bool take(void** ptr, size_t size) {
    std::lock_guard lock(mutex_);
    for (auto it = free_.lower_bound(size); it != free_.end() && it->first <= 2 * size + (1 << 20); ++it) {
      if (cudaEventQuery(it->second.released) != cudaSuccess) continue;  // the stream may still read it
      *ptr = it->second.ptr;
      cudaEventDestroy(it->second.released);
      free_.erase(it);
      return true;
    }
    if (cudaHostAlloc(ptr, size, cudaHostAllocDefault) != cudaSuccess) return false;
    sizes_[*ptr] = size;
    return true;
  }
  bool give_back(void* ptr, cudaStream_t stream) {
    std::lock_guard lock(mutex_);
    const auto known = sizes_.find(ptr);
    if (known == sizes_.end()) return false;
    cudaEvent_t released;
    if (cudaEventCreateWithFlags(&released, cudaEventDisableTiming) != cudaSuccess) return false;
    cudaEventRecord(released, stream);
    free_.emplace(known->second, Block{ptr, released});
    return true;
  }
  std::mutex mutex_;
  std::map<void*, size_t> sizes_;        // every block this pool allocated
  std::multimap<size_t, Block> free_;    // released blocks by size
};

struct Layout {
  int width = 0, height = 0;
  int chroma_width = 0, chroma_height = 0;
  int h_factor = 1, v_factor = 1;
  bool grey = false;
};

}  // namespace

struct GpuJpegDecoder::State {
  PinnedPool pinned;  // outlives the handle (destroyed after it)
  nvjpegHandle_t handle = nullptr;
  nvjpegJpegState_t state = nullptr;
  nvjpegJpegStream_t stream = nullptr;  // for probing headers
  bool hardware = false;
  int batch = 0;  // the batch size the state was initialised for

  // The image's layout when this decoder converts it exactly like libjpeg; nullopt otherwise.
  std::optional<Layout> layout(const uint8_t* data, size_t length) const {
    if (length < 4 || data[0] != 0xFF || data[1] != 0xD8) return std::nullopt;  // no SOI marker: not a JPEG
    int components = 0;
    nvjpegChromaSubsampling_t subsampling;
    int widths[NVJPEG_MAX_COMPONENT] = {}, heights[NVJPEG_MAX_COMPONENT] = {};
    if (nvjpegGetImageInfo(handle, data, length, &components, &subsampling, widths, heights) != NVJPEG_STATUS_SUCCESS)
      return std::nullopt;
    Layout l;
    l.width = widths[0];
    l.height = heights[0];
    if (l.width <= 0 || l.height <= 0) return std::nullopt;
    if (components == 1 && subsampling == NVJPEG_CSS_GRAY) {
      l.grey = true;
      return l;
    }
    if (components != 3 || stored_as_rgb(data, length)) return std::nullopt;  // CMYK, RGB-coded: the CPU
    switch (subsampling) {
      case NVJPEG_CSS_444: break;
      case NVJPEG_CSS_422: l.h_factor = 2; break;
      case NVJPEG_CSS_420: l.h_factor = l.v_factor = 2; break;
      case NVJPEG_CSS_440: l.v_factor = 2; break;
      default: return std::nullopt;  // 4:1:1, 4:1:0 and unusual factors: libjpeg upsamples those differently
    }
    l.chroma_width = (l.width + l.h_factor - 1) / l.h_factor;
    l.chroma_height = (l.height + l.v_factor - 1) / l.v_factor;
    if (widths[1] != l.chroma_width || heights[1] != l.chroma_height || widths[2] != l.chroma_width ||
        heights[2] != l.chroma_height)
      return std::nullopt;
    return l;
  }
};

bool GpuJpegDecoder::compiled() { return true; }

GpuJpegDecoder::GpuJpegDecoder() : state_(std::make_unique<State>()) {
  State& s = *state_;
  // FOVEA_NVJPEG_DEFAULT_ALLOCATORS=1 keeps nvJPEG's cudaMalloc/cudaHostAlloc ones, for measuring.
  const bool own_allocators = std::getenv("FOVEA_NVJPEG_DEFAULT_ALLOCATORS") == nullptr;
  nvjpegDevAllocatorV2_t device_allocator{};
  device_allocator.dev_malloc = device_malloc;
  device_allocator.dev_free = device_free;
  nvjpegPinnedAllocatorV2_t pinned_allocator{};
  pinned_allocator.pinned_malloc = PinnedPool::allocate;
  pinned_allocator.pinned_free = PinnedPool::release;
  pinned_allocator.pinned_ctx = &s.pinned;
  const auto create = [&](nvjpegBackend_t backend) {
    return own_allocators ? nvjpegCreateExV2(backend, &device_allocator, &pinned_allocator, 0, &s.handle)
                          : nvjpegCreateEx(backend, nullptr, nullptr, 0, &s.handle);
  };
  // FOVEA_NVJPEG_NO_HARDWARE=1 takes the default backend (Huffman on the CPU, the rest in CUDA kernels)
  // even where the GPU has JPEG engines, for measuring one against the other.
  s.hardware = std::getenv("FOVEA_NVJPEG_NO_HARDWARE") == nullptr && create(NVJPEG_BACKEND_HARDWARE) == NVJPEG_STATUS_SUCCESS;
  if (!s.hardware) check(create(NVJPEG_BACKEND_DEFAULT), "create");
  check(nvjpegJpegStateCreate(s.handle, &s.state), "state create");
  check(nvjpegJpegStreamCreate(s.handle, &s.stream), "stream create");
}

GpuJpegDecoder::~GpuJpegDecoder() {
  State& s = *state_;
  if (s.stream) nvjpegJpegStreamDestroy(s.stream);
  if (s.state) nvjpegJpegStateDestroy(s.state);
  if (s.handle) nvjpegDestroy(s.handle);
}

bool GpuJpegDecoder::hardware() const { return state_->hardware; }

bool GpuJpegDecoder::probe(const uint8_t* data, size_t length, int* width, int* height) {
  State& s = *state_;
  const std::optional<Layout> layout = s.layout(data, length);
  if (!layout) return false;
  if (s.hardware) {
    int unsupported = 1;
    if (nvjpegJpegStreamParseHeader(s.handle, data, length, s.stream) != NVJPEG_STATUS_SUCCESS) return false;
    if (nvjpegDecodeBatchedSupported(s.handle, s.stream, &unsupported) != NVJPEG_STATUS_SUCCESS || unsupported != 0)
      return false;
  }
  *width = layout->width;
  *height = layout->height;
  return true;
}

void GpuJpegDecoder::decode(const std::vector<const uint8_t*>& data, const std::vector<size_t>& lengths,
                            const std::vector<uint8_t*>& out, const std::vector<int>& widths, uint8_t* planes,
                            void* stream) {
  State& s = *state_;
  const int count = static_cast<int>(data.size());
  if (count == 0) return;
  const auto cuda_stream = static_cast<cudaStream_t>(stream);
  std::vector<Layout> layouts(count);
  for (int i = 0; i < count; ++i) {
    const std::optional<Layout> l = s.layout(data[i], lengths[i]);
    if (!l || l->width != widths[i]) throw std::runtime_error("JPEG " + std::to_string(i) + " of the batch changed since probe()");
    layouts[i] = *l;
  }
  if (count != s.batch) {
    check(nvjpegDecodeBatchedInitialize(s.handle, s.state, count, 1, NVJPEG_OUTPUT_YUV), "batch initialise");
    s.batch = count;
  }
  std::vector<nvjpegImage_t> images(count);
  std::vector<YcbcrPlanes> conversions(count);
  size_t offset = 0;
  for (int i = 0; i < count; ++i) {
    const Layout& l = layouts[i];
    // Grey images get full-size chroma planes (nvJPEG may fill them): every image fits in width*height*3.
    const int cw = l.grey ? l.width : l.chroma_width, ch = l.grey ? l.height : l.chroma_height;
    images[i] = nvjpegImage_t{};
    uint8_t* y = planes + offset;
    uint8_t* cb = y + size_t(l.width) * l.height;
    uint8_t* cr = cb + size_t(cw) * ch;
    offset += size_t(l.width) * l.height * 3;
    images[i].channel[0] = y;
    images[i].pitch[0] = static_cast<size_t>(l.width);
    images[i].channel[1] = cb;
    images[i].pitch[1] = static_cast<size_t>(cw);
    images[i].channel[2] = cr;
    images[i].pitch[2] = static_cast<size_t>(cw);
    YcbcrPlanes& p = conversions[i];
    p.y = y;
    p.y_pitch = l.width;
    p.width = l.width;
    p.height = l.height;
    p.rgb = out[i];
    if (!l.grey) {
      p.cb = cb;
      p.cr = cr;
      p.chroma_pitch = cw;
      p.chroma_width = l.chroma_width;
      p.chroma_height = l.chroma_height;
      p.h_factor = l.h_factor;
      p.v_factor = l.v_factor;
    }
  }
  // The hardware backend starts writing the planes when it is called, not when `stream` reaches the call
  // (measured by torchcodec, pull request 1634, on H100 with nvJPEG 12.3-13.2), so work still queued on the
  // stream that uses this memory (the caching allocator hands out memory the stream's queued kernels just
  // freed) must be finished first; only a host wait orders it.
  if (s.hardware) check_cuda(cudaStreamSynchronize(cuda_stream), "waiting for the decoding stream");
  check(nvjpegDecodeBatched(s.handle, s.state, data.data(), lengths.data(), images.data(), cuda_stream),
        "batched decode");
  ycbcr_to_rgb_gpu(conversions.data(), count, cuda_stream);
  check_cuda(cudaGetLastError(), "colour conversion launch");
}

}  // namespace fovea::kernels
