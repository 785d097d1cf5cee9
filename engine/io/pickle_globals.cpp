#include "engine/io/pickle_globals.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "engine/io/pickle_access.h"
#include "engine/io/pickle_text.h"
#include "engine/io/printable.h"

namespace fovea::engine::pickle_globals {
namespace {

using Kind = PickleValue::Kind;

enum class Id {
  OrderedDict, RebuildTensorV2, RebuildTensor, RebuildParameter, RebuildParameterWithState, RebuildFromTypeV2,
  TensorType, StorageType, TorchSize, Namespace, NumpyReconstruct, NumpyNdarray, NumpyDtype, NumpyScalar,
  CodecsEncode, Set, FrozenSet, ByteArray, Bytes
};

struct Allowed {
  std::string_view module;
  std::string_view name;
  Id id;
};

// Storage types appear only inside persistent ids, as names of element types; torch.cuda.* in files
// saved from a GPU by old PyTorch versions.
constexpr std::string_view kStorageTypes[] = {"FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage",
                                              "LongStorage",  "IntStorage",    "ShortStorage", "CharStorage",
                                              "ByteStorage",  "BoolStorage"};

constexpr Allowed kAllowed[] = {
    {"collections", "OrderedDict", Id::OrderedDict},
    {"torch._utils", "_rebuild_tensor_v2", Id::RebuildTensorV2},
    {"torch._utils", "_rebuild_tensor", Id::RebuildTensor},
    {"torch._utils", "_rebuild_parameter", Id::RebuildParameter},
    {"torch._utils", "_rebuild_parameter_with_state", Id::RebuildParameterWithState},
    {"torch._tensor", "_rebuild_from_type_v2", Id::RebuildFromTypeV2},
    {"torch", "Tensor", Id::TensorType},
    {"torch.nn.parameter", "Parameter", Id::TensorType},
    {"torch", "Size", Id::TorchSize},
    {"torch", "UntypedStorage", Id::StorageType},
    {"torch.storage", "UntypedStorage", Id::StorageType},
    {"argparse", "Namespace", Id::Namespace},
    {"numpy.core.multiarray", "_reconstruct", Id::NumpyReconstruct},
    {"numpy._core.multiarray", "_reconstruct", Id::NumpyReconstruct},
    {"numpy", "ndarray", Id::NumpyNdarray},
    {"numpy", "dtype", Id::NumpyDtype},
    {"numpy.core.multiarray", "scalar", Id::NumpyScalar},
    {"numpy._core.multiarray", "scalar", Id::NumpyScalar},
    {"_codecs", "encode", Id::CodecsEncode},
    {"builtins", "set", Id::Set},
    {"builtins", "frozenset", Id::FrozenSet},
    {"builtins", "bytearray", Id::ByteArray},
    {"builtins", "bytes", Id::Bytes},
};

std::string_view python3_module(std::string_view module) {
  if (module == "__builtin__") return "builtins";
  if (module == "copy_reg") return "copyreg";
  return module;
}

std::optional<Id> id_of(std::string_view module, std::string_view name) {
  module = python3_module(module);
  for (const Allowed& a : kAllowed) {
    if (a.module == module && a.name == name) return a.id;
  }
  if (module == "torch" || module == "torch.cuda") {
    for (std::string_view storage : kStorageTypes) {
      if (name == storage) return Id::StorageType;
    }
  }
  return std::nullopt;
}

PickleProblem problem(const PickleGlobal& g, const std::string& what) { return PickleProblem{g.full_name() + " " + what}; }

const PickleItems& arguments(const PickleGlobal& g, const PickleValue& args, size_t min, size_t max) {
  if (!args.is(Kind::Tuple)) throw problem(g, std::string("is given ") + args.kind_name() + " instead of an argument tuple");
  const PickleItems& items = args.items();
  if (items.size() < min || items.size() > max)
    throw problem(g, "takes " + std::to_string(min) + (min == max ? "" : " to " + std::to_string(max)) +
                         " arguments, the pickle gives " + std::to_string(items.size()));
  return items;
}

int64_t int_argument(const PickleGlobal& g, const PickleValue& v, const char* what) {
  if (!v.is(Kind::Int)) throw problem(g, std::string("needs an int as ") + what + ", not " + v.kind_name());
  return v.as_int();
}

std::vector<int64_t> sizes_argument(const PickleGlobal& g, const PickleValue& v, const char* what, Context& context) {
  if (!v.is(Kind::Tuple) && !v.is(Kind::List))
    throw problem(g, std::string("needs a tuple as ") + what + ", not " + v.kind_name());
  context.spend(v.items().size());
  std::vector<int64_t> sizes;
  for (const PickleValue& item : v.items()) {
    const int64_t size = int_argument(g, item, what);
    if (size < 0) throw problem(g, std::string("is given a negative value in ") + what);
    sizes.push_back(size);
  }
  return sizes;
}

bool truth_argument(const PickleGlobal& g, const PickleValue& v, const char* what) {
  if (!v.is(Kind::Bool) && !v.is(Kind::Int)) throw problem(g, std::string("needs a bool as ") + what + ", not " + v.kind_name());
  return v.as_int() != 0;
}

const std::string& text_argument(const PickleGlobal& g, const PickleValue& v, const char* what) {
  const std::string* text = v.text();
  if (!text) throw problem(g, std::string("needs a string as ") + what + ", not " + v.kind_name());
  return *text;
}

PickleValue rebuild_tensor(const PickleGlobal& g, const PickleItems& a, bool v2, Context& context) {
  if (!a[0].is(Kind::StorageRef)) throw problem(g, std::string("needs a storage as its first argument, not ") + a[0].kind_name());
  PickleTensorRef t;
  t.storage = a[0].as_storage_ref();
  t.storage_offset = int_argument(g, a[1], "storage offset");
  if (t.storage_offset < 0) throw problem(g, "is given a negative storage offset");
  t.size = sizes_argument(g, a[2], "size", context);
  t.stride = sizes_argument(g, a[3], "stride", context);
  if (t.size.size() != t.stride.size())
    throw problem(g, "is given " + std::to_string(t.size.size()) + " sizes but " + std::to_string(t.stride.size()) + " strides");
  if (v2) t.requires_grad = truth_argument(g, a[4], "requires_grad");
  return PickleValue::tensor(std::move(t));
}

PickleValue rebuild_parameter(const PickleGlobal& g, const PickleItems& a, Context& context) {
  if (!a[0].is(Kind::Tensor)) throw problem(g, std::string("needs a tensor as its first argument, not ") + a[0].kind_name());
  context.spend(2 * a[0].as_tensor().size.size());
  PickleTensorRef t = a[0].as_tensor();
  t.requires_grad = truth_argument(g, a[1], "requires_grad");
  return PickleValue::tensor(std::move(t));
}

PickleValue rebuild_from_type(const PickleGlobal& g, const PickleItems& a, Context& context) {
  // _rebuild_from_type_v2(func, new_type, args, state): func(*args), then the type and its Python state.
  if (!a[0].is(Kind::Global)) throw problem(g, std::string("needs a function as its first argument, not ") + a[0].kind_name());
  if (!a[1].is(Kind::Global) || id_of(a[1].as_global().module, a[1].as_global().name) != Id::TensorType)
    throw problem(g, "can only rebuild torch.Tensor and torch.nn.Parameter");
  PickleValue tensor = call(a[0].as_global(), a[2], context);
  if (!tensor.is(Kind::Tensor)) throw problem(g, "needs a function that rebuilds a tensor");
  return tensor;
}

PickleValue ordered_dict(const PickleGlobal& g, const PickleItems& a, Context& context) {
  PicklePairs pairs;
  if (!a.empty()) {
    if (a[0].is(Kind::Dict)) {
      context.spend(a[0].dict_items().size());
      pairs = a[0].dict_items();
    } else if (a[0].is(Kind::List) || a[0].is(Kind::Tuple)) {
      context.spend(a[0].items().size());
      for (const PickleValue& pair : a[0].items()) {
        if ((!pair.is(Kind::List) && !pair.is(Kind::Tuple)) || pair.items().size() != 2)
          throw problem(g, "needs (key, value) pairs");
        pairs.emplace_back(pair.items()[0], pair.items()[1]);
      }
    } else {
      throw problem(g, std::string("cannot be made from ") + a[0].kind_name());
    }
  }
  return PickleValue::dict(std::move(pairs), "collections.OrderedDict");
}

PickleValue latin1_bytes(const PickleGlobal& g, const std::string& text, const PickleValue& encoding, Context& context) {
  std::string name = text_argument(g, encoding, "encoding");
  std::transform(name.begin(), name.end(), name.begin(), [](char c) { return c == '_' ? '-' : std::tolower(c); });
  if (name != "latin1" && name != "latin-1" && name != "iso-8859-1")
    throw problem(g, "is only supported with the latin1 encoding, not " + printable(name));
  context.spend(text.size());
  auto bytes = pickle_text::utf8_to_latin1(text);
  if (!bytes) throw problem(g, "is given text that latin1 cannot encode");
  return PickleValue::bytes(std::move(*bytes));
}

size_t numpy_item_size(const PickleNumpyDType& dtype) {
  const std::string& code = dtype.code;
  size_t i = 0;
  while (i < code.size() && std::isalpha(static_cast<unsigned char>(code[i]))) ++i;
  if (i == 0 || i == code.size() || code.size() - i > 6) return 0;
  size_t size = 0;
  for (; i < code.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(code[i]))) return 0;
    size = size * 10 + static_cast<size_t>(code[i] - '0');
  }
  return size;
}

