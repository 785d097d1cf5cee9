#include "engine/data/pinned_slabs.h"

#include <ATen/ATen.h>

#include <vector>

namespace fovea::engine {
namespace {

constexpr int64_t kAlignment = 256;  // each image starts where a DMA copy would start anyway

at::Tensor pinned_bytes(int64_t bytes) { return at::empty({bytes}, at::TensorOptions(at::kByte).pinned_memory(true)); }

struct CurrentSlab {
  at::Tensor slab;
  int64_t used = 0;
};

}  // namespace

at::Tensor pinned_image_buffer(int64_t bytes) {
  if (bytes > kPinnedSlabBytes / 2) return pinned_bytes(bytes);
  thread_local CurrentSlab current;
  if (!current.slab.defined() || current.used + bytes > kPinnedSlabBytes) {
    current.slab = pinned_bytes(kPinnedSlabBytes);  // the full one lives on while its images do
    current.used = 0;
  }
  at::Tensor view = current.slab.narrow(0, current.used, bytes);
  current.used += (bytes + kAlignment - 1) / kAlignment * kAlignment;
  return view;
}

void reserve_pinned_slabs(int64_t bytes) {
  std::vector<at::Tensor> slabs;
  for (int64_t pinned = 0; pinned < bytes; pinned += kPinnedSlabBytes) slabs.push_back(pinned_bytes(kPinnedSlabBytes));
}  // freed here: cached, pinned, for the next requests of their size

}  // namespace fovea::engine
