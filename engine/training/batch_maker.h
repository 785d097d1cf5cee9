// Turns sample indices into a normalized float batch, with optional random flip, translate and cutout,
// from a uint8 NHWC split that lives on the training device (no per-item host work).
#pragma once
#include <array>
#include <cstdint>

#include <ATen/core/Tensor.h>

namespace fovea::engine {

struct BatchOptions {
  int64_t max_translate = 0;  // pixels, zero-filled
  bool random_flip = false;
  int64_t cutout = 0;  // side of a random square set to 0 after normalising (kernels/augment.h); 0: none
  bool channels_last = false;
  std::array<float, 3> mean{}, std{1, 1, 1};
  uint64_t seed = 0;
};

class BatchMaker {
 public:
  BatchMaker(at::Tensor images_nhwc_u8, BatchOptions options);
  // `indices`: int64 on the images' device. `draw_offset` numbers the random draws (use the count of
  // samples drawn so far) so that every batch of a run gets fresh, reproducible augmentation.
  at::Tensor make(const at::Tensor& indices, uint64_t draw_offset) const;

  // The two implementations behind make(): the fused CPU kernel, and tensor ops for other devices.
  // Both give the same result for the same draws (tested).
  at::Tensor make_cpu(const at::Tensor& indices, uint64_t draw_offset) const;
  at::Tensor make_with_tensor_ops(const at::Tensor& indices, uint64_t draw_offset) const;

 private:

  at::Tensor images_;
  BatchOptions options_;
};

}  // namespace fovea::engine
