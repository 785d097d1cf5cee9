// The plain C++ readers of PyTorch checkpoints (engine/io: zip_reader, pickle, torch_checkpoint,
// torch_state_dict) on the files in tests/fixtures/checkpoints/. Each fixture has a .json next to it
// (written by make_checkpoint_fixtures.py, or by make_torch_fixtures.py with real torch) that says what
// the readers must make of it: exact values, or the words that the error must hold. Malicious and
// broken files must be refused with an error that names the file; mutated copies of every fixture must
// be refused or read, never crash (run this test under valgrind to see invalid reads).
#include <QtTest>

#include "test_support.h"

#include <nlohmann/json.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/errors.h"
#include "engine/io/file_bytes.h"
#include "engine/io/pickle.h"
#include "engine/io/torch_checkpoint.h"
#include "engine/io/torch_state_dict.h"
#include "engine/io/zip_reader.h"

using fovea::testing::error_of_type;

using namespace fovea::engine;
namespace fs = std::filesystem;
using json = nlohmann::json;
using Kind = PickleValue::Kind;

namespace {

const std::string kFixtures = FOVEA_TEST_FIXTURES "/checkpoints";

// Fixtures that make_checkpoint_fixtures.py writes; files of make_torch_fixtures.py are checked when present.
const char* const kPythonFixtures[] = {
    "sd_zip_basic.pth", "sd_zip_torchlike.pt", "sd_zip_deflated.pth", "sd_zip_zip64.pth", "sd_nested_model.pth",
    "sd_timm_protocol4.pth", "sd_parameters.pth", "sd_legacy.pth", "sd_legacy_view.pth", "sd_legacy_py2.pth",
    "values_p0.pkl", "values_p2.pkl", "values_p5.pkl", "numpy_p2.pkl", "numpy_p4.pkl", "cifar_py2_batch.pkl",
    "py2_protocol0.pkl", "evil_os_system_p0.pkl", "evil_posix_system_p2.pkl", "evil_builtins_eval_p4.pkl",
    "evil_subprocess_popen_p3.pkl", "evil_getattr_p3.pkl", "evil_zip_posix_system.pth", "evil_legacy_popen.pth",
    "zip_slip.pth", "zip_bad_crc.pth", "zip_truncated.pth", "legacy_truncated.pth", "deep_lists.pkl",
    "huge_binunicode8.pkl", "codecs_bomb.pkl", "zip_deflate_bomb.pth"};

std::string path_of(const std::string& file) { return kFixtures + "/" + file; }

std::vector<std::string> fixture_files() {
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(kFixtures)) {
    const std::string name = entry.path().filename();
    if (name.size() > 5 && name.ends_with(".json")) files.push_back(name.substr(0, name.size() - 5));
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool is_pickle(const std::string& file) { return file.ends_with(".pkl"); }


std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) out += {digits[c >> 4], digits[c & 15]};
  return out;
}

// A PickleValue as make_checkpoint_fixtures.py's canon() writes the Python value.
json canonical(const PickleValue& v) {
  auto array = [](const PickleItems& items) {
    json a = json::array();
    for (const PickleValue& item : items) a.push_back(canonical(item));
    return a;
  };
  switch (v.kind()) {
    case Kind::None: return nullptr;
    case Kind::Bool: return v.as_bool();
    case Kind::Int: return v.as_int();
    case Kind::BigInt: return {{"big_int", hex(v.as_bytes())}};
    case Kind::Float: return v.as_float();
    case Kind::String: return v.as_string();
    case Kind::Bytes: return {{"bytes", hex(v.as_bytes())}};
    case Kind::List: return array(v.items());
    case Kind::Tuple: return {{"tuple", array(v.items())}};
    case Kind::Set: return {{"set", array(v.items())}};
    case Kind::Dict: {
      json pairs = json::array();
      for (const auto& [key, value] : v.dict_items()) pairs.push_back(json::array({canonical(key), canonical(value)}));
      json out = {{"dict", pairs}};
      if (v.dict_type() != "dict") out["type"] = v.dict_type();
      return out;
    }
    case Kind::Global: return {{"global", v.as_global().full_name()}};
    case Kind::StorageRef: return {{"storage", v.as_storage_ref().index}};
    case Kind::Tensor: {
      const PickleTensorRef& t = v.as_tensor();
      return {{"tensor", {{"storage", t.storage.index}, {"offset", t.storage_offset}, {"size", t.size}, {"stride", t.stride}}}};
    }
    case Kind::NdArray: {
      const PickleNdArray& a = v.as_ndarray();
      return {{"ndarray", {{"dtype", a.dtype}, {"shape", a.shape}, {"fortran", a.fortran_order},
                           {"data", a.data ? hex(*a.data) : ""}}}};
    }
    case Kind::NumpyDType: return {{"numpy_dtype", v.as_numpy_dtype().str()}};
  }
  return "?";
}

