#include "engine/training/eval_device_warm_up.h"

#include <ATen/ATen.h>

#include "engine/data/image_transform.h"
#include "engine/data/pinned_slabs.h"
#include "models/torch_compat.h"

namespace fovea::engine {

std::jthread warm_up_device_for_evaluation(const c10::Device& device, int64_t pinned_bytes) {
  if (!device.is_cuda()) return {};
  return std::jthread([device, pinned_bytes] {
    try {
      reserve_pinned_slabs(pinned_bytes);
      const auto bytes = at::TensorOptions(at::kByte).device(device);
      at::Tensor checksum = at::zeros({}, at::TensorOptions(at::kFloat).device(device));
      // Photos shrink along both axes, so the antialiased kernels of both passes load.
      for (const Interpolation interpolation : {Interpolation::Bilinear, Interpolation::Bicubic}) {
        const at::Tensor crops = apply_eval_transform_batch(at::zeros({2, 96, 128, 3}, bytes), {64, 56, interpolation});
        checksum += crops.permute({0, 3, 1, 2}).to(at::kFloat).sum();
      }
      for (const bool bf16 : {false, true}) {
        const compat::CudaBf16Autocast autocast(bf16);
        const auto floats = at::TensorOptions(at::kFloat).device(device);
        const at::Tensor image = at::zeros({2, 16, 8, 8}, floats).contiguous(at::MemoryFormat::ChannelsLast);
        const at::Tensor filters = at::zeros({16, 16, 3, 3}, floats).contiguous(at::MemoryFormat::ChannelsLast);
        checksum += at::conv2d(image, filters, {}, 1, 1).sum().to(at::kFloat);
        checksum += at::matmul(at::zeros({64, 64}, floats), at::zeros({64, 64}, floats)).sum().to(at::kFloat);
      }
      (void)checksum.item<float>();  // waits for the device
    } catch (const std::exception&) {
    }
  });
}

}  // namespace fovea::engine
