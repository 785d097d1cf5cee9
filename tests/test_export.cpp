// Model export (engine/export/): the safetensors state dict reloads into the same model with the same
// logits and torchvision's keys; the ONNX graphs (ResNet with folded BatchNorm, ViT) pass ONNX's checker
// with opset 17, a symbolic batch and the class names and normalisation in their metadata; unsupported
// models and unwritable destinations are refused without leaving a file; fovea-cli export's contract.
// (Numeric parity with onnxruntime, torchvision and timm: bench/parity/check_export.py.)
#include <QtTest>

#include <ATen/ATen.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "engine/checkpoint.h"
#include "engine/export/export.h"
#include "engine/export/onnx_export.h"
#include "engine/io/safetensors.h"
#include "engine/loaded_model.h"
#include "models/registry.h"
#include "test_support.h"

#ifdef FOVEA_HAVE_ONNX
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#endif

using namespace fovea::engine;
using fovea::testing::error_of;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const std::vector<std::string> kClasses = {"airplane", "automobile", "bird", "cat", "deer",
                                           "dog",      "frog",       "horse", "ship", "truck"};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A Fovea checkpoint of `spec` with random weights and non-trivial BatchNorm statistics (as after
// training), so that folding and buffers are really exercised.
std::string write_checkpoint(const fs::path& folder, const fovea::models::ModelSpec& spec) {
  torch::manual_seed(3);
  auto model = fovea::models::create_model(spec);
  {
    torch::NoGradGuard no_grad;
    for (auto& b : model->named_buffers()) {
      if (b.key().ends_with("running_mean")) b.value().uniform_(-0.3, 0.3);
      if (b.key().ends_with("running_var")) b.value().uniform_(0.5, 2.0);
      if (b.key().ends_with("num_batches_tracked")) b.value().fill_(1234);
    }
    for (auto& p : model->named_parameters()) {
      if (p.key().find("bn") != std::string::npos || p.key().find("downsample.1") != std::string::npos)
        p.value().uniform_(0.5, 1.5);
    }
  }
  const json meta = {{"model",
                      {{"name", spec.name},
                       {"num_classes", spec.num_classes},
                       {"in_channels", spec.in_channels},
                       {"cifar_stem", spec.cifar_stem},
                       {"image_size", spec.image_size}}},
                     {"class_names", std::vector<std::string>(kClasses.begin(), kClasses.begin() + spec.num_classes)},
                     {"preprocessing",
                      {{"height", spec.image_size}, {"width", spec.image_size}, {"mean", {0.49, 0.48, 0.45}}, {"std", {0.25, 0.24, 0.26}}}}};
  const std::string path = (folder / (spec.name + ".safetensors")).string();
  save_checkpoint(path, *model, meta.dump());
  return path;
}

at::Tensor logits_of(const LoadedModel& loaded, int64_t size) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(5);
  return loaded.model->forward(at::randn({2, loaded.spec.in_channels, size, size}));
}

std::vector<std::string> files_in(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename().string());
  return names;
}

}  // namespace

class ExportTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  fs::path root() const { return dir_.path().toStdString(); }

 private Q_SLOTS:
  void safetensorsRoundTrip() {
    const std::string checkpoint = write_checkpoint(root(), {"resnet18", 10, 3, true, 32});
    const std::string out = (root() / "resnet18-export.safetensors").string();
    const ExportResult r = export_model({checkpoint, {}, ExportFormat::Safetensors, out});
    QCOMPARE(r.bytes, uint64_t(fs::file_size(out)));
    QCOMPARE(r.num_classes, int64_t{10});
    QCOMPARE(r.class_names, kClasses);

    const LoadedModel original = load_model(checkpoint, {});
    const LoadedModel reloaded = load_model(out, {});  // strict; the model from the export's own metadata
    QVERIFY(reloaded.from_metadata);
    QCOMPARE(reloaded.class_names, kClasses);
    QCOMPARE(reloaded.spec.cifar_stem, true);
    QVERIFY(at::equal(logits_of(original, 32), logits_of(reloaded, 32)));

    // Every parameter and buffer under torchvision's name, float32 (num_batches_tracked stays int64).
    const auto expected = state_dict(*original.model);
    const SafetensorsFile file = SafetensorsFile::read(out);
    QCOMPARE(file.tensors().size(), size_t{122});  // torchvision's resnet18 state dict
    for (const auto& [name, t] : expected) {
      QVERIFY2(file.tensors().count(name), name.c_str());
      QCOMPARE(dtype_name(file.tensors().at(name).dtype), name.ends_with("num_batches_tracked") ? "I64" : "F32");
    }
    for (const char* key : {"bn1.running_var", "bn1.num_batches_tracked", "layer2.0.downsample.1.running_mean", "fc.bias"})
      QVERIFY2(file.tensors().count(key), key);
    const auto reloaded_tensors = load_safetensors(out).tensors;
    for (const auto& [name, t] : expected) QVERIFY2(at::equal(t, reloaded_tensors.at(name)), name.c_str());
    QCOMPARE(reloaded_tensors.at("bn1.num_batches_tracked").item<int64_t>(), int64_t{1234});

    const auto& meta = file.metadata();
    QCOMPARE(meta.at("format"), std::string("pt"));
    QCOMPARE(meta.at("model"), std::string("resnet18"));
    QCOMPARE(json::parse(meta.at("class_names")).get<std::vector<std::string>>(), kClasses);
  }