double half_to_double(uint16_t h) {
  const int exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF;
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

template <typename T>
T load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof value);
  return value;
}

// The tensor's elements in row-major order, as numbers (bools for BOOL).
json values_of(const TorchTensor& t) {
  const std::vector<uint8_t> bytes = t.contiguous_bytes();
  const size_t item = dtype_size(t.dtype);
  json out = json::array();
  for (size_t i = 0; i < bytes.size(); i += item) {
    const uint8_t* p = bytes.data() + i;
    switch (t.dtype) {
      case DType::F64: out.push_back(load<double>(p)); break;
      case DType::F32: out.push_back(static_cast<double>(load<float>(p))); break;
      case DType::F16: out.push_back(half_to_double(load<uint16_t>(p))); break;
      case DType::BF16: out.push_back(static_cast<double>(std::bit_cast<float>(uint32_t{load<uint16_t>(p)} << 16))); break;
      case DType::I64: out.push_back(load<int64_t>(p)); break;
      case DType::I32: out.push_back(load<int32_t>(p)); break;
      case DType::I16: out.push_back(load<int16_t>(p)); break;
      case DType::I8: out.push_back(load<int8_t>(p)); break;
      case DType::U8: out.push_back(load<uint8_t>(p)); break;
      case DType::Bool: out.push_back(*p != 0); break;
    }
  }
  return out;
}

// Inline pickles are written with \\xHH escapes of exactly two digits and \\n, decoded at run time,
// because C++ hex escapes run on into following letters a-f ("\\x01b" is one character).
std::vector<uint8_t> unescape(std::string_view text) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
      out.push_back('\n');
      ++i;
    } else if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x') {
      out.push_back(static_cast<uint8_t>(std::stoi(std::string(text.substr(i + 2, 2)), nullptr, 16)));
      i += 3;
    } else {
      out.push_back(static_cast<uint8_t>(text[i]));
    }
  }
  return out;
}

std::string shown(const json& j) {
  const std::string text = j.dump();
  return text.size() > 1500 ? text.substr(0, 1500) + "..." : text;
}

void check_error(const std::string& file, const std::string& message, const json& words) {
  QVERIFY2(!message.empty(), (file + ": read without the expected error").c_str());
  QVERIFY2(message.find(file) != std::string::npos, ("the error does not name the file: " + message).c_str());
  for (const json& word : words) {
    QVERIFY2(message.find(word.get<std::string>()) != std::string::npos,
             ("'" + word.get<std::string>() + "' missing from: " + message).c_str());
  }
}

