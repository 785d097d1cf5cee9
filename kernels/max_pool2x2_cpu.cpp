#include <cstring>
#include <limits>

#include "kernels/bf16.h"
#include "kernels/max_pool2x2.h"
#include "kernels/max_pool2x2_window.h"

namespace fovea::kernels {
namespace {

float load(const void* base, bool bf16, int64_t i) {
  return bf16 ? bf16_to_float(static_cast<const uint16_t*>(base)[i]) : static_cast<const float*>(base)[i];
}

// Copies element `from` of `source` to element `to` of `target` bit for bit (bf16 or float32).
void copy_element(const void* source, int64_t from, void* target, int64_t to, bool bf16) {
  const size_t size = bf16 ? 2 : 4;
  std::memcpy(static_cast<char*>(target) + to * size, static_cast<const char*>(source) + from * size, size);
}

}  // namespace

void max_pool2x2_forward_cpu(const MaxPool2x2Params& p, int64_t n_begin, int64_t n_end) {
  const int64_t H = p.height, W = p.width, C = p.channels, out_h = H / 2, out_w = W / 2;
  for (int64_t n = n_begin; n < n_end; ++n)
    for (int64_t oy = 0; oy < out_h; ++oy)
      for (int64_t ox = 0; ox < out_w; ++ox)
        for (int64_t c = 0; c < C; ++c) {
          float best = -std::numeric_limits<float>::infinity();
          int64_t best_at = ((n * H + 2 * oy) * W + 2 * ox) * C + c;
          uint8_t winner = 0;
          for (int k = 0; k < 4; ++k) {
            const int64_t at = ((n * H + 2 * oy + k / 2) * W + 2 * ox + k % 2) * C + c;
            const float value = load(p.input, p.bf16, at);
            if (max_pool_detail::replaces(value, best)) {
              best = value;
              best_at = at;
              winner = static_cast<uint8_t>(k);
            }
          }
          const int64_t out = ((n * out_h + oy) * out_w + ox) * C + c;
          copy_element(p.input, best_at, p.output, out, p.bf16);
          p.argmax[out] = winner;
        }
}

void max_pool2x2_backward_cpu(const MaxPool2x2Params& p, const MaxPool2x2Grads& g, int64_t n_begin, int64_t n_end) {
  const int64_t H = p.height, W = p.width, C = p.channels, out_h = H / 2, out_w = W / 2;
  const uint16_t zero_bf16 = 0;
  const float zero_f32 = 0.0f;
  const void* zero = p.bf16 ? static_cast<const void*>(&zero_bf16) : static_cast<const void*>(&zero_f32);
  for (int64_t n = n_begin; n < n_end; ++n)
    for (int64_t oy = 0; oy < out_h; ++oy)
      for (int64_t ox = 0; ox < out_w; ++ox)
        for (int64_t c = 0; c < C; ++c) {
          const int64_t out = ((n * out_h + oy) * out_w + ox) * C + c;
          for (int k = 0; k < 4; ++k) {
            const int64_t at = ((n * H + 2 * oy + k / 2) * W + 2 * ox + k % 2) * C + c;
            if (g.argmax[out] == k) {
              copy_element(g.grad_output, out, g.grad_input, at, p.bf16);
            } else {
              copy_element(zero, 0, g.grad_input, at, p.bf16);
            }
          }
        }
  // The odd last row and column that no window covers.
  if (out_h == 0 || out_w == 0) return;  // no window at all: the caller zeroes the gradient
  for (int64_t n = n_begin; n < n_end; ++n)
    for (int64_t y = 0; y < H; ++y)
      for (int64_t x = 0; x < W; ++x) {
        if (y < 2 * out_h && x < 2 * out_w) continue;
        for (int64_t c = 0; c < C; ++c) copy_element(zero, 0, g.grad_input, ((n * H + y) * W + x) * C + c, p.bf16);
      }
}

}  // namespace fovea::kernels
