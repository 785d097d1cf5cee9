// BatchNorm followed by GELU (the exact, erf form: torch's default), fused each way, on channels_last
// tensors seen as [rows, channels] (rows = N * H * W), float32 or bf16, with float32 statistics.
// Written for airbench94's six conv → BatchNorm → GELU blocks, where LibTorch's batch norm and its separate
// GELU read and write every activation several times more than needed: fused, the forward reads the input
// twice (statistics, then the output) and the backward reads input and gradient twice (the two sums, then
// the input's gradient), and only the input is kept for the backward.
//   z = (x - mean) * invstd * weight + bias,   out = GELU(z) = z * Phi(z)
// Plain pointers and sizes, no LibTorch types.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fovea::kernels {

struct BatchNormGeluParams {
  int64_t rows = 0, channels = 0;
  bool bf16 = false;                 // element type of input, output and gradients: bf16 bits or float32
  const void* input = nullptr;       // [rows, channels]
  const float* weight = nullptr;     // [channels]; null: 1
  const float* bias = nullptr;       // [channels]; null: 0
  float eps = 1e-5f;
  // The statistics z uses: written by batch_norm_gelu_statistics_* (training), else set by the caller from
  // the running statistics (mean = running mean, invstd = 1 / sqrt(running var + eps)).
  float* mean = nullptr;             // [channels]
  float* invstd = nullptr;           // [channels]
  // Training only, optional: running = (1 - momentum) * running + momentum * batch (the variance unbiased),
  // as torch.nn.BatchNorm2d.
  float* running_mean = nullptr;
  float* running_var = nullptr;
  float momentum = 0.1f;
  void* output = nullptr;            // [rows, channels]
};

struct BatchNormGeluGrads {
  const void* grad_output = nullptr;  // [rows, channels], the element type of the input
  bool batch_statistics = true;       // mean and invstd came from this batch (training): their gradients count
  void* grad_input = nullptr;         // [rows, channels]
  float* grad_weight = nullptr;       // [channels], written: sum of dz * (x - mean) * invstd over rows
  float* grad_bias = nullptr;         // [channels], written: sum of dz over rows
};

// CPU references over channels [c_begin, c_end) (callers may split the channels across threads).
// The statistics need rows >= 1 (the unbiased running variance rows >= 2).
void batch_norm_gelu_statistics_cpu(const BatchNormGeluParams& p, int64_t c_begin, int64_t c_end);
void batch_norm_gelu_forward_cpu(const BatchNormGeluParams& p, int64_t c_begin, int64_t c_end);
void batch_norm_gelu_backward_cpu(const BatchNormGeluParams& p, const BatchNormGeluGrads& g, int64_t c_begin,
                                  int64_t c_end);

// GPU versions; statistics and backward need a float32 scratch buffer of batch_norm_gelu_scratch_floats(p)
// elements (per-block partial sums). `stream` is a cudaStream_t / hipStream_t.
size_t batch_norm_gelu_scratch_floats(const BatchNormGeluParams& p);
void batch_norm_gelu_statistics_gpu(const BatchNormGeluParams& p, float* scratch, void* stream);
void batch_norm_gelu_forward_gpu(const BatchNormGeluParams& p, void* stream);
void batch_norm_gelu_backward_gpu(const BatchNormGeluParams& p, const BatchNormGeluGrads& g, float* scratch,
                                  void* stream);

}  // namespace fovea::kernels