double half_to_double(uint16_t h) {
  const int exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa ? std::nan("") : sign * INFINITY;
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

PickleValue numpy_scalar(const PickleGlobal& g, const PickleItems& a) {
  if (!a[0].is(Kind::NumpyDType)) throw problem(g, std::string("needs a numpy dtype, not ") + a[0].kind_name());
  if (!a[1].is(Kind::Bytes)) throw problem(g, "is only supported for numbers (given " + std::string(a[1].kind_name()) + ")");
  const PickleNumpyDType& dtype = a[0].as_numpy_dtype();
  const size_t size = numpy_item_size(dtype);
  if (size == 0 || a[1].as_bytes().size() != size)
    throw problem(g, "is given " + std::to_string(a[1].as_bytes().size()) + " bytes for dtype " + printable(dtype.str()));
  std::string raw = a[1].as_bytes();
  if (dtype.byteorder == '>') std::reverse(raw.begin(), raw.end());
  uint64_t bits = 0;
  for (size_t i = 0; i < size && i < 8; ++i) bits |= uint64_t{static_cast<unsigned char>(raw[i])} << (8 * i);
  const char kind = dtype.code[0];
  if (kind == 'b' && size == 1) return PickleValue::from_bool(bits != 0);
  if (kind == 'i' && (size == 1 || size == 2 || size == 4 || size == 8)) {
    const int shift = 64 - 8 * static_cast<int>(size);
    return PickleValue::from_int(static_cast<int64_t>(bits << shift) >> shift);
  }
  if (kind == 'u' && (size == 1 || size == 2 || size == 4 || size == 8)) {
    if (bits > static_cast<uint64_t>(INT64_MAX)) throw problem(g, "value does not fit in 64 bits");
    return PickleValue::from_int(static_cast<int64_t>(bits));
  }
  if (kind == 'f' && size == 2) return PickleValue::from_float(half_to_double(static_cast<uint16_t>(bits)));
  if (kind == 'f' && size == 4) {
    float f;
    const auto b32 = static_cast<uint32_t>(bits);
    std::memcpy(&f, &b32, 4);
    return PickleValue::from_float(f);
  }
  if (kind == 'f' && size == 8) {
    double d;
    std::memcpy(&d, &bits, 8);
    return PickleValue::from_float(d);
  }
  throw problem(g, "of dtype " + printable(dtype.str()) + " is not supported");
}

void build_ndarray(PickleValue& object, const PickleValue& state, Context& context) {
  const PickleGlobal g{"numpy", "ndarray"};
  // (version, shape, dtype, is_fortran, raw data); numpy before 1.? left out the version.
  if (!state.is(Kind::Tuple) || (state.items().size() != 5 && state.items().size() != 4))
    throw problem(g, "needs a state tuple (version, shape, dtype, fortran order, data)");
  const PickleItems& s = state.items();
  const size_t first = s.size() - 4;
  PickleNdArray& array = PickleAccess::ndarray(object);
  array.shape = sizes_argument(g, s[first], "shape", context);
  if (!s[first + 1].is(Kind::NumpyDType)) throw problem(g, std::string("needs a dtype, not ") + s[first + 1].kind_name());
  const PickleNumpyDType& dtype = s[first + 1].as_numpy_dtype();
  array.dtype = dtype.str();
  array.fortran_order = truth_argument(g, s[first + 2], "fortran order");
  if (!s[first + 3].is(Kind::Bytes))
    throw problem(g, "of dtype " + printable(array.dtype) + " holds " + s[first + 3].kind_name() +
                         " instead of raw bytes (arrays of Python objects are not supported)");
  const size_t item_size = numpy_item_size(dtype);
  if (item_size == 0) throw problem(g, "of dtype " + printable(array.dtype) + " is not supported");
  uint64_t expected = item_size;
  for (int64_t d : array.shape) {
    if (d != 0 && expected > (uint64_t{1} << 62) / static_cast<uint64_t>(d)) throw problem(g, "shape is too large");
    expected *= static_cast<uint64_t>(d);
  }
  array.data = PickleAccess::shared_bytes(s[first + 3]);
  if (array.data->size() != expected)
    throw problem(g, "of shape and dtype " + printable(array.dtype) + " needs " + std::to_string(expected) +
                         " bytes, the pickle gives " + std::to_string(array.data->size()));
  array.built = true;
}

void build_numpy_dtype(PickleValue& object, const PickleValue& state) {
  const PickleGlobal g{"numpy", "dtype"};
  // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
  if (!state.is(Kind::Tuple) || state.items().size() < 8) throw problem(g, "needs its 8-item state tuple");
  const PickleItems& s = state.items();
  const std::string& order = text_argument(g, s[1], "byte order");
  if (order != "<" && order != ">" && order != "|" && order != "=") throw problem(g, "has an unknown byte order");
  if (!s[2].is(Kind::None) || !s[3].is(Kind::None)) throw problem(g, "of a structured or sub-array type is not supported");
  PickleAccess::numpy_dtype(object).byteorder = order == "=" ? '<' : order[0];
}

}  // namespace

