// GPU patch_conv (see patch_conv.h); the CPU reference is patch_conv_cpu.cpp. A thread per output pixel:
// its k * k * C input values into registers, all output channels from the weights in shared memory,
// GELU, then the pixel's outputs written as 16-byte stores. The shapes of airbench's whitening layer
// (RGB: 3 -> 24 channels, grey: 1 -> 8, kernel 2) are compiled with constant sizes so that everything
// stays in registers; other shapes take the same code with sizes read at run time.
#include <stdexcept>

#include "kernels/gpu_portability.h"  // first: the vendor runtime defines the device keywords

#include "kernels/bf16.h"
#include "kernels/patch_conv.h"
#include "kernels/patch_conv_point.h"

namespace fovea::kernels {
namespace {

constexpr int kThreads = 256;

// Sizes known at compile time (Kernel > 0) or read from the parameters (Kernel == 0).
template <int Kernel, int InChannels, int OutChannels>
struct Shape {
  int k, in, out;
  __device__ explicit Shape(const PatchConvParams& p)
      : k(Kernel ? Kernel : static_cast<int>(p.kernel)),
        in(Kernel ? InChannels : static_cast<int>(p.in_channels)),
        out(Kernel ? OutChannels : static_cast<int>(p.out_channels)) {}
};

// Loads the weights and bias into shared memory (all threads of the block take part).
__device__ void stage_weights(const PatchConvParams& p, float* weight, float* bias) {
  const int taps = static_cast<int>(p.in_channels * p.kernel * p.kernel), outs = static_cast<int>(p.out_channels);
  for (int i = threadIdx.x; i < taps * outs; i += blockDim.x) weight[i] = p.weight[i];
  for (int i = threadIdx.x; i < outs; i += blockDim.x) bias[i] = p.bias[i];
  __syncthreads();
}

// Pre-activations of output pixel `pixel` (n, oy, ox flattened) into z, as patch_conv_detail::pre_activations.
template <int Kernel, int InChannels, int OutChannels>
__device__ __forceinline__ void pixel_pre_activations(const PatchConvParams& p, const float* weight, const float* bias,
                                                      int64_t pixel, int out_h, int out_w, float* z) {
  const Shape<Kernel, InChannels, OutChannels> s(p);
  const int64_t n = pixel / (static_cast<int64_t>(out_h) * out_w);
  const int rest = static_cast<int>(pixel - n * out_h * out_w), oy = rest / out_w, ox = rest % out_w;
  float taps[kPatchConvMaxTaps];
#pragma unroll
  for (int ci = 0; ci < (Kernel ? InChannels : kPatchConvMaxTaps); ++ci) {
    if (ci >= s.in) continue;  // (not break: HIP would not unroll)
#pragma unroll
    for (int ky = 0; ky < (Kernel ? Kernel : 4); ++ky) {
      if (ky >= s.k) continue;
#pragma unroll
      for (int kx = 0; kx < (Kernel ? Kernel : 4); ++kx) {
        if (kx >= s.k) continue;
        taps[(ci * s.k + ky) * s.k + kx] = p.input[((n * p.height + oy + ky) * p.width + ox + kx) * s.in + ci];
      }
    }
  }
  const int count = s.in * s.k * s.k;
#pragma unroll
  for (int co = 0; co < (Kernel ? OutChannels : kPatchConvMaxOutputs); ++co) {
    if (co >= s.out) continue;
    float sum = bias[co];
#pragma unroll
    for (int t = 0; t < (Kernel ? InChannels * Kernel * Kernel : kPatchConvMaxTaps); ++t) {
      if (t >= count) continue;
      sum += weight[co * count + t] * taps[t];
    }
    z[co] = sum;
  }
}

template <int Kernel, int InChannels, int OutChannels>
__global__ void __launch_bounds__(kThreads) patch_conv_gelu_kernel(const PatchConvParams p) {
  __shared__ float weight[kPatchConvMaxOutputs * kPatchConvMaxTaps], bias[kPatchConvMaxOutputs];
  stage_weights(p, weight, bias);
  const Shape<Kernel, InChannels, OutChannels> s(p);
  const int out_h = static_cast<int>(p.height - p.kernel + 1), out_w = static_cast<int>(p.width - p.kernel + 1);
  // One pixel a thread and no loop: in a loop the compiler keeps every weight in registers across pixels.
  const int64_t pixel = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (pixel < p.batch * out_h * out_w) {
    float z[kPatchConvMaxOutputs];
    pixel_pre_activations<Kernel, InChannels, OutChannels>(p, weight, bias, pixel, out_h, out_w, z);
    const int64_t base = pixel * s.out;
    if (p.bf16_out && Kernel && OutChannels % 8 == 0) {  // 16-byte stores of 8 bf16 (pixel * 2 * out is aligned)
#pragma unroll
      for (int co = 0; co < OutChannels; co += 8) {
        alignas(16) uint16_t pack[8];
#pragma unroll
        for (int j = 0; j < 8; ++j) pack[j] = float_to_bf16(patch_conv_detail::gelu(z[co + j]));
        *reinterpret_cast<uint4*>(static_cast<uint16_t*>(p.output) + base + co) = *reinterpret_cast<const uint4*>(pack);
      }
    } else {
#pragma unroll
      for (int co = 0; co < (Kernel ? OutChannels : kPatchConvMaxOutputs); ++co) {
        if (co >= s.out) continue;
        const float y = patch_conv_detail::gelu(z[co]);
        if (p.bf16_out) {
          static_cast<uint16_t*>(p.output)[base + co] = float_to_bf16(y);
        } else {
          static_cast<float*>(p.output)[base + co] = y;
        }
      }
    }
  }
}

// The bias gradient: each thread's pixel, summed over the block (warp sums, then shared memory, one row
// per output channel), then one atomic add per channel per block.
template <int Kernel, int InChannels, int OutChannels>
__global__ void __launch_bounds__(kThreads) patch_conv_gelu_bias_grad_kernel(const PatchConvParams p,
                                                                             const PatchConvBiasGrad g) {
  __shared__ float weight[kPatchConvMaxOutputs * kPatchConvMaxTaps], bias[kPatchConvMaxOutputs];
  __shared__ float partial[kThreads / FOVEA_WARP_SIZE][kPatchConvMaxOutputs];
  stage_weights(p, weight, bias);
  const Shape<Kernel, InChannels, OutChannels> s(p);
  const int out_h = static_cast<int>(p.height - p.kernel + 1), out_w = static_cast<int>(p.width - p.kernel + 1);
  float sums[kPatchConvMaxOutputs];
#pragma unroll
  for (int co = 0; co < kPatchConvMaxOutputs; ++co) sums[co] = 0.0f;
  const int64_t pixel = static_cast<int64_t>(blockIdx.x) * kThreads + threadIdx.x;
  if (pixel < p.batch * out_h * out_w) {
    float z[kPatchConvMaxOutputs];
    pixel_pre_activations<Kernel, InChannels, OutChannels>(p, weight, bias, pixel, out_h, out_w, z);
#pragma unroll
    for (int co = 0; co < (Kernel ? OutChannels : kPatchConvMaxOutputs); ++co) {
      if (co >= s.out) continue;
      const int64_t at = pixel * s.out + co;
      const float upstream = p.bf16_out ? bf16_to_float(static_cast<const uint16_t*>(g.grad_output)[at])
                                        : static_cast<const float*>(g.grad_output)[at];
      sums[co] = upstream * patch_conv_detail::gelu_derivative(z[co]);
    }
  }
  const int warp = threadIdx.x / FOVEA_WARP_SIZE, lane = threadIdx.x % FOVEA_WARP_SIZE;
#pragma unroll
  for (int co = 0; co < (Kernel ? OutChannels : kPatchConvMaxOutputs); ++co) {
    if (co >= s.out) continue;
    const float warp_sum = gpu_warp_total(sums[co]);
    if (lane == 0) partial[warp][co] = warp_sum;
  }
  __syncthreads();
  if (threadIdx.x < s.out) {
    float total = 0.0f;
    for (int w = 0; w < kThreads / FOVEA_WARP_SIZE; ++w) total += partial[w][threadIdx.x];
    atomicAdd(g.grad_bias + threadIdx.x, total);
  }
}

unsigned blocks_for(const PatchConvParams& p) {
  const int64_t pixels = p.batch * (p.height - p.kernel + 1) * (p.width - p.kernel + 1);
  const int64_t blocks = (pixels + kThreads - 1) / kThreads;
  if (blocks > 0x7fffffff) throw std::invalid_argument("patch_conv: more than 2^31 blocks of output pixels");
  return static_cast<unsigned>(blocks);
}

// Calls launch(kernel tag) with the compiled shape that matches, or the run-time one.
template <typename Launch>
void dispatch(const PatchConvParams& p, Launch&& launch) {
  if (p.kernel == 2 && p.in_channels == 3 && p.out_channels == 24) {
    launch(static_cast<Shape<2, 3, 24>*>(nullptr));
  } else if (p.kernel == 2 && p.in_channels == 1 && p.out_channels == 8) {
    launch(static_cast<Shape<2, 1, 8>*>(nullptr));
  } else {
    launch(static_cast<Shape<0, 0, 0>*>(nullptr));
  }
}

template <int Kernel, int InChannels, int OutChannels>
void launch_forward(const PatchConvParams& p, gpuStream_t stream, Shape<Kernel, InChannels, OutChannels>*) {
  patch_conv_gelu_kernel<Kernel, InChannels, OutChannels><<<blocks_for(p), kThreads, 0, stream>>>(p);
  check_launch("patch_conv_gelu_kernel");
}

template <int Kernel, int InChannels, int OutChannels>
void launch_bias_grad(const PatchConvParams& p, const PatchConvBiasGrad& g, gpuStream_t stream,
                      Shape<Kernel, InChannels, OutChannels>*) {
  patch_conv_gelu_bias_grad_kernel<Kernel, InChannels, OutChannels><<<blocks_for(p), kThreads, 0, stream>>>(p, g);
  check_launch("patch_conv_gelu_bias_grad_kernel");
}

}  // namespace

void patch_conv_gelu_gpu(const PatchConvParams& p, void* stream) {
  if (p.batch == 0 || p.height < p.kernel || p.width < p.kernel) return;
  dispatch(p, [&](auto shape) { launch_forward(p, static_cast<gpuStream_t>(stream), shape); });
}

void patch_conv_gelu_bias_grad_gpu(const PatchConvParams& p, const PatchConvBiasGrad& g, void* stream) {
  if (p.batch == 0 || p.height < p.kernel || p.width < p.kernel) return;
  dispatch(p, [&](auto shape) { launch_bias_grad(p, g, static_cast<gpuStream_t>(stream), shape); });
}

}  // namespace fovea::kernels