void check_state_dict(const std::string& file, const TorchCheckpoint& checkpoint, const json& expected) {
  const std::string path = path_of(file);
  QCOMPARE(checkpoint.format == TorchCheckpoint::Format::Zip ? "zip" : "legacy", expected["format"].get<std::string>());
  const TorchStateDict sd = find_state_dict(checkpoint, path);
  QCOMPARE(sd.found_under, expected["found_under"].get<std::string>());
  QCOMPARE(json(sd.ignored), expected["ignored"]);
  const json& tensors = expected["tensors"];
  QCOMPARE(sd.tensors.size(), tensors.size());
  std::map<int, const TorchStorage*> groups;
  for (size_t i = 0; i < sd.tensors.size(); ++i) {
    const auto& [name, t] = sd.tensors[i];
    const json& e = tensors[i];
    const std::string where = file + ": " + name;
    QVERIFY2(name == e["name"].get<std::string>(), (where + " instead of " + e["name"].dump()).c_str());
    QVERIFY2(dtype_name(t.dtype) == e["dtype"].get<std::string>(), where.c_str());
    QVERIFY2(json(t.shape) == e["shape"] && json(t.strides) == e["strides"], where.c_str());
    QVERIFY2(t.storage_offset == e["storage_offset"].get<int64_t>(), where.c_str());
    QVERIFY2(t.is_contiguous() == e["contiguous"].get<bool>(), where.c_str());
    const json values = values_of(t);
    QVERIFY2(values == e["values"], (where + ": " + shown(values) + " != " + shown(e["values"])).c_str());
    if (e.contains("storage_key")) QVERIFY2(t.storage->key == e["storage_key"].get<std::string>(), where.c_str());
    // Tensors share a storage object exactly when they shared one in Python.
    const auto [it, added] = groups.emplace(e["storage_group"].get<int>(), t.storage.get());
    QVERIFY2(it->second == t.storage.get(), (where + ": should share its storage").c_str());
    for (const auto& [group, storage] : groups)
      QVERIFY2(group == it->first || storage != t.storage.get(), (where + ": should not share its storage").c_str());
  }
  if (expected.contains("found_under_ema"))
    QCOMPARE(find_state_dict(checkpoint, path, true).found_under, expected["found_under_ema"].get<std::string>());
}

// Touches everything in a value tree, at most `budget` nodes (mutated pickles may share one subtree
// many times).
void walk(const PickleValue& v, int& budget) {
  if (--budget < 0) return;
  switch (v.kind()) {
    case Kind::List: case Kind::Tuple: case Kind::Set:
      for (const PickleValue& item : v.items()) walk(item, budget);
      break;
    case Kind::Dict:
      for (const auto& [key, value] : v.dict_items()) walk(key, budget), walk(value, budget);
      break;
    case Kind::NdArray: budget -= v.as_ndarray().data ? 1 : 0; break;
    default: (void)canonical(v); break;  // scalars and data: nothing to recurse into
  }
}

// Reads bytes as the fixture's kind; true if they were accepted, false if refused with CheckpointError.
bool read_as(const std::string& file, const std::vector<uint8_t>& bytes) {
  if (is_pickle(file)) {
    UnpickleOptions options;
    options.persistent_load = [](const PickleValue&) { return PickleValue::storage_ref(0); };
    const Unpickled u = unpickle(bytes, file, options);
    int budget = 100000;
    walk(u.value, budget);
  } else {
    const TorchCheckpoint checkpoint = parse_torch_checkpoint(bytes, file);
    for (const auto& [name, tensor] : find_state_dict(checkpoint, file).tensors) (void)tensor.contiguous_bytes();
  }
  return true;
}

}  // namespace

class CheckpointReadersTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void pythonFixturesExist() {
    for (const char* file : kPythonFixtures) {
      QVERIFY2(fs::exists(path_of(file)), file);
      QVERIFY2(fs::exists(path_of(file) + ".json"), file);
    }
  }

  // Every fixture with a .json: the python-made ones and, once the lead has run it, make_torch_fixtures.py's.
  void fixtures_data() {
    QTest::addColumn<QString>("file");
    for (const std::string& file : fixture_files()) QTest::newRow(file.c_str()) << QString::fromStdString(file);
  }
  void fixtures() {
    QFETCH(QString, file);
    const std::string name = file.toStdString(), path = path_of(name);
    std::ifstream in(path + ".json");
    const json expected = json::parse(in);
    QCOMPARE(expected["file"].get<std::string>(), name);
    const std::vector<uint8_t> bytes = read_file_bytes(path);
    const std::string reader = expected["reader"].get<std::string>();
    if (reader == "pickle") {
      json actual;
      const std::string message = error_of_type<CheckpointError>([&] { actual = canonical(unpickle(bytes, path).value); });
      if (expected.contains("error")) return check_error(name, message, expected["error"]);
      QVERIFY2(message.empty(), message.c_str());
      QVERIFY2(actual == expected["value"], (shown(actual) + "\n  !=\n" + shown(expected["value"])).c_str());
      return;
    }
    QCOMPARE(reader, std::string("torch"));
    if (expected.contains("error")) {
      const std::string message = error_of_type<CheckpointError>([&] { find_state_dict(parse_torch_checkpoint(bytes, path), path); });
      return check_error(name, message, expected["error"]);
    }
    TorchCheckpoint checkpoint;
    const std::string message = error_of_type<CheckpointError>([&] { checkpoint = parse_torch_checkpoint(bytes, path); });
    QVERIFY2(message.empty(), message.c_str());
    check_state_dict(name, checkpoint, expected);
  }

  void zipReaderFollowsTorchLayout() {
    auto archive = std::make_shared<const std::vector<uint8_t>>(read_file_bytes(path_of("sd_zip_torchlike.pt")));
    const ZipReader zip(archive, "sd_zip_torchlike.pt");
    QCOMPARE(zip.entries().front().name, std::string("sd_zip_torchlike/data.pkl"));
    for (const ZipEntry& e : zip.entries()) {
      QCOMPARE(e.method, uint16_t{0});
      QVERIFY2(e.data_offset % 64 == 0, e.name.c_str());  // torch aligns through local extra fields only
    }
    const ZipEntry* bias = zip.find("sd_zip_torchlike/data/1");
    QVERIFY(bias);
    const ZipData data = zip.read(*bias);
    const float expected[] = {1.5f, -2.25f, 3.0f};
    QCOMPARE(data.size, sizeof expected);
    QCOMPARE(std::memcmp(data.data.get(), expected, sizeof expected), 0);
    QCOMPARE(data.data.get(), archive->data() + bias->data_offset);  // stored entries are not copied
    QVERIFY(!zip.find("sd_zip_torchlike/data/99"));
  }

  // The same records written by zipfile, the torch-like writer, with deflate, and with ZIP64 sizes and
  // data descriptors read back identically.
  void zipVariantsAgree() {
    auto open = [](const char* file) {
      return ZipReader(std::make_shared<const std::vector<uint8_t>>(read_file_bytes(path_of(file))), file);
    };
    const ZipReader basic = open("sd_zip_basic.pth");
    for (const char* file : {"sd_zip_deflated.pth", "sd_zip_zip64.pth", "sd_zip_torchlike.pt"}) {
      const ZipReader other = open(file);
      QCOMPARE(other.entries().size(), basic.entries().size());
      for (const ZipEntry& e : basic.entries()) {
        std::string name = e.name;
        if (std::string(file) == "sd_zip_torchlike.pt") name.replace(0, name.find('/'), "sd_zip_torchlike");
        const ZipEntry* match = other.find(name);
        QVERIFY2(match, (std::string(file) + ": " + name).c_str());
        const ZipData a = basic.read(e), b = other.read(*match);
        if (e.name.ends_with("data.pkl")) continue;  // the pickle names its archive's storages the same way
        QVERIFY2(a.size == b.size && std::memcmp(a.data.get(), b.data.get(), a.size) == 0, name.c_str());
      }
    }
  }

  void viewsShareTheirStorage() {
    const TorchCheckpoint c = read_torch_checkpoint(path_of("sd_zip_basic.pth"));
    const TorchStateDict sd = find_state_dict(c, "sd_zip_basic.pth");
    auto tensor = [&](const std::string& name) {
      for (const auto& [n, t] : sd.tensors)
        if (n == name) return t;
      throw std::runtime_error("no tensor " + name);
    };
    const TorchTensor w = tensor("fc.weight"), wt = tensor("fc.weight_t"), strided = tensor("fc.every_other");
    QCOMPARE(w.storage.get(), wt.storage.get());
    QCOMPARE(w.storage.get(), strided.storage.get());
    QVERIFY(w.is_contiguous() && !wt.is_contiguous() && !strided.is_contiguous());
    QVERIFY((wt.shape == std::vector<int64_t>{4, 3}) && (wt.strides == std::vector<int64_t>{1, 4}));
    // Storages inside a zip need not be 4-byte aligned: copy before reading floats.
    std::vector<float> base(static_cast<size_t>(w.numel())), transposed(static_cast<size_t>(wt.numel()));
    std::memcpy(base.data(), w.storage->data.get(), base.size() * sizeof(float));
    const std::vector<uint8_t> bytes = wt.contiguous_bytes();
    std::memcpy(transposed.data(), bytes.data(), transposed.size() * sizeof(float));
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 3; ++j) QCOMPARE(transposed[i * 3 + j], base[j * 4 + i]);
    QCOMPARE(strided.storage_offset, int64_t{5});
    QCOMPARE(values_of(strided), json({0.5, 1.5}));  // elements 5 and 7 of 0.5 * i - 2
    QCOMPARE(c.storages.size(), size_t{13});
  }

  void cifarPythonBatch() {
    const std::vector<uint8_t> bytes = read_file_bytes(path_of("cifar_py2_batch.pkl"));
    const PickleValue batch = unpickle(bytes, "cifar_py2_batch.pkl").value;
    QVERIFY(batch.is(Kind::Dict));
    const PickleValue* data = batch.find("data");  // a Python 2 str key: bytes, found by its text
    QVERIFY(data && data->is(Kind::NdArray));
    const PickleNdArray& array = data->as_ndarray();
    QCOMPARE(array.dtype, std::string("u1"));
    QVERIFY((array.shape == std::vector<int64_t>{2, 3072}) && array.built && !array.fortran_order);
    QCOMPARE(array.data->size(), size_t{2 * 3072});
    for (size_t i = 0; i < array.data->size(); ++i)
      QCOMPARE(static_cast<int>(static_cast<uint8_t>((*array.data)[i])), static_cast<int>((7 * i + 3) % 256));
    const PickleValue* labels = batch.find("labels");
    QVERIFY(labels && labels->is(Kind::List));
    QCOMPARE(canonical(*labels), json({6, 9}));
  }

  void memoSharesValues() {
    const std::vector<uint8_t> bytes = read_file_bytes(path_of("values_p2.pkl"));
    const PickleValue values = unpickle(bytes, "values_p2.pkl").value;
    const PickleValue* shared = values.find("shared");
    QVERIFY(shared && shared->items().size() == 2);
    QVERIFY(shared->items()[0].identity() != nullptr);
    QCOMPARE(shared->items()[0].identity(), shared->items()[1].identity());
  }

  void opcodes_data() {
    QTest::addColumn<QString>("pickle");    // with \xHH and \n escapes
    QTest::addColumn<QString>("expected");  // canonical JSON, or "error: words"
    auto row = [](const char* name, const char* pickle, const char* expected) {
      QTest::newRow(name) << QString(pickle) << QString(expected);
    };
    row("protocol 0 LIST, TUPLE, DICT", R"(((I1\nI2\nl(I3\nt(S'k'\nI4\ndl.)",
        R"([[1,2],{"tuple":[3]},{"dict":[[{"bytes":"6b"},4]]}])");
    row("DUP, POP, POP_MARK", R"(\x80\x02K\x072(K\x01K\x021K\x090\x86.)", R"({"tuple":[7,7]})");
    row("MEMOIZE, FRAME, BINBYTES8",
        R"(\x80\x04\x95\x0e\x00\x00\x00\x00\x00\x00\x00\x8e\x01\x00\x00\x00\x00\x00\x00\x00z\x94h\x00\x86.)",
        R"({"tuple":[{"bytes":"7a"},{"bytes":"7a"}]})");
    row("LONG4 and negative LONG1", R"(\x80\x02\x8b\x02\x00\x00\x00\x00\x80\x8a\x01\xff\x86.)", R"({"tuple":[-32768,-1]})");
    row("LONG1 of 9 bytes that fits", R"(\x80\x02\x8a\x09\xff\xff\xff\xff\xff\xff\xff\x7f\x00.)", "9223372036854775807");
    row("BINFLOAT", R"(\x80\x02G\x3f\xf8\x00\x00\x00\x00\x00\x00.)", "1.5");
    row("EMPTY_SET and ADDITEMS", R"(\x80\x04\x8f(K\x01K\x02\x90.)", R"({"set":[1,2]})");
    row("NEWOBJ_EX of Namespace", R"(\x80\x04\x8c\x08argparse\x8c\x09Namespace\x93)}\x92}\x8c\x02lrK\x01sb.)",
        R"({"dict":[["lr",1]],"type":"argparse.Namespace"})");
    row("Python 2 module name", R"(\x80\x02c__builtin__\nset\n]K\x05a\x85R.)", R"({"set":[5]})");
    row("torch.Size", R"(\x80\x02ctorch\nSize\nK\x02K\x03\x86\x85R.)", R"({"tuple":[2,3]})");
    row("APPEND to a tuple", R"(\x80\x02)K\x01a.)", "error: APPEND on a tuple");
    row("SETITEM on a list", R"(\x80\x02]K\x01K\x02s.)", "error: SETITEM on a list");
    row("odd DICT", R"((K\x01d.)", "error: a key without a value");
    row("STACK_GLOBAL of non-strings", R"(\x80\x04K\x01K\x02\x93.)", "error: STACK_GLOBAL needs two str");
    row("NEWOBJ_EX with keywords", R"(\x80\x04\x8c\x08argparse\x8c\x09Namespace\x93)}K\x01K\x02s\x92.)",
        "error: keyword arguments");
    row("BUILD on a list", R"(\x80\x02]}b.)", "error: BUILD of a list");
    row("INST of an allowed class", R"((icollections\nOrderedDict\n.)", "error: opcode INST");
    row("OrderedDict of a str", R"(\x80\x02ccollections\nOrderedDict\nX\x01\x00\x00\x00a\x85R.)",
        "error: cannot be made from a str");
    row("latin1 of a big code point", R"(\x80\x02c_codecs\nencode\nX\x03\x00\x00\x00\xe2\x98\x83X\x06\x00\x00\x00latin1\x86R.)",
        "error: latin1 cannot encode");
    row("numpy array of objects",
        R"(\x80\x02cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85C\x01b\x87R(K\x01K\x01\x85cnumpy\ndtype\nX\x02\x00\x00\x00O8\x89\x88\x87R\x89]K\x01atb.)",
        "error: Python objects");
    row("STOP inside a MARK frame", R"(\x80\x02K\x01(.)", "error: stack underflow");
  }
  void opcodes() {
    QFETCH(QString, pickle);
    QFETCH(QString, expected);
    const std::vector<uint8_t> bytes = unescape(pickle.toStdString());
    if (expected.startsWith("error: ")) {
      const std::string words = expected.mid(7).toStdString();
      const std::string message = error_of_type<CheckpointError>([&] { unpickle(bytes, "inline.pkl"); });
      QVERIFY2(message.find("inline.pkl") != std::string::npos && message.find(words) != std::string::npos, message.c_str());
      return;
    }
    json actual;
    const std::string message = error_of_type<CheckpointError>([&] { actual = canonical(unpickle(bytes, "inline.pkl").value); });
    QVERIFY2(message.empty(), message.c_str());
    QVERIFY2(actual == json::parse(expected.toStdString()), actual.dump().c_str());
  }

  void bigIntsOnlyWhenAsked() {
    const std::vector<uint8_t> bytes = read_file_bytes(path_of("big_int.pkl"));  // 2**70
    UnpickleOptions options;
    options.allow_big_ints = true;
    const Unpickled u = unpickle(bytes, "big_int.pkl", options);
    QVERIFY(u.value.is(Kind::BigInt));
    QCOMPARE(hex(u.value.as_bytes()), std::string("000000000000000040"));
    QCOMPARE(u.consumed, bytes.size());
  }

  void persistentIdsGoToTheLoader() {
    const std::vector<uint8_t> bytes = unescape(R"(\x80\x02(X\x07\x00\x00\x00storageK\x05tQ.)");
    std::vector<PickleValue> seen;
    UnpickleOptions options;
    options.persistent_load = [&](const PickleValue& pid) {
      seen.push_back(pid);
      return PickleValue::storage_ref(42);
    };
    QCOMPARE(unpickle(bytes, "pid.pkl", options).value.as_storage_ref().index, int64_t{42});
    QCOMPARE(seen.size(), size_t{1});
    QCOMPARE(canonical(seen[0]), json::parse(R"({"tuple":["storage",5]})"));
    options.persistent_load = [](const PickleValue&) -> PickleValue { throw CheckpointError("pid.pkl: refused"); };
    QCOMPARE(error_of_type<CheckpointError>([&] { unpickle(bytes, "pid.pkl", options); }), std::string("pid.pkl: refused"));
  }

  void stateDictRules() {
    auto storage = std::make_shared<TorchStorage>();
    storage->key = "0";
    storage->numel = 1;
    static const float one = 1.0f;
    storage->data = std::shared_ptr<const uint8_t>(std::shared_ptr<const void>(), reinterpret_cast<const uint8_t*>(&one));
    TorchCheckpoint c;
    c.storages.push_back(storage);
    const PickleValue t = PickleValue::tensor({{0}, 0, {}, {}, false});
    c.root = PickleValue::dict({{PickleValue::string("module.a"), t}, {PickleValue::string("a"), t}});
    QVERIFY(error_of_type<CheckpointError>([&] { find_state_dict(c, "dup.pth"); }).find("'a' twice") != std::string::npos);
    c.root = PickleValue::list({t});
    QVERIFY(error_of_type<CheckpointError>([&] { find_state_dict(c, "list.pth"); }).find("holds a list") != std::string::npos);
    c.root = PickleValue::dict({{PickleValue::string("epoch"), PickleValue::from_int(3)}});
    QVERIFY(error_of_type<CheckpointError>([&] { find_state_dict(c, "none.pth"); }).find("no tensors in the checkpoint (keys: epoch)") !=
            std::string::npos);
    c.root = PickleValue::dict({{PickleValue::string("model"), PickleValue::dict({{PickleValue::string("w"), t}})},
                                {PickleValue::string("w"), t}});
    QCOMPARE(find_state_dict(c, "nested.pth").found_under, std::string("model"));
  }

  // Truncated and byte-flipped copies of every fixture: each is read or refused with CheckpointError;
  // never a crash, another exception type, or (under valgrind) an invalid read.
  void mutatedFixturesNeverCrash() {
    uint32_t state = 2463534242u;
    auto next = [&] {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      return state;
    };
    int accepted = 0, refused = 0;
    for (const std::string& file : fixture_files()) {
      const std::vector<uint8_t> original = read_file_bytes(path_of(file));
      std::vector<std::vector<uint8_t>> variants;
      for (size_t k = 1; k < 12 && !original.empty(); ++k)
        variants.emplace_back(original.begin(), original.begin() + static_cast<ptrdiff_t>(original.size() * k / 12));
      for (int m = 0; m < 40 && !original.empty(); ++m) {
        std::vector<uint8_t> v = original;
        for (uint32_t flips = 1 + next() % 3; flips-- > 0;) v[next() % v.size()] = static_cast<uint8_t>(next());
        variants.push_back(std::move(v));
      }
      for (const std::vector<uint8_t>& v : variants) {
        bool ok = false;
        const std::string message = error_of_type<CheckpointError>([&] { ok = read_as(file, v); });
        QVERIFY2(message.find("UNEXPECTED") == std::string::npos, (file + ": " + message).c_str());
        (ok ? accepted : refused) += 1;
      }
    }
    QVERIFY(accepted > 100 && refused > 1000);
  }
};

QTEST_GUILESS_MAIN(CheckpointReadersTest)
#include "test_checkpoint_readers.moc"
