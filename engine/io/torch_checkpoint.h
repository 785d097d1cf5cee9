// PyTorch checkpoints (the .pth/.pt files that torch.save writes) read as plain data: no PyTorch, and
// none of the pickled code run (the restricted unpickler of pickle.h turns tensors into PickleTensorRef
// values). Both layouts torch.load reads:
//  - the zip format (torch.save since 1.6): <archive>/data.pkl, whose persistent ids
//    ('storage', storage type, key, location, numel) name the entries <archive>/data/<key>, and
//    <archive>/byteorder ("little"; absent in files older than torch 2.1, which are little-endian);
//  - the legacy format (_use_new_zipfile_serialization=False, and the pre-1.6 model-zoo files): pickles of
//    the magic number 0x1950a86a20f9469cfc6c, the protocol version 1001 and the system info, then the
//    object with persistent ids ('storage', storage type, key, location, numel, view metadata), a pickled
//    list of storage keys, and for each key a little-endian int64 element count and the raw bytes.
// Every tensor is checked against its storage (dtype, bounds of its view) while reading, so that
// users of the result need no further checks. Bad input is a CheckpointError naming the file.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/io/pickle_value.h"
#include "engine/io/safetensors.h"  // DType

namespace fovea::engine {

struct TorchStorage {
  std::string key;  // torch's name: "0", "1", ... in zip files, a number in legacy ones
  DType dtype = DType::F32;
  int64_t numel = 0;                     // elements
  std::shared_ptr<const uint8_t> data;  // numel * dtype_size(dtype) bytes, little-endian
  size_t nbytes() const { return static_cast<size_t>(numel) * dtype_size(dtype); }
};

struct TorchTensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;  // in elements: views may be transposed, sliced, expanded
  int64_t storage_offset = 0;    // in elements
  std::shared_ptr<const TorchStorage> storage;  // tensors that view one storage share this pointer

  int64_t numel() const;
  bool is_contiguous() const;  // row-major with no gaps (dimensions of size 1 ignored, as torch does)
  // The elements in row-major order, following the strides: a copy of numel() * dtype_size() bytes.
  std::vector<uint8_t> contiguous_bytes() const;
};

struct TorchCheckpoint {
  enum class Format { Zip, Legacy };
  Format format = Format::Zip;
  PickleValue root;  // the object given to torch.save; its tensors are PickleValue::Kind::Tensor
  std::vector<std::shared_ptr<const TorchStorage>> storages;  // indexed by PickleStorageRef::index

  // The tensor that a PickleTensorRef of `root` describes; all were validated when reading.
  TorchTensor tensor(const PickleTensorRef& ref) const;
};

// `name` is the file, for messages. Either format, told apart by its first bytes as torch.load does.
TorchCheckpoint parse_torch_checkpoint(std::vector<uint8_t> bytes, const std::string& name);
TorchCheckpoint read_torch_checkpoint(const std::string& path);

}  // namespace fovea::engine
