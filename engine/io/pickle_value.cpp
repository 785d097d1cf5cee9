#include "engine/io/pickle_value.h"

#include <algorithm>
#include <stdexcept>

namespace fovea::engine {

const char* kind_name(PickleValue::Kind kind) {
  using K = PickleValue::Kind;
  switch (kind) {
    case K::None: return "None";
    case K::Bool: return "a bool";
    case K::Int: return "an int";
    case K::BigInt: return "an int wider than 64 bits";
    case K::Float: return "a float";
    case K::String: return "a str";
    case K::Bytes: return "a bytes";
    case K::List: return "a list";
    case K::Tuple: return "a tuple";
    case K::Set: return "a set";
    case K::Dict: return "a dict";
    case K::Global: return "a class or function";
    case K::StorageRef: return "a storage";
    case K::Tensor: return "a tensor";
    case K::NdArray: return "a numpy array";
    case K::NumpyDType: return "a numpy dtype";
  }
  return "a value";
}

const char* PickleValue::kind_name() const { return fovea::engine::kind_name(kind_); }

template <typename T>
const T& PickleValue::get(bool right_kind, const char* wanted) const {
  if (!right_kind) throw std::logic_error(std::string("PickleValue: expected ") + wanted + ", found " + kind_name());
  return std::get<T>(payload_);
}

PickleValue PickleValue::from_bool(bool b) { return {Kind::Bool, b}; }
PickleValue PickleValue::from_int(int64_t i) { return {Kind::Int, i}; }
PickleValue PickleValue::from_float(double d) { return {Kind::Float, d}; }
PickleValue PickleValue::big_int(std::string le_bytes) {
  return {Kind::BigInt, std::make_shared<const std::string>(std::move(le_bytes))};
}
PickleValue PickleValue::string(std::string utf8) {
  return {Kind::String, std::make_shared<const std::string>(std::move(utf8))};
}
PickleValue PickleValue::bytes(std::string raw) { return {Kind::Bytes, std::make_shared<const std::string>(std::move(raw))}; }
PickleValue PickleValue::bytes(std::shared_ptr<const std::string> raw) { return {Kind::Bytes, std::move(raw)}; }

namespace {
int depth_of(const PickleItems& items) {
  int depth = 0;
  for (const PickleValue& v : items) depth = std::max(depth, v.depth());
  return depth + 1;
}
}  // namespace

PickleValue PickleValue::list(PickleItems items) {
  const int depth = depth_of(items);
  return {Kind::List, std::make_shared<Seq>(Seq{std::move(items), depth})};
}
PickleValue PickleValue::tuple(PickleItems items) {
  const int depth = depth_of(items);
  return {Kind::Tuple, std::make_shared<Seq>(Seq{std::move(items), depth})};
}
PickleValue PickleValue::set(PickleItems items) {
  const int depth = depth_of(items);
  return {Kind::Set, std::make_shared<Seq>(Seq{std::move(items), depth})};
}
PickleValue PickleValue::dict(PicklePairs items, std::string type) {
  int depth = 1;
  for (const auto& [k, v] : items) depth = std::max({depth, k.depth() + 1, v.depth() + 1});
  return {Kind::Dict, std::make_shared<Dict>(Dict{std::move(items), {}, std::move(type), depth})};
}
PickleValue PickleValue::global(PickleGlobal g) {
  return {Kind::Global, std::make_shared<const PickleGlobal>(std::move(g))};
}
PickleValue PickleValue::storage_ref(int64_t index) { return {Kind::StorageRef, PickleStorageRef{index}}; }
PickleValue PickleValue::tensor(PickleTensorRef t) {
  return {Kind::Tensor, std::make_shared<const PickleTensorRef>(std::move(t))};
}
PickleValue PickleValue::ndarray(PickleNdArray a) { return {Kind::NdArray, std::make_shared<PickleNdArray>(std::move(a))}; }
PickleValue PickleValue::numpy_dtype(PickleNumpyDType d) {
  return {Kind::NumpyDType, std::make_shared<PickleNumpyDType>(std::move(d))};
}

bool PickleValue::as_bool() const { return get<bool>(kind_ == Kind::Bool, "a bool"); }
int64_t PickleValue::as_int() const {
  if (kind_ == Kind::Bool) return std::get<bool>(payload_) ? 1 : 0;
  return get<int64_t>(kind_ == Kind::Int, "an int");
}
double PickleValue::as_float() const { return get<double>(kind_ == Kind::Float, "a float"); }
const std::string& PickleValue::as_string() const {
  return *get<std::shared_ptr<const std::string>>(kind_ == Kind::String, "a str");
}
const std::string& PickleValue::as_bytes() const {
  return *get<std::shared_ptr<const std::string>>(kind_ == Kind::Bytes || kind_ == Kind::BigInt, "a bytes");
}
const std::string* PickleValue::text() const {
  if (kind_ != Kind::String && kind_ != Kind::Bytes) return nullptr;
  return std::get<std::shared_ptr<const std::string>>(payload_).get();
}
const PickleItems& PickleValue::items() const {
  return get<std::shared_ptr<Seq>>(kind_ == Kind::List || kind_ == Kind::Tuple || kind_ == Kind::Set,
                                   "a list, tuple or set")->items;
}
const PicklePairs& PickleValue::dict_items() const { return get<std::shared_ptr<Dict>>(kind_ == Kind::Dict, "a dict")->items; }
const PicklePairs& PickleValue::dict_attributes() const {
  return get<std::shared_ptr<Dict>>(kind_ == Kind::Dict, "a dict")->attributes;
}
const std::string& PickleValue::dict_type() const { return get<std::shared_ptr<Dict>>(kind_ == Kind::Dict, "a dict")->type; }
const PickleValue* PickleValue::find(std::string_view key) const {
  const PicklePairs& pairs = dict_items();
  for (auto it = pairs.rbegin(); it != pairs.rend(); ++it) {
    const std::string* k = it->first.text();
    if (k && *k == key) return &it->second;
  }
  return nullptr;
}
const PickleGlobal& PickleValue::as_global() const {
  return *get<std::shared_ptr<const PickleGlobal>>(kind_ == Kind::Global, "a class or function");
}
PickleStorageRef PickleValue::as_storage_ref() const { return get<PickleStorageRef>(kind_ == Kind::StorageRef, "a storage"); }
const PickleTensorRef& PickleValue::as_tensor() const {
  return *get<std::shared_ptr<const PickleTensorRef>>(kind_ == Kind::Tensor, "a tensor");
}
const PickleNdArray& PickleValue::as_ndarray() const {
  return *get<std::shared_ptr<PickleNdArray>>(kind_ == Kind::NdArray, "a numpy array");
}
const PickleNumpyDType& PickleValue::as_numpy_dtype() const {
  return *get<std::shared_ptr<PickleNumpyDType>>(kind_ == Kind::NumpyDType, "a numpy dtype");
}

int PickleValue::depth() const {
  if (const auto* seq = std::get_if<std::shared_ptr<Seq>>(&payload_)) return (*seq)->depth;
  if (const auto* dict = std::get_if<std::shared_ptr<Dict>>(&payload_)) return (*dict)->depth;
  return 0;
}

const void* PickleValue::identity() const {
  return std::visit(
      [](const auto& p) -> const void* {
        using T = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<T, std::shared_ptr<Seq>> || std::is_same_v<T, std::shared_ptr<Dict>> ||
                      std::is_same_v<T, std::shared_ptr<const std::string>> ||
                      std::is_same_v<T, std::shared_ptr<PickleNdArray>>)
          return p.get();
        return nullptr;
      },
      payload_);
}

}  // namespace fovea::engine
