// Before an evaluation on a GPU, on a thread of its own while the job reads its checkpoint (a second or more of
// CPU work): pins the host memory the decoding workers will fill (engine/data/pinned_slabs.h), and loads the
// kernels and libraries every evaluation uses (the batched resize of both kinds, uint8 -> float conversion,
// cuBLAS's GEMMs, a cuDNN convolution). Both are serialised in the driver: done while the model warms up and
// the workers start, they held both up (on the H200 machine the warm-up took 0.67 s instead of 0.15 s).
#pragma once
#include <cstdint>
#include <thread>

#include <c10/core/Device.h>

namespace fovea::engine {

// A thread doing the above on a CUDA device (none otherwise); it joins when destroyed. Failures are ignored
// here: they show again where the same work is done for real.
// `pinned_bytes`: the decoded images the workers will hold at once (0: none pinned in advance).
std::jthread warm_up_device_for_evaluation(const c10::Device& device, int64_t pinned_bytes);

}  // namespace fovea::engine
