#include "engine/io/safetensors.h"

#include <algorithm>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "engine/errors.h"
#include "engine/io/atomic_file.h"
#include "engine/io/file_bytes.h"

namespace fovea::engine {
namespace {

using nlohmann::json;

struct DTypeInfo {
  DType dtype;
  const char* name;
  size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::F64, "F64", 8}, {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4}, {DType::I16, "I16", 2}, {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},   {DType::Bool, "BOOL", 1},
};

const DTypeInfo& info_of(DType dtype) {
  for (const DTypeInfo& info : kDTypes) {
    if (info.dtype == dtype) return info;
  }
  return kDTypes[1];
}

// Parses the header JSON, rejecting duplicate names (nlohmann would silently keep the last one).
json parse_header(std::string_view text, const std::string& name) {
  std::set<std::string> seen;
  bool duplicate = false;
  std::string duplicate_name;
  json::parser_callback_t check = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key && depth == 1) {
      const std::string key = parsed.get<std::string>();
      if (!seen.insert(key).second && !duplicate) {
        duplicate = true;
        duplicate_name = key;
      }
    }
    return true;
  };
  json header;
  try {
    header = json::parse(text.begin(), text.end(), check);
  } catch (const json::exception& e) {
    throw CheckpointError(name + ": safetensors header is not valid JSON (" + e.what() + ")");
  }
  if (duplicate) throw CheckpointError(name + ": safetensors header names tensor '" + duplicate_name + "' twice");
  if (!header.is_object()) throw CheckpointError(name + ": safetensors header is not a JSON object");
  return header;
}

std::map<std::string, std::string> metadata_of(const json& value, const std::string& name) {
  if (!value.is_object()) throw CheckpointError(name + ": __metadata__ is not an object");
  std::map<std::string, std::string> metadata;
  for (const auto& [key, text] : value.items()) {
    if (!text.is_string()) throw CheckpointError(name + ": __metadata__ value of '" + key + "' is not a string");
    metadata[key] = text.get<std::string>();
  }
  return metadata;
}

uint64_t header_length(const uint8_t* prefix) {
  uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= uint64_t{prefix[i]} << (8 * i);
  return length;
}

}  // namespace

const char* dtype_name(DType dtype) { return info_of(dtype).name; }
size_t dtype_size(DType dtype) { return info_of(dtype).size; }

std::optional<DType> parse_dtype(std::string_view name) {
  for (const DTypeInfo& info : kDTypes) {
    if (name == info.name) return info.dtype;
  }
  return std::nullopt;
}

int64_t StoredTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

void write_safetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  size_t offset = 0;
  for (const TensorToWrite& t : tensors) {
    if (header.contains(t.name)) throw CheckpointError(path + ": tensor '" + t.name + "' given twice");
    header[t.name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.nbytes}}};
    offset += t.nbytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data then starts 8-byte aligned
  const uint64_t length = text.size();
  uint8_t prefix[8];
  for (int i = 0; i < 8; ++i) prefix[i] = static_cast<uint8_t>(length >> (8 * i));

  AtomicFileWriter writer(path);
  writer.write(prefix, sizeof prefix);
  writer.write(text.data(), text.size());
  for (const TensorToWrite& t : tensors) writer.write(t.data, t.nbytes);
  writer.commit();
}

SafetensorsFile SafetensorsFile::read(const std::string& path) { return parse(read_file_bytes(path), path); }

