#include "engine/io/torch_checkpoint.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "engine/errors.h"
#include "engine/io/file_bytes.h"
#include "engine/io/pickle.h"
#include "engine/io/printable.h"
#include "engine/io/zip_reader.h"

namespace fovea::engine {
namespace {

using Kind = PickleValue::Kind;
using Buffer = std::shared_ptr<const std::vector<uint8_t>>;

// The legacy format's first pickle: 0x1950a86a20f9469cfc6c, as little-endian two's complement bytes.
constexpr uint8_t kLegacyMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
constexpr int64_t kLegacyProtocolVersion = 1001;

std::optional<DType> storage_dtype(const std::string& type_name) {
  static const std::pair<const char*, DType> kTypes[] = {
      {"FloatStorage", DType::F32}, {"DoubleStorage", DType::F64}, {"HalfStorage", DType::F16},
      {"BFloat16Storage", DType::BF16}, {"LongStorage", DType::I64}, {"IntStorage", DType::I32},
      {"ShortStorage", DType::I16}, {"CharStorage", DType::I8}, {"ByteStorage", DType::U8},
      {"BoolStorage", DType::Bool}, {"UntypedStorage", DType::U8}};
  for (const auto& [name, dtype] : kTypes) {
    if (type_name == name) return dtype;
  }
  return std::nullopt;
}

// The storages a checkpoint's persistent ids name, shared by both formats.
class StorageTable {
 public:
  explicit StorageTable(const std::string& name) : name_(name) {}

  struct Declared {
    std::string key;
    DType dtype;
    int64_t numel;
    PickleValue location;
  };
  // Checks a persistent id ('storage', type, key, location, numel[, view metadata]) of `size` items.
  Declared parse(const PickleValue& pid, size_t size) const {
    if (!pid.is(Kind::Tuple)) fail(std::string("a persistent id is ") + pid.kind_name() + ", not a storage tuple");
    const PickleItems& id = pid.items();
    const std::string* tag = id.empty() ? nullptr : id[0].text();
    if (!tag || *tag != "storage")
      fail("the pickle refers to external data of type '" + printable(tag ? *tag : "?") +
           "' (a pickled module or class?), which Fovea does not load");
    if (id.size() != size)
      fail("a storage id has " + std::to_string(id.size()) + " items, not " + std::to_string(size));
    if (!id[1].is(Kind::Global)) fail(std::string("a storage type is ") + id[1].kind_name());
    const std::optional<DType> dtype = storage_dtype(id[1].as_global().name);
    if (!dtype) fail("storage type " + id[1].as_global().full_name() + " is not supported");
    const std::string* key = id[2].text();
    if (!key) fail("a storage key is not a string");
    if (!id[4].is(Kind::Int) || id[4].as_int() < 0) fail("storage '" + printable(*key) + "' has no valid size");
    if (static_cast<uint64_t>(id[4].as_int()) > (uint64_t{1} << 62) / dtype_size(*dtype))
      fail("storage '" + printable(*key) + "' is too large");
    return {*key, *dtype, id[4].as_int(), id[3]};
  }
  // The index of the storage `key`; a storage named twice must be named the same way each time.
  std::optional<int64_t> known(const Declared& d) const {
    const auto it = by_key_.find(d.key);
    if (it == by_key_.end()) return std::nullopt;
    const TorchStorage& s = *storages_[static_cast<size_t>(it->second)];
    if (s.dtype != d.dtype || s.numel != d.numel)
      fail("storage '" + printable(d.key) + "' is named with two different types or sizes");
    return it->second;
  }
  int64_t add(const Declared& d, std::shared_ptr<const uint8_t> data) {
    auto s = std::make_shared<TorchStorage>(TorchStorage{d.key, d.dtype, d.numel, std::move(data)});
    storages_.push_back(s);
    by_key_[d.key] = static_cast<int64_t>(storages_.size() - 1);
    return static_cast<int64_t>(storages_.size() - 1);
  }
  TorchStorage* find(const std::string& key) {
    const auto it = by_key_.find(key);
    return it == by_key_.end() ? nullptr : storages_[static_cast<size_t>(it->second)].get();
  }
  TorchStorage& at(int64_t index) { return *storages_[static_cast<size_t>(index)]; }
  std::vector<std::shared_ptr<const TorchStorage>> release() { return {storages_.begin(), storages_.end()}; }
  [[noreturn]] void fail(const std::string& what) const { throw CheckpointError(name_ + ": " + what); }

