#include "engine/training/batch_maker.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <vector>

#include "kernels/augment.h"
#include "models/ops/gpu_augment.h"

namespace fovea::engine {
namespace {

kernels::AugmentParams augment_params(const at::Tensor& images, const BatchOptions& o, uint64_t draw_offset) {
  kernels::AugmentParams p;
  p.height = images.size(1);
  p.width = images.size(2);
  p.channels = images.size(3);
  p.max_translate = o.max_translate;
  p.random_flip = o.random_flip;
  p.cutout = o.cutout;
  p.channels_last = o.channels_last;
  for (int c = 0; c < 3; ++c) {
    p.mean[c] = o.mean[c];
    p.inv_std[c] = 1.0f / o.std[c];
  }
  p.seed = o.seed;
  p.step_offset = draw_offset;
  return p;
}

}  // namespace

BatchMaker::BatchMaker(at::Tensor images_nhwc_u8, BatchOptions options)
    : images_(images_nhwc_u8.contiguous()), options_(options) {
  TORCH_CHECK(images_.dim() == 4 && images_.scalar_type() == at::kByte, "BatchMaker needs uint8 NHWC images");
  TORCH_CHECK(images_.size(3) <= 3, "BatchMaker handles at most 3 channels");
}

at::Tensor BatchMaker::make(const at::Tensor& indices, uint64_t draw_offset) const {
  if (images_.is_cpu()) return make_cpu(indices, draw_offset);
  if (images_.is_cuda() && ops::gpu_augment_available())
    return ops::gpu_augment(images_, indices, augment_params(images_, options_, draw_offset));
  return make_with_tensor_ops(indices, draw_offset);
}

at::Tensor BatchMaker::make_cpu(const at::Tensor& indices, uint64_t draw_offset) const {
  const at::Tensor idx = indices.to(at::kLong).contiguous();
  const int64_t batch = idx.size(0), H = images_.size(1), W = images_.size(2), C = images_.size(3);
  at::Tensor out = options_.channels_last
                       ? at::empty({batch, C, H, W}, at::TensorOptions(at::kFloat).memory_format(at::MemoryFormat::ChannelsLast))
                       : at::empty({batch, C, H, W}, at::kFloat);
  const kernels::AugmentParams base = augment_params(images_, options_, draw_offset);
  const int64_t per_sample = C * H * W;
  at::parallel_for(0, batch, 8, [&](int64_t begin, int64_t end) {
    kernels::AugmentParams p = base;
    p.images = images_.data_ptr<uint8_t>();
    p.indices = idx.data_ptr<int64_t>() + begin;
    p.out = out.data_ptr<float>() + begin * per_sample;
    p.batch = end - begin;
    p.step_offset = base.step_offset + static_cast<uint64_t>(begin);
    kernels::augment_cpu(p);
  });
  return out;
}

// Same draws and result as kernels::augment_cpu, composed of tensor ops for devices without the
// fused kernel.
at::Tensor BatchMaker::make_with_tensor_ops(const at::Tensor& indices, uint64_t draw_offset) const {
  const int64_t batch = indices.size(0), H = images_.size(1), W = images_.size(2), C = images_.size(3);
  const auto device = images_.device();
  at::Tensor x = images_.index_select(0, indices).permute({0, 3, 1, 2}).to(at::kFloat).div_(255.0);
  const kernels::AugmentParams p = augment_params(images_, options_, draw_offset);
  std::vector<int64_t> dy(batch), dx(batch), flip(batch), cut_y(batch), cut_x(batch);
  for (int64_t b = 0; b < batch; ++b) {
    const kernels::AugmentDraw d = kernels::augment_draw(p, b);
    dy[b] = d.dy;
    dx[b] = d.dx;
    flip[b] = d.flip;
    cut_y[b] = d.cutout_y;
    cut_x[b] = d.cutout_x;
  }
  const auto on_device = [&](std::vector<int64_t>& v) { return at::tensor(v, at::kLong).to(device); };
  if (options_.max_translate > 0 || options_.random_flip) {
    const int64_t T = options_.max_translate;
    const at::Tensor shift_y = on_device(dy).view({batch, 1}), shift_x = on_device(dx).view({batch, 1});
    const at::Tensor flipped = on_device(flip).view({batch, 1}).to(at::kBool);
    const at::Tensor ys = at::arange(H, at::TensorOptions(at::kLong).device(device)).view({1, H});
    at::Tensor xs = at::arange(W, at::TensorOptions(at::kLong).device(device)).view({1, W});
    xs = at::where(flipped, W - 1 - xs, xs);                     // [B, W]
    const at::Tensor rows = ys - shift_y + T, cols = xs - shift_x + T;  // into the padded image
    const at::Tensor padded = at::constant_pad_nd(x, {T, T, T, T}, 0.0);
    const at::Tensor row_index = rows.view({batch, 1, H, 1}).expand({batch, C, H, W + 2 * T});
    const at::Tensor picked_rows = padded.gather(2, row_index);
    const at::Tensor col_index = cols.view({batch, 1, 1, W}).expand({batch, C, H, W});
    x = picked_rows.gather(3, col_index);
  }
  std::vector<float> mean(options_.mean.begin(), options_.mean.begin() + C);
  std::vector<float> std(options_.std.begin(), options_.std.begin() + C);
  x = (x - at::tensor(mean).to(device).view({1, C, 1, 1})) / at::tensor(std).to(device).view({1, C, 1, 1});
  if (options_.cutout > 0) {  // [B, 1, H, W]: inside each sample's square
    const auto positions = [&](int64_t n) { return at::arange(n, at::TensorOptions(at::kLong).device(device)); };
    const at::Tensor top = on_device(cut_y).view({batch, 1}), left = on_device(cut_x).view({batch, 1});
    const at::Tensor ys = positions(H).view({1, H}), xs = positions(W).view({1, W});
    const at::Tensor rows = (ys >= top).logical_and(ys < top + options_.cutout);  // [B, H]
    const at::Tensor cols = (xs >= left).logical_and(xs < left + options_.cutout);  // [B, W]
    x = x.masked_fill(rows.view({batch, 1, H, 1}).logical_and(cols.view({batch, 1, 1, W})), 0.0);
  }
  return options_.channels_last ? x.contiguous(at::MemoryFormat::ChannelsLast) : x.contiguous();
}

}  // namespace fovea::engine
