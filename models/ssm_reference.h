// Plain LibTorch transcriptions of the reference math of mamba_ssm: selective_scan_ref (Mamba),
// causal_conv1d_ref, and the chunked state-space-dual scan of ssd_minimal (Mamba-2). They run on any
// device, are differentiable through autograd, and are what the GPU kernels are tested against.
#pragma once
#include <ATen/core/Tensor.h>

namespace fovea::models {

struct SelectiveScanArgs {
  at::Tensor u;           // (batch, dim, length)
  at::Tensor delta;       // (batch, dim, length)
  at::Tensor A;           // (dim, state), real
  at::Tensor B;           // (batch, state, length) or grouped (batch, groups, state, length)
  at::Tensor C;           // like B
  at::Tensor D;           // (dim) or undefined
  at::Tensor z;           // (batch, dim, length) or undefined: output gated by silu(z)
  at::Tensor delta_bias;  // (dim) or undefined
  bool delta_softplus = false;
};

struct SelectiveScanResult {
  at::Tensor out;         // (batch, dim, length), dtype of u
  at::Tensor last_state;  // (batch, dim, state), float32
};

// h_t = exp(delta_t * A) h_{t-1} + delta_t * B_t * u_t;  y_t = C_t . h_t + D * u_t;  y *= silu(z).
// Computed in float32 whatever the input dtype.
SelectiveScanResult selective_scan_reference(const SelectiveScanArgs& args);

// Depthwise causal conv1d: x (batch, dim, length), weight (dim, width), bias (dim) or undefined.
at::Tensor causal_conv1d_reference(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool silu);

// Mamba-2's scan in chunks of `chunk` steps (ssd_minimal_discrete):
// x (batch, length, heads, head_dim), A (batch, length, heads) = A*dt, B and C (batch, length, heads, state).
// Returns y (batch, length, heads, head_dim); `final_state` receives (batch, heads, head_dim, state) if given.
at::Tensor ssd_chunked_reference(const at::Tensor& x, const at::Tensor& A, const at::Tensor& B, const at::Tensor& C,
                                 int64_t chunk, at::Tensor* final_state = nullptr);

}  // namespace fovea::models
