#include "models/ops/gpu_augment.h"

#include <ATen/ATen.h>

#include "models/ops/gpu_stream.h"
#if defined(FOVEA_HAVE_GPU_KERNELS)
#include "kernels/augment_gpu.h"
#endif

namespace fovea::ops {

bool gpu_augment_available() {
#if defined(FOVEA_HAVE_GPU_KERNELS)
  return true;
#else
  return false;
#endif
}

at::Tensor gpu_augment(const at::Tensor& images, const at::Tensor& indices, kernels::AugmentParams params) {
  TORCH_CHECK(gpu_augment_available(), "this build of Fovea has no GPU kernels");
  TORCH_CHECK(images.is_cuda() && images.scalar_type() == at::kByte && images.dim() == 4 && images.is_contiguous(),
              "gpu_augment needs contiguous uint8 NHWC images on the GPU");
  TORCH_CHECK(images.size(3) <= 4, "gpu_augment handles at most 4 channels");
  const at::Tensor idx = indices.to(images.device(), at::kLong).contiguous();
  params.images = images.data_ptr<uint8_t>();
  params.indices = idx.data_ptr<int64_t>();
  params.batch = idx.size(0);
  params.height = images.size(1);
  params.width = images.size(2);
  params.channels = images.size(3);
  const int64_t out_h = params.height + 2 * params.pad, out_w = params.width + 2 * params.pad;
  const auto options = at::TensorOptions(at::kFloat).device(images.device());
  at::Tensor out = params.channels_last
                       ? at::empty({params.batch, params.channels, out_h, out_w}, options.memory_format(at::MemoryFormat::ChannelsLast))
                       : at::empty({params.batch, params.channels, out_h, out_w}, options);
  params.out = out.data_ptr<float>();
#if defined(FOVEA_HAVE_GPU_KERNELS)
  kernels::augment_gpu(params, current_gpu_stream(images.device()));
#endif
  return out;
}

}  // namespace fovea::ops