 private:
  const std::string& name_;
  std::vector<std::shared_ptr<TorchStorage>> storages_;
  std::unordered_map<std::string, int64_t> by_key_;
};

TorchCheckpoint parse_zip(const Buffer& buffer, const std::string& name) {
  const ZipReader zip(buffer, name);
  std::string prefix;
  for (const ZipEntry& e : zip.entries()) {
    const size_t slash = e.name.find('/');
    if (slash == std::string::npos || e.name.substr(slash) != "/data.pkl") continue;
    if (!prefix.empty()) throw CheckpointError(name + ": the zip archive holds more than one data.pkl");
    prefix = e.name.substr(0, slash);
  }
  if (prefix.empty()) throw CheckpointError(name + ": a zip archive, but not a PyTorch checkpoint (no data.pkl in it)");
  if (zip.find(prefix + "/constants.pkl"))
    throw CheckpointError(name + ": a TorchScript archive (torch.jit.save); Fovea reads what torch.save writes");
  if (const ZipEntry* order = zip.find(prefix + "/byteorder")) {
    const ZipData text = zip.read(*order);
    const std::string_view value(reinterpret_cast<const char*>(text.data.get()), text.size);
    if (value != "little")
      throw CheckpointError(name + ": written with byte order '" + printable(value) + "'; only little-endian is supported");
  }

  StorageTable table(name);
  UnpickleOptions options;
  options.persistent_load = [&](const PickleValue& pid) {
    const StorageTable::Declared d = table.parse(pid, 5);
    if (const auto index = table.known(d)) return PickleValue::storage_ref(*index);
    const std::string entry_name = prefix + "/data/" + d.key;
    const ZipEntry* entry = zip.find(entry_name);
    if (!entry) table.fail("storage '" + printable(d.key) + "' is missing (no entry " + printable(entry_name) + ")");
    const ZipData data = zip.read(*entry);
    const uint64_t expected = static_cast<uint64_t>(d.numel) * dtype_size(d.dtype);
    if (data.size != expected)
      table.fail("storage '" + printable(d.key) + "' holds " + std::to_string(data.size) + " bytes, but its " +
                 std::to_string(d.numel) + " elements of " + dtype_name(d.dtype) + " need " + std::to_string(expected));
    return PickleValue::storage_ref(table.add(d, data.data));
  };
  const ZipEntry* pickle = zip.find(prefix + "/data.pkl");
  const ZipData pickle_bytes = zip.read(*pickle);
  TorchCheckpoint checkpoint;
  checkpoint.format = TorchCheckpoint::Format::Zip;
  checkpoint.root = unpickle(pickle_bytes.span(), name, options).value;
  checkpoint.storages = table.release();
  return checkpoint;
}

TorchCheckpoint parse_legacy(const Buffer& buffer, const std::string& name) {
  const std::span<const uint8_t> all(*buffer);
  size_t pos = 0;
  auto next = [&](const UnpickleOptions& options) {
    const Unpickled u = unpickle(all.subspan(pos), name, options);
    pos += u.consumed;
    return u.value;
  };
  UnpickleOptions magic_options;
  magic_options.allow_big_ints = true;
  PickleValue magic;
  try {
    magic = next(magic_options);
  } catch (const CheckpointError&) {
    throw CheckpointError(name + ": not a PyTorch checkpoint (neither a zip archive nor a legacy torch.save file)");
  }
  if (!magic.is(Kind::BigInt) || magic.as_bytes() != std::string(std::begin(kLegacyMagic), std::end(kLegacyMagic)))
    throw CheckpointError(name + ": not a PyTorch checkpoint (a pickle, but without torch's magic number)");
  const PickleValue version = next({});
  if (!version.is(Kind::Int) || version.as_int() != kLegacyProtocolVersion)
    throw CheckpointError(name + ": legacy checkpoint protocol version is not " + std::to_string(kLegacyProtocolVersion));
  const PickleValue sys_info = next({});
  if (sys_info.is(Kind::Dict)) {
    const PickleValue* little = sys_info.find("little_endian");
    if (little && little->is(Kind::Bool) && !little->as_bool())
      throw CheckpointError(name + ": written on a big-endian machine, which is not supported");
  }

  // Storage data follows the pickles, so the persistent ids only declare storages here; views of
  // another storage (view metadata (key, offset, size), from PyTorch before 0.4) are resolved at the end.
  StorageTable table(name);
  struct View {
    int64_t index, root, offset;
  };
  std::vector<View> views;
  std::unordered_set<std::string> view_keys;
  UnpickleOptions options;
  options.persistent_load = [&](const PickleValue& pid) {
    const StorageTable::Declared d = table.parse(pid, 6);
    if (view_keys.count(d.key)) table.fail("storage '" + printable(d.key) + "' is both a storage and a view");
    const std::optional<int64_t> existing = table.known(d);
    const int64_t root = existing ? *existing : table.add(d, nullptr);
    const PickleValue& view = pid.items()[5];
    if (view.is(Kind::None)) return PickleValue::storage_ref(root);
    const PickleItems* v = view.is(Kind::Tuple) ? &view.items() : nullptr;
    if (!v || v->size() != 3 || !(*v)[0].text() || !(*v)[1].is(Kind::Int) || !(*v)[2].is(Kind::Int) ||
        (*v)[1].as_int() < 0 || (*v)[2].as_int() < 0)
      table.fail("storage '" + printable(d.key) + "' has bad view metadata");
    const StorageTable::Declared vd{*(*v)[0].text(), d.dtype, (*v)[2].as_int(), d.location};
    if (const auto index = table.known(vd)) return PickleValue::storage_ref(*index);
    const int64_t index = table.add(vd, nullptr);
    views.push_back({index, root, (*v)[1].as_int()});
    view_keys.insert(vd.key);
    return PickleValue::storage_ref(index);
  };
  TorchCheckpoint checkpoint;
  checkpoint.format = TorchCheckpoint::Format::Legacy;
  checkpoint.root = next(options);

  const PickleValue keys = next({});
  if (!keys.is(Kind::List)) throw CheckpointError(name + ": the list of storage keys is missing");
  std::unordered_set<std::string> seen;
  for (const PickleValue& key : keys.items()) {
    const std::string* k = key.text();
    TorchStorage* storage = k && !view_keys.count(*k) ? table.find(*k) : nullptr;
    if (!storage) throw CheckpointError(name + ": the storage list names a storage that the checkpoint does not use");
    if (!seen.insert(*k).second) throw CheckpointError(name + ": the storage list names '" + printable(*k) + "' twice");
    const std::string shown = name + ": storage '" + printable(*k) + "'";
    if (all.size() - pos < 8) throw CheckpointError(shown + " is cut off (truncated file?)");
    int64_t count = 0;
    for (int i = 0; i < 8; ++i) count |= int64_t{all[pos + i]} << (8 * i);
    pos += 8;
    if (count != storage->numel)
      throw CheckpointError(shown + " holds " + std::to_string(count) + " elements, but the checkpoint says " +
                            std::to_string(storage->numel));
    if (storage->nbytes() > all.size() - pos)
      throw CheckpointError(shown + " needs " + std::to_string(storage->nbytes()) + " bytes, but only " +
                            std::to_string(all.size() - pos) + " remain (truncated file?)");
    storage->data = std::shared_ptr<const uint8_t>(buffer, buffer->data() + pos);
    pos += storage->nbytes();
  }
  for (const View& v : views) {
    TorchStorage& view = table.at(v.index);
    const TorchStorage& root = table.at(v.root);
    if (!root.data) continue;  // reported below
    if (v.offset > root.numel || view.numel > root.numel - v.offset)
      throw CheckpointError(name + ": storage view '" + printable(view.key) + "' lies outside its storage");
    view.data = std::shared_ptr<const uint8_t>(root.data, root.data.get() + v.offset * dtype_size(root.dtype));
  }
  checkpoint.storages = table.release();
  for (const auto& s : checkpoint.storages) {
    if (!s->data) throw CheckpointError(name + ": storage '" + printable(s->key) + "' has no data in the file");
  }
  return checkpoint;
}

int64_t saturated_add(int64_t a, int64_t b) { return a > INT64_MAX - b ? INT64_MAX : a + b; }  // a, b >= 0
int64_t saturated_mul(int64_t a, int64_t b) { return b != 0 && a > INT64_MAX / b ? INT64_MAX : a * b; }

// Every tensor's view must lie inside its storage, so that no later reader can go out of bounds.
class TensorChecker {
 public:
  TensorChecker(const TorchCheckpoint& c, const std::string& name) : c_(c), name_(name) {}

