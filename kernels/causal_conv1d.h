// Depthwise causal conv1d with the semantics of causal_conv1d_fn (Dao AI Lab), as Mamba uses it:
//   out[b, d, t] = act(bias[d] + sum_k weight[d, k] * x[b, d, t - (width - 1) + k]),  x = 0 before t = 0,
// act = SiLU or identity. Layouts (contiguous, in elements): x, out, dout, dx [batch, dim, length] in
// float32 or bf16; weight [dim, width] and bias [dim] float32; width 2..4.
#pragma once
#include <cstdint>

#include "kernels/selective_scan.h"  // ScanDType

namespace fovea::kernels {

struct CausalConv1dParams {
  ScanDType dtype = ScanDType::F32;
  int64_t batch = 0, dim = 0, length = 0, width = 4;
  const void* x = nullptr;
  const float* weight = nullptr;
  const float* bias = nullptr;  // optional
  bool silu = false;
  void* out = nullptr;
};

// dweight [dim, width] and dbias [dim] are float32 and ACCUMULATED into (+=): zero them first.
struct CausalConv1dGrads {
  const void* dout = nullptr;
  void* dx = nullptr;
  float* dweight = nullptr;
  float* dbias = nullptr;  // needed iff bias is given
};

// CPU reference over the channels [dim_begin, dim_end) of every batch row (disjoint ranges may run
// on different threads: dweight and dbias rows belong to one range).
void causal_conv1d_fwd_cpu(const CausalConv1dParams& p, int64_t dim_begin, int64_t dim_end);
void causal_conv1d_bwd_cpu(const CausalConv1dParams& p, const CausalConv1dGrads& g, int64_t dim_begin, int64_t dim_end);

void causal_conv1d_fwd_gpu(const CausalConv1dParams& p, void* stream);
void causal_conv1d_bwd_gpu(const CausalConv1dParams& p, const CausalConv1dGrads& g, void* stream);

}  // namespace fovea::kernels
