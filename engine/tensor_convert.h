// Between the plain tensors of the file readers (engine/io, which know nothing of LibTorch) and
// at::Tensor: element types both ways, and copies of stored bytes into CPU tensors.
#pragma once
#include <map>
#include <string>

#include <ATen/core/Tensor.h>

#include "engine/io/safetensors.h"
#include "engine/io/torch_checkpoint.h"

namespace fovea::engine {

at::ScalarType scalar_type_of(DType dtype);
// Throws CheckpointError naming the tensor for types safetensors cannot store (complex, quantized, ...).
DType dtype_of(at::ScalarType type, const std::string& name);

// A CPU tensor owning a copy of `data` (little-endian, contiguous, nbytes = numel * element size).
// Bool bytes other than 0 and 1 read as true, as they would in Python.
at::Tensor tensor_from_bytes(DType dtype, const std::vector<int64_t>& shape, const uint8_t* data, size_t nbytes);

// PyTorch tensors, which may be views (transposed, sliced, offset) of storages they share. Each storage
// is copied once; a tensor that covers its storage in order comes back without a further copy (and then
// shares memory with other tensors of that storage, as after torch.load), any other view as a
// contiguous copy of its elements.
class TorchTensorConverter {
 public:
  at::Tensor operator()(const TorchTensor& tensor);

 private:
  std::map<const TorchStorage*, at::Tensor> storages_;
};

}  // namespace fovea::engine