void Context::spend(size_t amount) {
  if (amount > budget) throw PickleProblem{"the pickle builds much more data than it holds (a decompression bomb?)"};
  budget -= amount;
}

std::optional<PickleGlobal> find(std::string_view module, std::string_view name) {
  if (!id_of(module, name)) return std::nullopt;
  return PickleGlobal{std::string(python3_module(module)), std::string(name)};
}

PickleValue call(const PickleGlobal& g, const PickleValue& args, Context& context) {
  const std::optional<Id> id = id_of(g.module, g.name);
  if (!id) throw problem(g, "is not allowed");
  switch (*id) {
    case Id::OrderedDict: return ordered_dict(g, arguments(g, args, 0, 1), context);
    case Id::RebuildTensorV2: return rebuild_tensor(g, arguments(g, args, 6, 7), true, context);
    case Id::RebuildTensor: return rebuild_tensor(g, arguments(g, args, 4, 4), false, context);
    case Id::RebuildParameter: return rebuild_parameter(g, arguments(g, args, 3, 3), context);
    case Id::RebuildParameterWithState: return rebuild_parameter(g, arguments(g, args, 4, 4), context);
    case Id::RebuildFromTypeV2: return rebuild_from_type(g, arguments(g, args, 4, 4), context);
    case Id::TorchSize: {
      const PickleItems& a = arguments(g, args, 1, 1);
      sizes_argument(g, a[0], "size", context);
      return PickleValue::tuple(a[0].items());
    }
    case Id::NumpyReconstruct: {
      const PickleItems& a = arguments(g, args, 3, 3);
      if (!a[0].is(Kind::Global) || id_of(a[0].as_global().module, a[0].as_global().name) != Id::NumpyNdarray)
        throw problem(g, "can only make numpy.ndarray");
      return PickleValue::ndarray({});
    }
    case Id::NumpyDtype: {
      const PickleItems& a = arguments(g, args, 1, 3);
      const std::string& code = text_argument(g, a[0], "type code");
      if (code.empty() || code.size() > 16) throw problem(g, "is given a bad type code");
      return PickleValue::numpy_dtype({code, '|'});
    }
    case Id::NumpyScalar: return numpy_scalar(g, arguments(g, args, 2, 2));
    case Id::CodecsEncode: {
      const PickleItems& a = arguments(g, args, 2, 2);
      if (!a[0].is(Kind::String)) throw problem(g, std::string("needs a str, not ") + a[0].kind_name());
      return latin1_bytes(g, a[0].as_string(), a[1], context);
    }
    case Id::Set:
    case Id::FrozenSet: {
      const PickleItems& a = arguments(g, args, 0, 1);
      if (a.empty()) return PickleValue::set();
      if (!a[0].is(Kind::List) && !a[0].is(Kind::Tuple) && !a[0].is(Kind::Set))
        throw problem(g, std::string("cannot be made from ") + a[0].kind_name());
      context.spend(a[0].items().size());
      return PickleValue::set(a[0].items());
    }
    case Id::ByteArray:
    case Id::Bytes: {
      const PickleItems& a = arguments(g, args, 0, 2);
      if (a.empty()) return PickleValue::bytes(std::string());
      if (a.size() == 1 && a[0].is(Kind::Bytes)) return a[0];
      if (a.size() == 2 && a[0].is(Kind::String)) return latin1_bytes(g, a[0].as_string(), a[1], context);
      throw problem(g, "is only supported from bytes or from latin1 text");
    }
    case Id::TensorType:
    case Id::StorageType:
    case Id::Namespace:
    case Id::NumpyNdarray: break;
  }
  throw problem(g, "cannot be called; Fovea only accepts it as data");
}

