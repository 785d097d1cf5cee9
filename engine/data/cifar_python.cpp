#include "engine/data/cifar_python.h"

#include <span>

#include "engine/data/cifar_reader.h"
#include "engine/errors.h"
#include "engine/io/file_bytes.h"
#include "engine/io/pickle.h"

namespace fovea::engine {
namespace {

using Kind = PickleValue::Kind;

PickleValue unpickle_file(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  try {
    return unpickle(bytes, path).value;
  } catch (const CheckpointError& e) {
    throw DatasetError(e.what());  // names the file and the byte; a data set, not a checkpoint, at fault
  }
}

const PickleValue& entry(const PickleValue& dict, const std::string& key, const std::string& path) {
  if (!dict.is(Kind::Dict))
    throw DatasetError(path + ": holds " + std::string(dict.kind_name()) + ", not the dict of a CIFAR python file");
  const PickleValue* value = dict.find(key);
  if (!value) throw DatasetError(path + ": the pickled dict has no '" + key + "' entry (not a CIFAR python file?)");
  return *value;
}

// Little-endian or single-byte integer dtypes ("u1", "<i8", ...): the item size, else 0.
size_t int_dtype_size(const std::string& dtype, bool& is_signed) {
  std::string code = dtype;
  if (!code.empty() && (code[0] == '<' || code[0] == '|' || code[0] == '=')) code.erase(0, 1);
  if (code.size() != 2 || (code[0] != 'i' && code[0] != 'u')) return 0;
  is_signed = code[0] == 'i';
  const size_t size = static_cast<size_t>(code[1] - '0');
  return size == 1 || size == 2 || size == 4 || size == 8 ? size : 0;
}

// A list of ints, or a 1-D numpy array of them (for files re-saved with numpy labels).
std::vector<int64_t> int_list(const PickleValue& v, const std::string& what, const std::string& path) {
  std::vector<int64_t> out;
  if (v.is(Kind::List) || v.is(Kind::Tuple)) {
    out.reserve(v.items().size());
    for (const PickleValue& item : v.items()) {
      if (!item.is(Kind::Int)) throw DatasetError(path + ": '" + what + "' holds " + item.kind_name() + ", not an int");
      out.push_back(item.as_int());
    }
    return out;
  }
  if (v.is(Kind::NdArray)) {
    const PickleNdArray& a = v.as_ndarray();
    bool is_signed = false;
    const size_t size = int_dtype_size(a.dtype, is_signed);
    if (size == 0 || a.shape.size() != 1 || !a.built || !a.data)
      throw DatasetError(path + ": '" + what + "' is a numpy array of dtype " + a.dtype + " and " +
                         std::to_string(a.shape.size()) + " dimensions, not a list of ints");
    const auto* bytes = reinterpret_cast<const uint8_t*>(a.data->data());
    for (int64_t i = 0; i < a.shape[0]; ++i) {
      uint64_t u = 0;
      for (size_t b = 0; b < size; ++b) u |= static_cast<uint64_t>(bytes[i * size + b]) << (8 * b);
      if (is_signed && size < 8 && (u >> (8 * size - 1)) != 0) u |= ~uint64_t{0} << (8 * size);  // sign-extend
      out.push_back(static_cast<int64_t>(u));
    }
    return out;
  }
  throw DatasetError(path + ": '" + what + "' is " + v.kind_name() + ", not a list of ints");
}

void check_labels(const std::vector<int64_t>& labels, int64_t images, int64_t below, const std::string& what,
                  const std::string& path) {
  if (static_cast<int64_t>(labels.size()) != images)
    throw DatasetError(path + ": " + std::to_string(labels.size()) + " " + what + " for " + std::to_string(images) +
                       " images");
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= below)
      throw DatasetError(path + ": image " + std::to_string(i) + " has " + what + " " + std::to_string(labels[i]) +
                         ", expected 0-" + std::to_string(below - 1));
  }
}

struct Batch {
  PickleValue root;             // owns the pixel bytes
  std::span<const uint8_t> chw;  // count rows of 3072 bytes
  int64_t count = 0;
  std::vector<int64_t> labels, coarse_labels;
};

Batch parse_batch(const std::string& path, CifarVersion version) {
  Batch batch;
  batch.root = unpickle_file(path);
  const PickleValue& data = entry(batch.root, "data", path);
  if (!data.is(Kind::NdArray)) throw DatasetError(path + ": 'data' is " + data.kind_name() + ", not a numpy array");
  const PickleNdArray& a = data.as_ndarray();
  const bool rows = a.shape.size() == 2 && a.shape[1] == kCifarImageBytes;
  const bool images = a.shape.size() == 4 && a.shape[1] == 3 && a.shape[2] == kCifarSide && a.shape[3] == kCifarSide;
  if (a.dtype != "u1" || (!rows && !images) || a.fortran_order || !a.built || !a.data) {
    std::string shape;
    for (int64_t d : a.shape) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
    throw DatasetError(path + ": 'data' is a numpy array of dtype " + a.dtype + " and shape (" + shape + ")" +
                       (a.fortran_order ? " in Fortran order" : "") + ", expected uint8 (N, 3072) in C order");
  }
  batch.count = a.shape[0];
  if (a.data->size() < static_cast<size_t>(batch.count * kCifarImageBytes))
    throw DatasetError(path + ": 'data' holds fewer bytes than its shape says");
  batch.chw = std::span(reinterpret_cast<const uint8_t*>(a.data->data()), a.data->size());
  if (version == CifarVersion::Cifar10) {
    batch.labels = int_list(entry(batch.root, "labels", path), "labels", path);
    check_labels(batch.labels, batch.count, 10, "labels", path);
  } else {
    batch.labels = int_list(entry(batch.root, "fine_labels", path), "fine_labels", path);
    batch.coarse_labels = int_list(entry(batch.root, "coarse_labels", path), "coarse_labels", path);
    check_labels(batch.labels, batch.count, 100, "fine_labels", path);
    check_labels(batch.coarse_labels, batch.count, 20, "coarse_labels", path);
  }
  return batch;
}

}  // namespace

void read_cifar_python_batch(const std::string& path, CifarVersion version, LabelledImages& out) {
  const Batch batch = parse_batch(path, version);
  append_cifar_chw_images(batch.chw, batch.count, out);
  out.labels.insert(out.labels.end(), batch.labels.begin(), batch.labels.end());
  out.coarse_labels.insert(out.coarse_labels.end(), batch.coarse_labels.begin(), batch.coarse_labels.end());
}

int64_t count_cifar_python_batch(const std::string& path, CifarVersion version) { return parse_batch(path, version).count; }

LabelledImages read_cifar_python_batches(const std::vector<std::string>& files, CifarVersion version, int64_t limit) {
  LabelledImages out;
  for (const std::string& file : files) {
    if (limit > 0 && out.count >= limit) break;
    read_cifar_python_batch(file, version, out);
  }
  out.keep_first(limit);
  return out;
}

std::vector<std::string> read_cifar_python_names(const std::string& path, const std::string& key) {
  const PickleValue root = unpickle_file(path);
  const PickleValue& list = entry(root, key, path);
  if (!list.is(Kind::List) && !list.is(Kind::Tuple))
    throw DatasetError(path + ": '" + key + "' is " + list.kind_name() + ", not a list of names");
  std::vector<std::string> names;
  for (const PickleValue& item : list.items()) {
    const std::string* text = item.text();
    if (!text) throw DatasetError(path + ": '" + key + "' holds " + item.kind_name() + ", not a name");
    names.push_back(*text);
  }
  return names;
}

}  // namespace fovea::engine
