// The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}}, then the data.
// Reading validates everything the spec requires, because the files are untrusted input.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fovea::engine {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

const char* dtype_name(DType dtype);  // as safetensors spells it: "F32", "BF16", ...
size_t dtype_size(DType dtype);
std::optional<DType> parse_dtype(std::string_view name);

struct TensorToWrite {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  const void* data = nullptr;  // contiguous, little-endian
  size_t nbytes = 0;
};

// Written atomically (see atomic_file.h). Tensors are stored in the given order.
void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata);

struct StoredTensor {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  size_t offset = 0;  // into SafetensorsFile::data()
  size_t nbytes = 0;
  int64_t numel() const;
};

class SafetensorsFile {
 public:
  // `name` is used in error messages. Throws CheckpointError on any violation of the format.
  static SafetensorsFile parse(std::vector<uint8_t> bytes, const std::string& name);
  static SafetensorsFile read(const std::string& path);

  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::map<std::string, StoredTensor>& tensors() const { return tensors_; }
  const uint8_t* data(const StoredTensor& t) const { return bytes_.data() + data_start_ + t.offset; }

 private:
  std::vector<uint8_t> bytes_;
  size_t data_start_ = 0;
  std::map<std::string, std::string> metadata_;
  std::map<std::string, StoredTensor> tensors_;
};

// Only the header's __metadata__, without reading (or checking) the tensor data: for looking at a
// large checkpoint's description. Throws CheckpointError naming the file.
std::map<std::string, std::string> read_safetensors_metadata(const std::string& path);

constexpr uint64_t kMaxSafetensorsHeader = 100u * 1000u * 1000u;

}  // namespace fovea::engine