PickleValue instantiate(const PickleGlobal& g, const PickleValue& args, const PickleValue* kwargs, Context& context) {
  (void)context;
  const std::optional<Id> id = id_of(g.module, g.name);
  if (kwargs && (!kwargs->is(Kind::Dict) || !kwargs->dict_items().empty()))
    throw problem(g, "cannot be created with keyword arguments");
  if (id == Id::Namespace || id == Id::OrderedDict) {
    arguments(g, args, 0, 0);
    return PickleValue::dict({}, g.full_name());
  }
  throw problem(g, "cannot be created as an object");
}

void build(PickleValue& object, const PickleValue& state, Context& context) {
  switch (object.kind()) {
    case Kind::NdArray: return build_ndarray(object, state, context);
    case Kind::NumpyDType: return build_numpy_dtype(object, state);
    case Kind::Dict: {
      // Python sets the state as attributes: for argparse.Namespace they are its content, for a dict
      // subclass (the OrderedDict of a state dict carries _metadata) they are kept aside.
      PickleItems parts;
      if (state.is(Kind::Tuple) && state.items().size() == 2) {
        parts = state.items();  // (__dict__, __slots__ state)
      } else {
        parts.push_back(state);
      }
      for (const PickleValue& part : parts) {
        if (part.is(Kind::None)) continue;
        if (!part.is(Kind::Dict)) throw PickleProblem{std::string("BUILD of a dict with ") + part.kind_name() + " as state"};
        context.spend(part.dict_items().size());
        if (object.dict_type() == "argparse.Namespace") {
          PickleAccess::set_items(object, part.dict_items(), context.max_depth);
        } else {
          PickleAccess::add_attributes(object, part.dict_items(), context.max_depth);
        }
      }
      return;
    }
    default: break;
  }
  throw PickleProblem{std::string("BUILD of ") + object.kind_name() + " is not supported"};
}

}  // namespace fovea::engine::pickle_globals
