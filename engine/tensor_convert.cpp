#include "engine/tensor_convert.h"

#include <ATen/ATen.h>

#include <cstring>

#include "engine/errors.h"

namespace fovea::engine {

at::ScalarType scalar_type_of(DType dtype) {
  switch (dtype) {
    case DType::F64: return at::kDouble;
    case DType::F32: return at::kFloat;
    case DType::F16: return at::kHalf;
    case DType::BF16: return at::kBFloat16;
    case DType::I64: return at::kLong;
    case DType::I32: return at::kInt;
    case DType::I16: return at::kShort;
    case DType::I8: return at::kChar;
    case DType::U8: return at::kByte;
    case DType::Bool: return at::kBool;
  }
  return at::kFloat;
}

DType dtype_of(at::ScalarType type, const std::string& name) {
  switch (type) {
    case at::kDouble: return DType::F64;
    case at::kFloat: return DType::F32;
    case at::kHalf: return DType::F16;
    case at::kBFloat16: return DType::BF16;
    case at::kLong: return DType::I64;
    case at::kInt: return DType::I32;
    case at::kShort: return DType::I16;
    case at::kChar: return DType::I8;
    case at::kByte: return DType::U8;
    case at::kBool: return DType::Bool;
    default: throw CheckpointError("tensor '" + name + "' has a type safetensors cannot store");
  }
}

at::Tensor tensor_from_bytes(DType dtype, const std::vector<int64_t>& shape, const uint8_t* data, size_t nbytes) {
  // Bools are read as bytes first: a byte other than 0 or 1 in a bool tensor is undefined behaviour.
  const at::ScalarType type = dtype == DType::Bool ? at::kByte : scalar_type_of(dtype);
  at::Tensor t = at::empty(shape, at::TensorOptions(type));
  if (nbytes != t.nbytes()) throw std::logic_error("tensor_from_bytes: size does not match the shape");
  if (nbytes) std::memcpy(t.data_ptr(), data, nbytes);
  return dtype == DType::Bool ? t.ne(0) : t;
}

at::Tensor TorchTensorConverter::operator()(const TorchTensor& tensor) {
  const TorchStorage* storage = tensor.storage.get();
  auto found = storages_.find(storage);
  if (found == storages_.end()) {
    found = storages_.emplace(storage, tensor_from_bytes(storage->dtype, {storage->numel}, storage->data.get(),
                                                         storage->nbytes())).first;
  }
  // The readers checked every view against its storage's bounds.
  return found->second.as_strided(tensor.shape, tensor.strides, tensor.storage_offset).contiguous();
}

}  // namespace fovea::engine
