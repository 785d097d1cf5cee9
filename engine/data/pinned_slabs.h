// Page-locked host memory for decoded images, carved out of slabs of one size. Pinning costs 0.4-0.8 ms a
// megabyte on the H200 machine whatever the allocation's size, and the driver does one at a time. LibTorch's
// caching host allocator pins each decoded image on its own, rounded up to a power of two (a 562 KB ImageNet
// photo takes 1 MB), so an evaluation's first second pinned ~1.2 GB while the model warmed up, and slowed
// both. Slabs waste little, are recycled by that same caching allocator whatever images come next, and can be
// pinned in advance (reserve_pinned_slabs) while a checkpoint loads. An image is a view of its slab, so
// LibTorch's bookkeeping holds: a slab is reused only once its last image is gone and its copies are done.
#pragma once
#include <cstdint>

#include <ATen/core/Tensor.h>

namespace fovea::engine {

constexpr int64_t kPinnedSlabBytes = int64_t{8} << 20;

// uint8 [bytes] in pinned memory: from the calling thread's current slab (a new one when it is full), or
// on its own when larger than half a slab.
at::Tensor pinned_image_buffer(int64_t bytes);

// Pins enough slabs for `bytes` and hands them to the caching allocator's free list for later use.
void reserve_pinned_slabs(int64_t bytes);

}  // namespace fovea::engine