#ifdef FOVEA_HAVE_ONNX
  void onnxGraph_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("classes");
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("weights");  // initializers from the model (the rest are named const.*)
    // ResNet-18: 20 convs (17 + 3 projections) as folded weight + bias, and fc.
    QTest::newRow("resnet18 cifar stem") << "resnet18" << 10 << 32 << 20 * 2 + 2;
    // ViT-Ti: the state dict's 152 tensors, linear weights stored transposed.
    QTest::newRow("vit_tiny 32px") << "vit_tiny" << 7 << 32 << 152;
  }

  void onnxGraph() {
    QFETCH(QString, model);
    QFETCH(int, classes);
    QFETCH(int, size);
    QFETCH(int, weights);
    const std::string name = model.toStdString();
    const std::string checkpoint = write_checkpoint(root(), {name, classes, 3, name == "resnet18", size});
    const std::string out = (root() / (name + ".onnx")).string();
    const ExportResult r = export_model({checkpoint, {}, ExportFormat::Onnx, out});
    QCOMPARE(r.opset, 17);

    onnx::ModelProto proto;
    std::ifstream in(out, std::ios::binary);
    QVERIFY(proto.ParseFromIstream(&in));
    onnx::checker::check_model(proto);  // throws on failure
    QCOMPARE(proto.ir_version(), int64_t{8});
    QCOMPARE(proto.opset_import_size(), 1);
    QCOMPARE(proto.opset_import(0).domain(), std::string());
    QCOMPARE(proto.opset_import(0).version(), int64_t{17});
    QCOMPARE(proto.producer_name(), std::string("Fovea"));

    const auto& graph = proto.graph();
    QCOMPARE(graph.input_size(), 1);
    const auto& input = graph.input(0).type().tensor_type();
    QCOMPARE(graph.input(0).name(), std::string("images"));
    QCOMPARE(input.elem_type(), int(onnx::TensorProto::FLOAT));
    QCOMPARE(input.shape().dim(0).dim_param(), std::string("batch"));
    QVERIFY(!input.shape().dim(0).has_dim_value());
    for (int d : {1, 2, 3}) QCOMPARE(input.shape().dim(d).dim_value(), int64_t(d == 1 ? 3 : size));
    QCOMPARE(graph.output(0).name(), std::string("logits"));
    QCOMPARE(graph.output(0).type().tensor_type().shape().dim(0).dim_param(), std::string("batch"));
    QCOMPARE(graph.output(0).type().tensor_type().shape().dim(1).dim_value(), int64_t(classes));
    QCOMPARE(graph.node(graph.node_size() - 1).output(0), std::string("logits"));

    std::map<std::string, std::string> props;
    for (const auto& p : proto.metadata_props()) props[p.key()] = p.value();
    QCOMPARE(props.at("model"), name);
    const auto names = json::parse(props.at("class_names")).get<std::vector<std::string>>();
    QCOMPARE(names, std::vector<std::string>(kClasses.begin(), kClasses.begin() + classes));
    QCOMPARE(json::parse(props.at("mean")).get<std::vector<float>>(), (std::vector<float>{0.49f, 0.48f, 0.45f}));
    QCOMPARE(json::parse(props.at("std")).get<std::vector<float>>(), (std::vector<float>{0.25f, 0.24f, 0.26f}));
    QCOMPARE(json::parse(props.at("input_size")).get<std::vector<int>>(), (std::vector<int>{3, size, size}));

    // Initializers: unique names, and the model's own tensors (not const.*) as many as expected.
    const auto state = state_dict(*load_model(checkpoint, {}).model);
    std::set<std::string> seen;
    std::map<std::string, const onnx::TensorProto*> by_name;
    int from_model = 0;
    for (const auto& t : graph.initializer()) {
      QVERIFY2(seen.insert(t.name()).second, t.name().c_str());
      by_name[t.name()] = &t;
      if (!t.name().starts_with("const.")) ++from_model;
    }
    QCOMPARE(from_model, weights);
    if (name == "resnet18") {
      // The stem's first output channel after folding: w * gamma / sqrt(var + eps).
      const at::Tensor scale = state.at("bn1.weight") / (state.at("bn1.running_var") + 1e-5).sqrt();
      const at::Tensor expected = (state.at("conv1.weight") * scale.reshape({-1, 1, 1, 1})).contiguous();
      const std::string& raw = by_name.at("conv1.weight_bn_folded")->raw_data();
      QCOMPARE(raw.size(), size_t(expected.nbytes()));
      const at::Tensor got = at::from_blob(const_cast<char*>(raw.data()), expected.sizes(), at::kFloat);
      QVERIFY(at::allclose(got, expected, 1e-6, 1e-7));
    } else {
      const std::string& raw = by_name.at("blocks.0.attn.qkv.weight_t")->raw_data();
      const at::Tensor expected = state.at("blocks.0.attn.qkv.weight").t().contiguous();
      QVERIFY(at::equal(at::from_blob(const_cast<char*>(raw.data()), expected.sizes(), at::kFloat), expected));
    }
  }

  void onnxRefusesOtherModels() {
    const std::string checkpoint = write_checkpoint(root(), {"airbench94", 10, 3, false, 32});
    const fs::path folder = root() / "refused";
    fs::create_directory(folder);
    const std::string message = error_of([&] { export_model({checkpoint, {}, ExportFormat::Onnx, (folder / "a.onnx").string()}); });
    QVERIFY2(contains(message, "ONNX export supports ResNet and ViT models; airbench94 is not supported (export safetensors instead)"),
             message.c_str());
    QVERIFY(files_in(folder).empty());  // no temporary file either
    QVERIFY(contains(error_of([&] { check_onnx_exportable("vim_tiny"); }), "vim_tiny is not supported"));
  }