SafetensorsFile SafetensorsFile::parse(std::vector<uint8_t> bytes, const std::string& name) {
  if (bytes.size() < 8) throw CheckpointError(name + ": too short to be a safetensors file");
  const uint64_t length = header_length(bytes.data());
  if (length > kMaxSafetensorsHeader)
    throw CheckpointError(name + ": safetensors header length " + std::to_string(length) + " exceeds the 100 MB limit");
  if (length > bytes.size() - 8)
    throw CheckpointError(name + ": safetensors header length " + std::to_string(length) + " runs past the end of the file (" +
                          std::to_string(bytes.size()) + " bytes)");
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + 8), static_cast<size_t>(length));
  const json header = parse_header(text, name);

  SafetensorsFile file;
  file.data_start_ = 8 + static_cast<size_t>(length);
  const size_t data_size = bytes.size() - file.data_start_;
  std::vector<std::pair<size_t, size_t>> ranges;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      file.metadata_ = metadata_of(value, name);
      continue;
    }
    const std::string where = name + ": tensor '" + key + "'";
    if (!value.is_object() || !value.contains("dtype") || !value.contains("shape") || !value.contains("data_offsets"))
      throw CheckpointError(where + " needs dtype, shape and data_offsets");
    const json& dtype = value["dtype"];
    const json& shape = value["shape"];
    const json& offsets = value["data_offsets"];
    if (!dtype.is_string()) throw CheckpointError(where + ": dtype is not a string");
    const auto parsed = parse_dtype(dtype.get<std::string>());
    if (!parsed) throw CheckpointError(where + ": unsupported dtype " + dtype.get<std::string>());
    if (!shape.is_array()) throw CheckpointError(where + ": shape is not a list");
    StoredTensor t;
    t.dtype = *parsed;
    uint64_t numel = 1;
    for (const json& d : shape) {
      if (!d.is_number_unsigned()) throw CheckpointError(where + ": shape holds a value that is not a size");
      const uint64_t size = d.get<uint64_t>();
      if (size != 0 && numel > data_size / size) throw CheckpointError(where + ": shape is larger than the file's data");
      numel *= size;
      t.shape.push_back(static_cast<int64_t>(size));
    }
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
      throw CheckpointError(where + ": data_offsets must be two sizes [begin, end]");
    const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
    if (begin > end || end > data_size)
      throw CheckpointError(where + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                            "] lie outside the data (" + std::to_string(data_size) + " bytes)");
    if (end - begin != numel * dtype_size(t.dtype))
      throw CheckpointError(where + ": " + std::to_string(end - begin) + " bytes do not match dtype " +
                            dtype_name(t.dtype) + " and its shape");
    t.offset = static_cast<size_t>(begin);
    t.nbytes = static_cast<size_t>(end - begin);
    ranges.emplace_back(t.offset, t.offset + t.nbytes);
    file.tensors_.emplace(key, std::move(t));
  }
  // The tensors must tile the data exactly: sorted by offset, no gaps, no overlap, nothing left over.
  std::sort(ranges.begin(), ranges.end());
  size_t expected = 0;
  for (const auto& [begin, end] : ranges) {
    if (begin != expected)
      throw CheckpointError(name + ": tensor data " + (begin < expected ? "overlaps" : "leaves a gap") + " at byte " +
                            std::to_string(begin));
    expected = end;
  }
  if (expected != data_size)
    throw CheckpointError(name + ": " + std::to_string(data_size - expected) + " bytes after the last tensor");
  file.bytes_ = std::move(bytes);
  return file;
}

std::map<std::string, std::string> read_safetensors_metadata(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw CheckpointError("cannot read " + path);
  const auto file_size = static_cast<uint64_t>(in.tellg());
  in.seekg(0);
  uint8_t prefix[8];
  if (!in.read(reinterpret_cast<char*>(prefix), sizeof prefix)) throw CheckpointError(path + ": too short to be a safetensors file");
  const uint64_t length = header_length(prefix);
  if (length > kMaxSafetensorsHeader)
    throw CheckpointError(path + ": safetensors header length " + std::to_string(length) + " exceeds the 100 MB limit");
  if (length > file_size - 8)
    throw CheckpointError(path + ": safetensors header length " + std::to_string(length) + " runs past the end of the file (" +
                          std::to_string(file_size) + " bytes)");
  std::string text(static_cast<size_t>(length), '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(length)))
    throw CheckpointError(path + ": safetensors header length " + std::to_string(length) + " runs past the end of the file");
  const json header = parse_header(text, path);
  return header.contains("__metadata__") ? metadata_of(header["__metadata__"], path) : std::map<std::string, std::string>{};
}

}  // namespace fovea::engine
