// Reading weights from any file Fovea supports into at::Tensor (engine/weights_file.h): the format told
// by content, the files that real torch.save wrote (tests/fixtures/checkpoints/real_torch_*.pth, see
// make_torch_fixtures.py) with their views and element types, safetensors of every type, Fovea's own
// checkpoints with the training state kept apart, and clear refusals of everything else.
#include <QtTest>

#include "test_support.h"

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "engine/checkpoint.h"
#include "engine/errors.h"
#include "engine/io/safetensors.h"
#include "engine/tensor_convert.h"
#include "engine/weights_file.h"
#include "models/registry.h"
#include "test_files.h"

using fovea::testing::error_of_type;

using namespace fovea::engine;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const std::string kFixtures = FOVEA_TEST_FIXTURES "/checkpoints";


json expectation(const std::string& fixture) {
  std::ifstream in(kFixtures + "/" + fixture + ".json");
  return json::parse(in);
}

// The tensor's elements in row-major order as doubles (bools as 0/1).
std::vector<double> values_of(const at::Tensor& t) {
  const at::Tensor flat = t.to(at::kDouble).contiguous().flatten();
  return {flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel()};
}

std::vector<double> values_of(const json& list) {
  std::vector<double> out;
  for (const json& v : list) out.push_back(v.is_boolean() ? (v.get<bool>() ? 1.0 : 0.0) : v.get<double>());
  return out;
}

const char* const kRealTorchFiles[] = {"real_torch_zip.pth", "real_torch_zip_protocol4.pth", "real_torch_legacy.pth",
                                       "real_torch_nested.pth", "real_torch_nested_legacy.pth", "real_torch_cuda.pth"};

}  // namespace

class WeightsFileTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // The extension says nothing: each file is read by what its first bytes are.
  void detectsFormatFromContent_data() {
    QTest::addColumn<QString>("make");  // how the test file is made
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("expected");
    QTest::newRow("real zip .pth") << "fixture:real_torch_zip.pth" << "a.pth" << int(WeightsFormat::TorchZip);
    QTest::newRow("real legacy .pth") << "fixture:real_torch_legacy.pth" << "a.pth" << int(WeightsFormat::TorchLegacy);
    QTest::newRow("torch zip named .safetensors") << "fixture:real_torch_zip.pth" << "a.safetensors"
                                                  << int(WeightsFormat::TorchZip);
    QTest::newRow("legacy named .bin") << "fixture:real_torch_nested_legacy.pth" << "a.bin"
                                       << int(WeightsFormat::TorchLegacy);
    QTest::newRow("safetensors named .pth") << "safetensors" << "a.pth" << int(WeightsFormat::Safetensors);
    QTest::newRow("Fovea checkpoint named .pt") << "fovea" << "a.pt" << int(WeightsFormat::FoveaCheckpoint);
  }
  void detectsFormatFromContent() {
    QFETCH(QString, make);
    QFETCH(QString, name);
    QFETCH(int, expected);
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/" + name).toStdString();
    if (make.startsWith("fixture:")) {
      fs::copy_file(kFixtures + "/" + make.mid(8).toStdString(), path);
    } else if (make == "safetensors") {
      const float values[2] = {1, 2};
      write_safetensors(path, {{"w", DType::F32, {2}, values, sizeof values}}, {});
    } else {
      auto model = fovea::models::create_model({"airbench94", 10, 3});
      save_checkpoint(path, *model, R"({"model":{"name":"airbench94"}})");
    }
    const WeightsFile file = read_weights_file(path);
    QCOMPARE(int(file.format), expected);
    QVERIFY(!file.tensors.empty());
    QCOMPARE(QString::fromStdString(file.path), QString::fromStdString(path));
  }

  // Every tensor of the real PyTorch files, element by element, as PyTorch itself read them back.
  void readsRealTorchFiles_data() {
    QTest::addColumn<QString>("fixture");
    for (const char* file : kRealTorchFiles) QTest::newRow(file) << QString(file);
  }
  void readsRealTorchFiles() {
    QFETCH(QString, fixture);
    const std::string file = fixture.toStdString();
    // All of them are committed (real_torch_cuda.pth was written on the GPU machine): a missing one is a failure.
    QVERIFY2(fs::exists(kFixtures + "/" + file), qPrintable(QString::fromStdString("missing fixture " + file)));
    const json expected = expectation(file);
    const WeightsFile weights = read_weights_file(kFixtures + "/" + file);
    QCOMPARE(int(weights.format), int(expected["format"] == "zip" ? WeightsFormat::TorchZip : WeightsFormat::TorchLegacy));
    QCOMPARE(weights.found_under, expected["found_under"].get<std::string>());
    QCOMPARE(weights.tensors.size(), expected["tensors"].size());
    for (const json& t : expected["tensors"]) {
      const std::string name = t["name"];
      QVERIFY2(weights.tensors.count(name), name.c_str());
      const at::Tensor& actual = weights.tensors.at(name);
      QCOMPARE(actual.scalar_type(), scalar_type_of(*parse_dtype(t["dtype"].get<std::string>())));
      QCOMPARE(actual.sizes().vec(), t["shape"].get<std::vector<int64_t>>());
      QVERIFY2(actual.is_contiguous(), name.c_str());
      QVERIFY2(values_of(actual) == values_of(t["values"]), name.c_str());
    }
    // Views of one storage read as what they view.
    const auto& w = weights.tensors;
    QVERIFY(at::equal(w.at("fc.weight_t"), w.at("fc.weight").t()));
    QVERIFY(at::equal(w.at("fc.weight_row1"), w.at("fc.weight")[1]));
    QVERIFY(at::equal(w.at("fc.bias_every_other"), w.at("fc.bias").slice(0, 0, 3, 2)));
    if (!weights.found_under.empty()) {  // a training script's checkpoint: the rest is named as ignored
      QCOMPARE(weights.ignored.size(), size_t{6});
      const std::string text = weights.describe();
      QVERIFY2(text.find("state dict under 'model'") != std::string::npos, text.c_str());
      QVERIFY2(text.find("epoch (an int)") != std::string::npos, text.c_str());
      QVERIFY2(text.find("optimizer (a dict)") != std::string::npos, text.c_str());
    }
  }

  void preferEmaTakesTheEmaWeights() {
    const json expected = expectation("real_torch_nested.pth");
    const std::string path = kFixtures + "/real_torch_nested.pth";
    const WeightsFile plain = read_weights_file(path), ema = read_weights_file(path, true);
    QCOMPARE(ema.found_under, expected["found_under_ema"].get<std::string>());
    // make_torch_fixtures.py wrote the EMA as half of every floating-point tensor of the model.
    QVERIFY(at::equal(ema.tensors.at("conv.weight"), plain.tensors.at("conv.weight") * 0.5));
    QVERIFY(!ema.tensors.count("bn.num_batches_tracked"));
  }

  void readsEverySafetensorsType() {
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/types.safetensors").toStdString();
    const float f32[2] = {1.5f, -2.0f};
    const double f64[1] = {3.25};
    const uint16_t f16[2] = {0x3C00, 0xC000};   // 1.0, -2.0
    const uint16_t bf16[2] = {0x3FC0, 0x4040};  // 1.5, 3.0
    const int64_t i64[2] = {-7, int64_t{1} << 40};
    const int8_t i8[2] = {-128, 127};
    const uint8_t u8[2] = {0, 255};
    const uint8_t flags[3] = {1, 0, 2};  // 2: not a valid bool byte, read as true
    write_safetensors(path,
                      {{"f32", DType::F32, {2}, f32, sizeof f32},
                       {"f64", DType::F64, {1}, f64, sizeof f64},
                       {"f16", DType::F16, {2}, f16, sizeof f16},
                       {"bf16", DType::BF16, {1, 2}, bf16, sizeof bf16},
                       {"i64", DType::I64, {2}, i64, sizeof i64},
                       {"i8", DType::I8, {2}, i8, sizeof i8},
                       {"u8", DType::U8, {2}, u8, sizeof u8},
                       {"bool", DType::Bool, {3}, flags, sizeof flags},
                       {"empty", DType::F32, {0, 4}, nullptr, 0}},
                      {{"format", "pt"}});
    const WeightsFile file = read_weights_file(path);
    QCOMPARE(int(file.format), int(WeightsFormat::Safetensors));
    QVERIFY(file.metadata_json.empty());
    const auto& t = file.tensors;
    QCOMPARE(t.at("f32").scalar_type(), at::kFloat);
    QVERIFY((values_of(t.at("f32")) == std::vector<double>{1.5, -2.0}));
    QCOMPARE(t.at("f64").scalar_type(), at::kDouble);
    QCOMPARE(t.at("f16").scalar_type(), at::kHalf);
    QVERIFY((values_of(t.at("f16")) == std::vector<double>{1.0, -2.0}));
    QCOMPARE(t.at("bf16").scalar_type(), at::kBFloat16);
    QCOMPARE(t.at("bf16").sizes().vec(), (std::vector<int64_t>{1, 2}));
    QVERIFY((values_of(t.at("bf16")) == std::vector<double>{1.5, 3.0}));
    QCOMPARE(t.at("i64").scalar_type(), at::kLong);
    QCOMPARE(t.at("i64")[1].item<int64_t>(), int64_t{1} << 40);
    QVERIFY((values_of(t.at("i8")) == std::vector<double>{-128, 127}));
    QVERIFY((values_of(t.at("u8")) == std::vector<double>{0, 255}));
    QCOMPARE(t.at("bool").scalar_type(), at::kBool);
    QVERIFY((values_of(t.at("bool")) == std::vector<double>{1, 0, 1}));
    QCOMPARE(t.at("empty").numel(), int64_t{0});
  }

  // The optimizer and RNG state of a training checkpoint never reach a model's state dict.
  void foveaCheckpointKeepsTrainingStateApart() {
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/epoch-001.safetensors").toStdString();
    auto model = fovea::models::create_model({"airbench94", 10, 1});
    const std::map<std::string, at::Tensor> extra = {{"optimizer/7.weight/momentum_buffer", at::ones({10, 256})},
                                                     {"rng/cpu", at::zeros({16}, at::kByte)}};
    const std::string meta = R"({"format":"fovea-checkpoint","model":{"name":"airbench94"}})";
    save_checkpoint(path, *model, meta, extra);
    const WeightsFile file = read_weights_file(path);
    QCOMPARE(int(file.format), int(WeightsFormat::FoveaCheckpoint));
    QCOMPARE(file.metadata_json, meta);
    QCOMPARE(read_fovea_metadata(path), meta);
    QCOMPARE(file.tensors.size(), state_dict(*model).size());
    QCOMPARE(file.training_state.size(), size_t{2});
    QVERIFY(at::equal(file.training_state.at("optimizer/7.weight/momentum_buffer"), at::ones({10, 256})));
    const std::string text = file.describe();
    QVERIFY2(text.find("Fovea checkpoint") != std::string::npos && text.find("2 of training state") != std::string::npos,
             text.c_str());
    // An extra tensor may not take a model tensor's name.
    QVERIFY_THROWS_EXCEPTION(std::logic_error, save_checkpoint(path, *model, meta, {{"7.weight", at::zeros({1})}}));
  }

  void refusesWhatIsNotWeights_data() {
    QTest::addColumn<QString>("make");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty file") << "bytes:" << "not a weights file";
    QTest::newRow("text") << "bytes:hello, weights" << "not a weights file";
    QTest::newRow("random bytes") << "random" << "not a weights file";
    QTest::newRow("ONNX-like protobuf") << "bytes:\x08\x07\x12\x07pytorch" << "not a weights file";
    QTest::newRow("text fixture named .pth") << "fixture:not_a_checkpoint.pth" << "not a weights file";
    QTest::newRow("TorchScript archive") << "fixture:torchscript.pt" << "TorchScript";
    QTest::newRow("truncated safetensors") << "truncated" << "past the end";
    QTest::newRow("pickle without torch's magic") << "fixture:values_p2.pkl" << "not a PyTorch checkpoint";
  }
  void refusesWhatIsNotWeights() {
    QFETCH(QString, make);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/weights.pth").toStdString();
    if (make.startsWith("bytes:")) {
      fovea::testing::write_text(path, make.mid(6).toStdString());
    } else if (make == "random") {
      fovea::testing::write_bytes(path, fovea::testing::random_bytes(4096, 3));
    } else if (make.startsWith("fixture:")) {
      fs::copy_file(kFixtures + "/" + make.mid(8).toStdString(), path);
    } else {
      const float values[64] = {};
      write_safetensors(path, {{"w", DType::F32, {64}, values, sizeof values}}, {});
      fs::resize_file(path, 18);  // 10 bytes into the header
    }
    const std::string message = error_of_type<CheckpointError>([&] { read_weights_file(path); });
    QVERIFY2(message.find(path) != std::string::npos, message.c_str());
    QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
  }

  void missingFileNamesIt() {
    const std::string path = "/nonexistent/fovea/weights.pth";
    try {
      read_weights_file(path);
      QFAIL("no error");
    } catch (const std::exception& e) {
      QVERIFY2(std::string(e.what()).find(path) != std::string::npos, e.what());
    }
  }
};

QTEST_GUILESS_MAIN(WeightsFileTest)
#include "test_weights_file.moc"