#else
  void onnxUnavailable() {
    const std::string message = error_of([&] { export_model({"x.safetensors", {}, ExportFormat::Onnx, "x.onnx"}); });
    QVERIFY2(contains(message, "no ONNX support (libonnx-dev)"), message.c_str());
  }
#endif

  void refusesBadDestinationsAndCheckpoints() {
    const std::string checkpoint = write_checkpoint(root(), {"resnet18", 10, 3, true, 32});
    const std::string missing = (root() / "no-such-folder" / "m.safetensors").string();
    std::string message = error_of([&] { export_model({checkpoint, {}, ExportFormat::Safetensors, missing}); });
    QVERIFY2(contains(message, missing) && contains(message, "does not exist"), message.c_str());
    QVERIFY(!fs::exists(root() / "no-such-folder"));

    const std::string folder_as_file = root().string();
    message = error_of([&] { export_model({checkpoint, {}, ExportFormat::Safetensors, folder_as_file + "/"}); });
    QVERIFY2(contains(message, "not a file name"), message.c_str());

    const fs::path broken = root() / "broken.safetensors";
    std::ofstream(broken) << "not a checkpoint";
    const std::string out = (root() / "never.safetensors").string();
    message = error_of([&] { export_model({broken.string(), {}, ExportFormat::Safetensors, out}); });
    QVERIFY2(contains(message, broken.string()), message.c_str());
    QVERIFY(!fs::exists(out));
  }

  void cliExportJson() {
    const std::string checkpoint = write_checkpoint(root(), {"resnet18", 10, 3, true, 32});
    const std::string out = (root() / "cli.safetensors").string();
    QProcess process;
    process.start(FOVEA_CLI, {"export", "--checkpoint", QString::fromStdString(checkpoint), "--format", "safetensors",
                              "--out", QString::fromStdString(out), "--json"});
    QVERIFY(process.waitForFinished(120000));
    QCOMPARE(process.exitCode(), 0);
    const json result = json::parse(process.readAllStandardOutput().toStdString());
    QCOMPARE(result.at("path").get<std::string>(), out);
    QCOMPARE(result.at("format").get<std::string>(), std::string("safetensors"));
    QCOMPARE(result.at("bytes").get<uint64_t>(), uint64_t(fs::file_size(out)));
    QCOMPARE(result.at("num_classes").get<int>(), 10);

    process.start(FOVEA_CLI, {"export", "--checkpoint", QString::fromStdString(checkpoint), "--format", "safetensors",
                              "--out", QString::fromStdString((root() / "nope" / "x.safetensors").string())});
    QVERIFY(process.waitForFinished(120000));
    QVERIFY(process.exitCode() != 0);
    const QString err = QString::fromUtf8(process.readAllStandardError()).trimmed();
    QVERIFY2(err.startsWith("fovea-cli: error: cannot write") && !err.contains('\n'), qPrintable(err));
  }
};

QTEST_GUILESS_MAIN(ExportTest)
#include "test_export.moc"
