// Selective scan (Mamba's S6 recurrence) with the semantics of mamba_ssm's selective_scan_fn:
//   dt_t = softplus(delta_t + delta_bias)      (softplus only if delta_softplus)
//   h_t  = exp(dt_t * A) * h_{t-1} + dt_t * B_t * u_t          (per channel d, per state n)
//   y_t  = C_t . h_t + D * u_t;   out_t = y_t * silu(z_t)       (gate only if z is given)
// Layouts (contiguous, in elements): u, delta, z, out and their gradients [batch, dim, length];
// B, C [batch, groups, state, length] (groups divides dim; channel d uses group d / (dim / groups));
// A [dim, state], D and delta_bias [dim], all float32. State and accumulation are float32.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fovea::kernels {

enum class ScanDType { F32, BF16 };  // of u, delta, B, C, z, out (and du, ddelta, dz)

struct SelectiveScanParams {
  ScanDType dtype = ScanDType::F32;
  int64_t batch = 0, dim = 0, length = 0, state = 0, groups = 1;
  const void* u = nullptr;
  const void* delta = nullptr;
  const float* A = nullptr;
  const void* B = nullptr;
  const void* C = nullptr;
  const float* D = nullptr;           // optional
  const void* z = nullptr;            // optional
  const float* delta_bias = nullptr;  // optional
  bool delta_softplus = false;
  void* out = nullptr;
  float* last_state = nullptr;        // optional [batch, dim, state]
};

// Gradients. dA, dD, ddelta_bias, dB and dC are float32 and ACCUMULATED into (+=): zero them first.
struct SelectiveScanGrads {
  const void* dout = nullptr;
  void* du = nullptr;
  void* ddelta = nullptr;
  void* dz = nullptr;                  // needed iff z is given
  float* dA = nullptr;
  float* dB = nullptr;                 // [batch, groups, state, length]
  float* dC = nullptr;
  float* dD = nullptr;                 // needed iff D is given
  float* ddelta_bias = nullptr;        // needed iff delta_bias is given
};

constexpr int64_t kMaxScanState = 64;

// CPU reference over the batch rows [batch_begin, batch_end): callers may run disjoint ranges on
// several threads, each with its own dA / dD / ddelta_bias accumulators (dB, dC rows are disjoint).
void selective_scan_fwd_cpu(const SelectiveScanParams& p, int64_t batch_begin, int64_t batch_end);
void selective_scan_bwd_cpu(const SelectiveScanParams& p, const SelectiveScanGrads& g, int64_t batch_begin,
                            int64_t batch_end);

// GPU versions (compiled only with FOVEA_GPU=cuda|rocm). `stream` is a cudaStream_t / hipStream_t.
// The backward needs a float32 scratch buffer of selective_scan_bwd_scratch_floats(p) elements.
void selective_scan_fwd_gpu(const SelectiveScanParams& p, void* stream);
size_t selective_scan_bwd_scratch_floats(const SelectiveScanParams& p);
void selective_scan_bwd_gpu(const SelectiveScanParams& p, const SelectiveScanGrads& g, float* scratch, void* stream);

}  // namespace fovea::kernels
