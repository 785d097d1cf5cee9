// The value tree that the restricted unpickler (pickle.h) builds: plain data, never live objects.
// Containers are shared, not copied, because a pickle's memo may put one object in several places
// (tensors that share a storage, a 30 MB byte string referenced twice); so the tree is a graph
// without cycles, and its nesting depth is bounded by the unpickler (UnpickleOptions::max_depth).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace fovea::engine {

class PickleValue;
using PickleItems = std::vector<PickleValue>;
using PicklePairs = std::vector<std::pair<PickleValue, PickleValue>>;

// A global from the allow-list that was not called, e.g. the storage type torch.FloatStorage.
struct PickleGlobal {
  std::string module;  // Python 3 spelling: "builtins", not Python 2's "__builtin__"
  std::string name;
  std::string full_name() const { return module + "." + name; }
};

// The handle a persistent-id loader returns for a storage; the loader decides what the index means.
struct PickleStorageRef {
  int64_t index = 0;
};

// What torch._utils._rebuild_tensor[_v2] would have built, as data. Not validated against the storage
// here: the pickle layer does not know the storages (torch_checkpoint.h does that).
struct PickleTensorRef {
  PickleStorageRef storage;
  int64_t storage_offset = 0;  // in elements
  std::vector<int64_t> size;
  std::vector<int64_t> stride;  // in elements, same length as size
  bool requires_grad = false;
};

// A numpy dtype object: numpy.dtype(code) plus the byte order from its BUILD state.
struct PickleNumpyDType {
  std::string code;     // "u1", "f4", "i8", ...
  char byteorder = '|';  // '|' (not applicable), '<' or '>'
  // "u1" for single bytes, else byte order and code: "<f4".
  std::string str() const { return byteorder == '|' ? code : std::string(1, byteorder) + code; }
};

// A numpy array as numpy.core.multiarray._reconstruct + BUILD would have built it.
struct PickleNdArray {
  std::string dtype;  // PickleNumpyDType::str(): "u1", "<f4", "<i8"
  std::vector<int64_t> shape;
  bool fortran_order = false;
  std::shared_ptr<const std::string> data;  // the raw element bytes, size = prod(shape) * item size
  bool built = false;                       // false until a BUILD gave the array its state
};

class PickleValue {
 public:
  enum class Kind {
    None, Bool, Int, BigInt, Float, String, Bytes,  // scalars
    List, Tuple, Set, Dict,                          // containers
    Global, StorageRef, Tensor, NdArray, NumpyDType  // data made from allowed globals
  };

  PickleValue() = default;  // None
  static PickleValue from_bool(bool b);
  static PickleValue from_int(int64_t i);
  static PickleValue from_float(double d);
  // Little-endian two's complement bytes of an integer wider than 64 bits (UnpickleOptions::allow_big_ints).
  static PickleValue big_int(std::string le_bytes);
  static PickleValue string(std::string utf8);  // Python str
  static PickleValue bytes(std::string raw);    // Python bytes, bytearray, and Python 2 str
  static PickleValue bytes(std::shared_ptr<const std::string> raw);
  static PickleValue list(PickleItems items = {});
  static PickleValue tuple(PickleItems items = {});
  static PickleValue set(PickleItems items = {});
  static PickleValue dict(PicklePairs items = {}, std::string type = "dict");
  static PickleValue global(PickleGlobal g);
  static PickleValue storage_ref(int64_t index);
  static PickleValue tensor(PickleTensorRef t);
  static PickleValue ndarray(PickleNdArray a);
  static PickleValue numpy_dtype(PickleNumpyDType d);

  Kind kind() const { return kind_; }
  bool is(Kind k) const { return kind_ == k; }
  // For messages: "a list", "a str", "a tensor".
  const char* kind_name() const;

  // Accessors throw std::logic_error when the value is of another kind: check kind() first.
  bool as_bool() const;
  int64_t as_int() const;  // also accepts Bool, as Python does
  double as_float() const;
  const std::string& as_string() const;
  const std::string& as_bytes() const;         // Bytes; BigInt gives its little-endian bytes
  const std::string* text() const;             // a String, or Bytes (a Python 2 str); else nullptr
  const PickleItems& items() const;            // List, Tuple, Set
  const PicklePairs& dict_items() const;       // in insertion order; a key set twice appears twice
  const PicklePairs& dict_attributes() const;  // BUILD state of a dict subclass (OrderedDict._metadata)
  const std::string& dict_type() const;        // "dict", "collections.OrderedDict", "argparse.Namespace"
  const PickleValue* find(std::string_view key) const;  // Dict: the last item whose key text() is `key`
  const PickleGlobal& as_global() const;
  PickleStorageRef as_storage_ref() const;
  const PickleTensorRef& as_tensor() const;
  const PickleNdArray& as_ndarray() const;
  const PickleNumpyDType& as_numpy_dtype() const;

  // Containers: 1 + the deepest item; everything else 0.
  int depth() const;
  // The shared object behind a container or string (equal for two references to one object), else nullptr.
  const void* identity() const;

 private:
  friend struct PickleAccess;  // the unpickler's mutable access (pickle_access.h)
  struct Seq {
    PickleItems items;
    int depth = 1;
    bool shared = false;  // referenced twice (memo GET, DUP): may no longer change, so no cycles
  };
  struct Dict {
    PicklePairs items;
    PicklePairs attributes;
    std::string type;
    int depth = 1;
    bool shared = false;
  };
  using Payload = std::variant<std::monostate, bool, int64_t, double, std::shared_ptr<const std::string>,
                               std::shared_ptr<Seq>, std::shared_ptr<Dict>, std::shared_ptr<const PickleGlobal>,
                               PickleStorageRef, std::shared_ptr<const PickleTensorRef>,
                               std::shared_ptr<PickleNdArray>, std::shared_ptr<PickleNumpyDType>>;
  PickleValue(Kind kind, Payload payload) : kind_(kind), payload_(std::move(payload)) {}
  template <typename T>
  const T& get(bool right_kind, const char* wanted) const;

  Kind kind_ = Kind::None;
  Payload payload_;
};

const char* kind_name(PickleValue::Kind kind);

}  // namespace fovea::engine
