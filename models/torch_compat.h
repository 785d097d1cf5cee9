// The differences between the LibTorch versions Fovea builds with (Debian's 1.13 on CPU machines,
// 2.x on GPU machines), in one place. Code elsewhere calls these and never checks versions itself.
#pragma once
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <sstream>
#include <string>
#include <type_traits>

#define FOVEA_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace fovea::compat {

// bf16 autocast on CUDA for the current thread while alive, as `torch.autocast("cuda", torch.bfloat16)`.
// Its cache of cast weights is cleared on exit, so use one per forward pass (weights change each step).
class CudaBf16Autocast {
 public:
  explicit CudaBf16Autocast(bool enable) : enabled_(enable) {
    if (!enabled_) return;
#if FOVEA_TORCH_AT_LEAST(2, 4)
    previous_ = at::autocast::is_autocast_enabled(at::kCUDA);
    previous_dtype_ = at::autocast::get_autocast_dtype(at::kCUDA);
    at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
    previous_ = at::autocast::is_enabled();
    previous_dtype_ = at::autocast::get_autocast_gpu_dtype();
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
#endif
    at::autocast::increment_nesting();
  }
  ~CudaBf16Autocast() {
    if (!enabled_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
#if FOVEA_TORCH_AT_LEAST(2, 4)
    at::autocast::set_autocast_enabled(at::kCUDA, previous_);
    at::autocast::set_autocast_dtype(at::kCUDA, previous_dtype_);
#else
    at::autocast::set_enabled(previous_);
    at::autocast::set_autocast_gpu_dtype(previous_dtype_);
#endif
  }
  CudaBf16Autocast(const CudaBf16Autocast&) = delete;
  CudaBf16Autocast& operator=(const CudaBf16Autocast&) = delete;

 private:
  bool enabled_;
  bool previous_ = false;
  at::ScalarType previous_dtype_ = at::kFloat;
};

// Whether bf16 autocast on CUDA is on for the current thread (what CudaBf16Autocast turns on).
inline bool cuda_bf16_autocast_active() {
#if FOVEA_TORCH_AT_LEAST(2, 4)
  return at::autocast::is_autocast_enabled(at::kCUDA) && at::autocast::get_autocast_dtype(at::kCUDA) == at::kBFloat16;
#else
  return at::autocast::is_enabled() && at::autocast::get_autocast_gpu_dtype() == at::kBFloat16;
#endif
}

// The key of a parameter in torch::optim::Optimizer::state(): the address of its TensorImpl as text
// in LibTorch 1.x (what c10::guts::to_string prints), the address itself in 2.x. Key is the map's
// key_type, so that the caller need not know which.
template <typename Key>
Key optimizer_state_key(const at::Tensor& parameter) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream text;
    text << parameter.unsafeGetTensorImpl();
    return text.str();
  } else {
    return static_cast<Key>(parameter.unsafeGetTensorImpl());
  }
}

}  // namespace fovea::compat