  void walk(const PickleValue& v) {
    if (const void* id = v.identity(); id && !visited_.insert(id).second) return;  // shared: checked once
    switch (v.kind()) {
      case Kind::Tensor: return check(v.as_tensor());
      case Kind::List: case Kind::Tuple: case Kind::Set:
        for (const PickleValue& item : v.items()) walk(item);
        return;
      case Kind::Dict:
        for (const auto& [key, value] : v.dict_items()) walk(key), walk(value);
        for (const auto& [key, value] : v.dict_attributes()) walk(key), walk(value);
        return;
      default: return;
    }
  }

 private:
  void check(const PickleTensorRef& t) {
    const int64_t index = t.storage.index;
    if (index < 0 || static_cast<size_t>(index) >= c_.storages.size())
      throw CheckpointError(name_ + ": a tensor refers to a storage that does not exist");
    const TorchStorage& s = *c_.storages[static_cast<size_t>(index)];
    // Sizes, strides and the offset are non-negative (the unpickler checked); saturating arithmetic
    // keeps a hostile shape from overflowing into a small number.
    int64_t numel = 1, last = t.storage_offset;  // `last`: the index of the tensor's last element
    for (size_t d = 0; d < t.size.size(); ++d) {
      numel = saturated_mul(numel, t.size[d]);
      if (t.size[d] > 0) last = saturated_add(last, saturated_mul(t.size[d] - 1, t.stride[d]));
    }
    if (numel > (int64_t{1} << 62)) throw CheckpointError(name_ + ": a tensor's shape is too large");
    if (numel > 0 && last >= s.numel)
      throw CheckpointError(name_ + ": a tensor of storage '" + printable(s.key) + "' reaches element " +
                            std::to_string(last) + ", but the storage has " + std::to_string(s.numel));
    // Views with stride 0 (expand) may hold more elements than their storage; a small broadcast is
    // real, a huge one only makes whoever copies the tensor allocate without end.
    if (numel > s.numel && numel > kMaxBroadcastElements)
      throw CheckpointError(name_ + ": a tensor of storage '" + printable(s.key) + "' repeats its " +
                            std::to_string(s.numel) + " elements to " + std::to_string(numel) +
                            ", more than Fovea accepts");
  }
  static constexpr int64_t kMaxBroadcastElements = int64_t{1} << 24;
  const TorchCheckpoint& c_;
  const std::string& name_;
  std::unordered_set<const void*> visited_;
};

}  // namespace

int64_t TorchTensor::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

bool TorchTensor::is_contiguous() const {
  int64_t expected = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] == 1) continue;
    if (strides[d] != expected) return false;
    expected *= shape[d];
  }
  return true;
}

