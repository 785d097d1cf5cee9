#include <algorithm>

#include "kernels/gpu_portability.h"
#include "kernels/ycbcr_pixel.h"

namespace fovea::kernels {
namespace {

// Descriptors travel as a kernel argument: 32 of them stay under the 4 KiB that every CUDA and HIP
// version accepts.
constexpr int kImagesPerLaunch = 32;
struct YcbcrBatch {
  YcbcrPlanes images[kImagesPerLaunch];
};

// blockIdx.z picks the image; a 2-D grid of 32 x 8 threads covers the largest one, and threads outside
// an image's size return at once.
__global__ void ycbcr_to_rgb_kernel(YcbcrBatch batch) {
  const YcbcrPlanes& p = batch.images[blockIdx.z];
  const int x = blockIdx.x * blockDim.x + threadIdx.x, y = blockIdx.y * blockDim.y + threadIdx.y;
  if (x < p.width && y < p.height) ycbcr_detail::convert_pixel(p, x, y);
}

}  // namespace

void ycbcr_to_rgb_gpu(const YcbcrPlanes* images, int count, void* stream) {
  for (int first = 0; first < count; first += kImagesPerLaunch) {
    const int n = std::min(kImagesPerLaunch, count - first);
    YcbcrBatch batch;
    int max_width = 0, max_height = 0;
    for (int i = 0; i < n; ++i) {
      batch.images[i] = images[first + i];
      max_width = std::max(max_width, images[first + i].width);
      max_height = std::max(max_height, images[first + i].height);
    }
    const dim3 block(32, 8);
    const dim3 grid((max_width + 31) / 32, (max_height + 7) / 8, n);
    ycbcr_to_rgb_kernel<<<grid, block, 0, static_cast<gpuStream_t>(stream)>>>(batch);
  }
}

}  // namespace fovea::kernels
