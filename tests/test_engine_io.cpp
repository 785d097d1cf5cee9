// safetensors writing and its validation of untrusted files; atomic writes; checkpoint round trips.
#include <QtTest>

#include "test_support.h"

#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>

#include "engine/checkpoint.h"
#include "engine/errors.h"
#include "engine/io/atomic_file.h"
#include "engine/io/safetensors.h"
#include "models/registry.h"

using fovea::testing::qerror_of;

using namespace fovea::engine;
namespace fs = std::filesystem;

namespace {


// A safetensors file from a header text and a data size (data bytes are 0..n-1).
std::vector<uint8_t> handmade(const std::string& header, size_t data_bytes, uint64_t claimed_length = 0) {
  const uint64_t length = claimed_length ? claimed_length : header.size();
  std::vector<uint8_t> bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<uint8_t>(length >> (8 * i)));
  bytes.insert(bytes.end(), header.begin(), header.end());
  for (size_t i = 0; i < data_bytes; ++i) bytes.push_back(static_cast<uint8_t>(i));
  return bytes;
}

std::vector<std::string> files_in(const QString& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder.toStdString())) names.push_back(entry.path().filename());
  return names;
}

}  // namespace

class EngineIoTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void safetensorsRoundTrip() {
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/t.safetensors").toStdString();
    const std::vector<float> a = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, 8.0f};
    const std::vector<int64_t> b = {42, -7};
    write_safetensors(path,
                      {{"layer.weight", DType::F32, {2, 3}, a.data(), a.size() * 4},
                       {"layer.count", DType::I64, {2}, b.data(), b.size() * 8}},
                      {{"note", "hello"}});
    const SafetensorsFile file = SafetensorsFile::read(path);
    QCOMPARE(QString::fromStdString(file.metadata().at("note")), QStringLiteral("hello"));
    const StoredTensor& w = file.tensors().at("layer.weight");
    QCOMPARE(w.dtype, DType::F32);
    QVERIFY((w.shape == std::vector<int64_t>{2, 3}));
    QCOMPARE(std::memcmp(file.data(w), a.data(), 24), 0);
    const StoredTensor& c = file.tensors().at("layer.count");
    QCOMPARE(std::memcmp(file.data(c), b.data(), 16), 0);
    // The header is padded so that the data starts 8-byte aligned, as the spec recommends.
    std::ifstream in(path, std::ios::binary);
    uint64_t header_length = 0;
    in.read(reinterpret_cast<char*>(&header_length), 8);
    QCOMPARE(header_length % 8, uint64_t{0});
  }

  void safetensorsRejectsBrokenFiles_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    auto row = [](const char* name, const std::vector<uint8_t>& bytes, const char* expected) {
      QTest::newRow(name) << QByteArray(reinterpret_cast<const char*>(bytes.data()), static_cast<int>(bytes.size()))
                          << QString(expected);
    };
    const std::string ok = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    row("too short", {1, 2, 3}, "too short");
    row("huge header length", handmade(ok, 8, uint64_t{1} << 40), "100 MB");
    row("header length past end", handmade(ok, 8, ok.size() + 100), "past the end");
    row("not json", handmade("{not json", 0), "not valid JSON");
    row("not an object", handmade("[1,2]", 0), "not a JSON object");
    row("duplicate name",
        handmade(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8),
        "twice");
    row("size mismatch", handmade(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8), "do not match");
    row("offsets outside", handmade(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", 4), "outside");
    row("overlap",
        handmade(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8),
        "overlaps");
    row("gap", handmade(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8), "gap");
    row("trailing bytes", handmade(ok, 12), "after the last tensor");
    row("unknown dtype", handmade(R"({"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}})", 1), "unsupported dtype");
    row("negative shape", handmade(R"({"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}})", 1), "not a size");
    row("missing fields", handmade(R"({"a":{"dtype":"U8"}})", 0), "needs dtype");
    row("metadata not strings", handmade(R"({"__metadata__":{"k":1}})", 0), "not a string");
  }
  void safetensorsRejectsBrokenFiles() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    std::vector<uint8_t> data(bytes.begin(), bytes.end());
    const QString message = qerror_of([&] { SafetensorsFile::parse(data, "evil.safetensors"); });
    QVERIFY2(message.contains("evil.safetensors") && message.contains(expected), qPrintable(message));
  }

  void atomicWriterLeavesNothingBehindOnFailure() {
    QTemporaryDir dir;
    const std::string final_path = (dir.path() + "/out.bin").toStdString();
    {
      AtomicFileWriter writer(final_path);
      writer.write("partial", 7);
      QVERIFY(fs::exists(writer.temporary_path()));
      QVERIFY(!fs::exists(final_path));
    }  // destroyed without commit
    QVERIFY(!fs::exists(final_path));
    QVERIFY(files_in(dir.path()).empty());

    write_file_atomically(final_path, "first");
    write_file_atomically(final_path, "second");
    std::ifstream in(final_path);
    std::string content;
    in >> content;
    QCOMPARE(QString::fromStdString(content), QStringLiteral("second"));
    QCOMPARE(files_in(dir.path()).size(), size_t{1});  // no temporary files left
  }

  void atomicWriterReportsUnwritableFolder() {
    const QString message = qerror_of([] { write_file_atomically("/proc/fovea-cannot-write-here/x.bin", "x"); });
    QVERIFY2(message.contains("/proc/fovea-cannot-write-here/x.bin"), qPrintable(message));
  }

  void checkpointRoundTrip() {
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/epoch-001.safetensors").toStdString();
    auto model = fovea::models::create_model({"resnet18", 10, 1, true});
    save_checkpoint(path, *model, R"({"model":{"name":"resnet18"}})");

    const LoadedTensors loaded = load_safetensors(path);
    QCOMPARE(QString::fromStdString(loaded.metadata.at(kCheckpointMetadataKey)),
             QStringLiteral(R"({"model":{"name":"resnet18"}})"));
    QVERIFY(loaded.tensors.count("layer1.0.bn1.num_batches_tracked"));
    QCOMPARE(loaded.tensors.at("layer1.0.bn1.num_batches_tracked").scalar_type(), at::kLong);

    auto other = fovea::models::create_model({"resnet18", 10, 1, true});
    load_state_dict(*other, loaded.tensors, path);
    const auto expected = state_dict(*model), actual = state_dict(*other);
    QCOMPARE(actual.size(), expected.size());
    for (const auto& [name, tensor] : expected) QVERIFY2(at::equal(tensor, actual.at(name)), name.c_str());
  }

  void loadStateDictReportsMismatches() {
    auto model = fovea::models::create_model({"resnet18", 10, 3, false});
    auto tensors = state_dict(*model);
    tensors.erase("fc.bias");
    tensors["extra.weight"] = at::zeros({1});
    tensors["fc.weight"] = at::zeros({5, 512});
    const QString message = qerror_of([&] { load_state_dict(*model, tensors, "x.safetensors"); });
    QVERIFY2(message.contains("missing keys: fc.bias"), qPrintable(message));
    QVERIFY2(message.contains("unexpected keys: extra.weight"), qPrintable(message));
    QVERIFY2(message.contains("shape mismatches: fc.weight"), qPrintable(message));
  }
};

QTEST_GUILESS_MAIN(EngineIoTest)
#include "test_engine_io.moc"
