// 2x2 max pooling with stride 2 (floor: an odd last row or column is dropped) on channels_last (NHWC)
// float32 or bf16 tensors, with the winning position of each window kept in one byte for the backward.
// Written for airbench94's three pools, where LibTorch's channels_last max_pool2d and its backward (int64
// indices, a zero fill and then a scatter) cost a quarter of a training step. Same choice as LibTorch's:
// the first maximum in the order (0,0), (0,1), (1,0), (1,1), and a NaN wins (the last one seen).
// Plain pointers and sizes, no LibTorch types.
#pragma once
#include <cstdint>

namespace fovea::kernels {

struct MaxPool2x2Params {
  int64_t batch = 0, height = 0, width = 0, channels = 0;  // of the input
  bool bf16 = false;                                       // element type: bf16 (as uint16 bits) or float32
  const void* input = nullptr;                             // [batch, height, width, channels]
  void* output = nullptr;                                  // [batch, height / 2, width / 2, channels]
  uint8_t* argmax = nullptr;                               // same shape: 2 * row + column of the window's winner
};

struct MaxPool2x2Grads {
  const void* grad_output = nullptr;  // [batch, height / 2, width / 2, channels], the element type of the input
  const uint8_t* argmax = nullptr;    // from the forward
  void* grad_input = nullptr;         // [batch, height, width, channels]: every element written (zeros
                                      // outside the winners, an odd last row or column included), except
                                      // when height or width is below 2 (no window): the caller zeroes it
};

// References over batch rows [n_begin, n_end).
void max_pool2x2_forward_cpu(const MaxPool2x2Params& p, int64_t n_begin, int64_t n_end);
void max_pool2x2_backward_cpu(const MaxPool2x2Params& p, const MaxPool2x2Grads& g, int64_t n_begin, int64_t n_end);

void max_pool2x2_forward_gpu(const MaxPool2x2Params& p, void* stream);
void max_pool2x2_backward_gpu(const MaxPool2x2Params& p, const MaxPool2x2Grads& g, void* stream);

}  // namespace fovea::kernels