std::vector<uint8_t> TorchTensor::contiguous_bytes() const {
  const size_t item = dtype_size(dtype);
  const int64_t n = numel();
  std::vector<uint8_t> out(static_cast<size_t>(n) * item);
  if (n == 0) return out;
  std::vector<int64_t> index(shape.size(), 0);
  int64_t offset = storage_offset;  // of the element at `index`
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(out.data() + static_cast<size_t>(i) * item, storage->data.get() + static_cast<size_t>(offset) * item, item);
    for (size_t d = shape.size(); d-- > 0;) {  // odometer: step the last dimension, carry to the left
      if (++index[d] < shape[d]) {
        offset += strides[d];
        break;
      }
      offset -= (shape[d] - 1) * strides[d];
      index[d] = 0;
    }
  }
  return out;
}

TorchTensor TorchCheckpoint::tensor(const PickleTensorRef& ref) const {
  const auto& storage = storages.at(static_cast<size_t>(ref.storage.index));
  return TorchTensor{storage->dtype, ref.size, ref.stride, ref.storage_offset, storage};
}

TorchCheckpoint parse_torch_checkpoint(std::vector<uint8_t> bytes, const std::string& name) {
  const Buffer buffer = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  if (buffer->size() > 262 && std::memcmp(buffer->data() + 257, "ustar", 5) == 0)
    throw CheckpointError(name + ": a tar-format checkpoint from PyTorch before 0.1.10, which is not supported");
  TorchCheckpoint checkpoint = looks_like_zip(*buffer) ? parse_zip(buffer, name) : parse_legacy(buffer, name);
  TensorChecker(checkpoint, name).walk(checkpoint.root);
  return checkpoint;
}

TorchCheckpoint read_torch_checkpoint(const std::string& path) { return parse_torch_checkpoint(read_file_bytes(path), path); }

}  // namespace fovea::engine
