// Loading weights into models (engine/state_dict_loader.h, engine/loaded_model.h): strict loads with a
// readable report, non-strict loads of what fits, the classifier head replaced for another class count
// (fine-tuning), real torch.save files into a module of the same keys, a torchvision-keyed ResNet-18
// state dict shaped like a training script's .pth into the registry's model, and models built from files.
#include <QtTest>

#include "test_support.h"

#include <ATen/ATen.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <cstring>
#include <filesystem>

#include "engine/checkpoint.h"
#include "engine/errors.h"
#include "engine/io/safetensors.h"
#include "engine/loaded_model.h"
#include "engine/tensor_convert.h"
#include "engine/weights_file.h"
#include "models/registry.h"

using fovea::testing::error_of;

using namespace fovea::engine;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = FOVEA_TEST_FIXTURES "/checkpoints";

// The module make_torch_fixtures.py saved: the same parameter and buffer names.
struct TinyImpl : torch::nn::Module {
  TinyImpl() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 3).bias(false)));
    bn = register_module("bn", torch::nn::BatchNorm2d(4));
    fc = register_module("fc", torch::nn::Linear(4, 3));
  }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(Tiny);


bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A file's worth of weights: a ResNet-18 as torchvision builds it (1000 classes, RGB), random values.
std::map<std::string, at::Tensor> torchvision_resnet18() {
  torch::manual_seed(11);
  auto model = fovea::models::create_model({"resnet18", 1000, 3});
  auto tensors = state_dict(*model);
  for (auto& [name, t] : tensors) {
    if (t.is_floating_point()) t = at::randn_like(t);
  }
  return tensors;
}

void write_plain_safetensors(const std::string& path, const std::map<std::string, at::Tensor>& tensors) {
  std::vector<TensorToWrite> entries;
  for (const auto& [name, t] : tensors)
    entries.push_back({name, dtype_of(t.scalar_type(), name), t.sizes().vec(), t.data_ptr(), t.nbytes()});
  write_safetensors(path, entries, {{"format", "pt"}});
}

void expect_loaded(const torch::nn::Module& model, const std::map<std::string, at::Tensor>& file,
                   const std::string& skip_prefix = "") {
  for (const auto& [name, t] : state_dict(model)) {
    if (!skip_prefix.empty() && name.starts_with(skip_prefix)) continue;
    QVERIFY2(at::equal(t, file.at(name).to(t.scalar_type())), name.c_str());
  }
}

// A torch.save'd training checkpoint, as the PyTorch reader gives it: {"epoch": 90, "model": state dict}
// with DataParallel's "module." prefixes, every tensor in a storage of its own but fc.weight, which is
// stored transposed (a view with swapped strides, as `w.t().contiguous().t()` saves).
TorchCheckpoint training_script_checkpoint(const std::map<std::string, at::Tensor>& tensors) {
  TorchCheckpoint checkpoint;
  PicklePairs state;
  for (const auto& [name, t] : tensors) {
    const bool transposed = name == "fc.weight";
    const at::Tensor stored = (transposed ? t.t() : t).contiguous();
    auto data = std::shared_ptr<uint8_t>(new uint8_t[std::max<size_t>(stored.nbytes(), 1)], std::default_delete<uint8_t[]>());
    std::memcpy(data.get(), stored.data_ptr(), stored.nbytes());
    auto storage = std::make_shared<TorchStorage>();
    storage->key = std::to_string(checkpoint.storages.size());
    storage->dtype = dtype_of(t.scalar_type(), name);
    storage->numel = t.numel();
    storage->data = data;
    PickleTensorRef ref;
    ref.storage.index = static_cast<int64_t>(checkpoint.storages.size());
    ref.size = t.sizes().vec();
    ref.stride = transposed ? std::vector<int64_t>{1, t.size(0)} : t.strides().vec();
    checkpoint.storages.push_back(storage);
    state.emplace_back(PickleValue::string("module." + name), PickleValue::tensor(ref));
  }
  checkpoint.root = PickleValue::dict({{PickleValue::string("epoch"), PickleValue::from_int(90)},
                                       {PickleValue::string("model"), PickleValue::dict(state, "collections.OrderedDict")}});
  return checkpoint;
}

}  // namespace

class WeightsLoadingTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  // Strict loading lists what does not fit, the first few of each kind, and copies nothing; non-strict
  // loading copies what fits and reports the same lines.
  void reportsWhatDoesNotFit_data() {
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<int>("not_loaded");
    QTest::newRow("missing") << "drop layer1.0.conv1.weight" << "missing keys: layer1.0.conv1.weight" << 1;
    QTest::newRow("many missing") << "drop layer4" << "missing keys: layer4.0.bn1.bias, layer4.0.bn1.num_batches_tracked, "
                                                      "layer4.0.bn1.running_mean, layer4.0.bn1.running_var, "
                                                      "layer4.0.bn1.weight, ... (30 in all)" << 30;
    QTest::newRow("unexpected") << "add extra.weight" << "unexpected keys: extra.weight" << 0;
    QTest::newRow("shape") << "grey conv1" << "shape mismatches: conv1.weight: [64, 1, 7, 7] in the file, [64, 3, 7, 7] in the model" << 1;
    QTest::newRow("head, not replacing") << "10 classes" << "shape mismatches: fc.bias: [10] in the file, [1000] in the model, fc.weight: [10, 512]" << 2;
  }
  void reportsWhatDoesNotFit() {
    QFETCH(QString, change);
    QFETCH(QString, expected);
    QFETCH(int, not_loaded);
    std::map<std::string, at::Tensor> file = torchvision_resnet18();
    if (change == "drop layer1.0.conv1.weight") file.erase("layer1.0.conv1.weight");
    if (change == "drop layer4") std::erase_if(file, [](const auto& item) { return item.first.starts_with("layer4."); });
    if (change == "add extra.weight") file["extra.weight"] = at::zeros({2});
    if (change == "grey conv1") file["conv1.weight"] = at::zeros({64, 1, 7, 7});
    if (change == "10 classes") {
      file["fc.weight"] = at::zeros({10, 512});
      file["fc.bias"] = at::zeros({10});
    }
    auto model = fovea::models::create_model({"resnet18", 1000, 3});
    const auto before = state_dict(*model);

    const std::string message = error_of([&] { load_state_dict(*model, file, "r18.pth"); });
    QVERIFY2(contains(message, "r18.pth does not fit the model: " + expected.toStdString()), message.c_str());
    for (const auto& [name, t] : state_dict(*model)) QVERIFY2(at::equal(t, before.at(name)), name.c_str());

    LoadOptions lenient;
    lenient.strict = false;
    const LoadReport report = load_state_dict(*model, file, "r18.pth", lenient);
    QCOMPARE(report.model_tensors, before.size());
    QCOMPARE(report.loaded, before.size() - static_cast<size_t>(not_loaded));
    QVERIFY2(contains(report.summary(), expected.toStdString()), report.summary().c_str());
    for (const auto& [name, t] : state_dict(*model)) {
      const bool fits = file.count(name) && file.at(name).sizes() == t.sizes();
      QVERIFY2(at::equal(t, fits ? file.at(name) : before.at(name)), name.c_str());
    }
  }

  // Fine-tuning: a head that differs only in its class count (or is absent) gives way to the model's
  // fresh one; everything else is loaded, and strict still holds for the rest.
  void replacesTheHeadForAnotherClassCount_data() {
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("file_classes");
    QTest::addColumn<int>("model_classes");
    QTest::addColumn<bool>("drop_head");
    QTest::addColumn<QString>("expected");
    QTest::newRow("resnet18 fc 1000 -> 10") << "resnet18" << 1000 << 10 << false
                                            << "replaced the classifier head: checkpoint has 1000 classes, model has 10";
    QTest::newRow("vit_tiny head 100 -> 7") << "vit_tiny" << 100 << 7 << false
                                            << "replaced the classifier head: checkpoint has 100 classes, model has 7";
    QTest::newRow("airbench head '7' 10 -> 100") << "airbench94" << 10 << 100 << false
                                                 << "replaced the classifier head: checkpoint has 10 classes, model has 100";
    QTest::newRow("backbone without head") << "resnet18" << 1000 << 10 << true
                                           << "the checkpoint has no classifier head: the model keeps its new one (10 classes)";
  }
  void replacesTheHeadForAnotherClassCount() {
    QFETCH(QString, model);
    QFETCH(int, file_classes);
    QFETCH(int, model_classes);
    QFETCH(bool, drop_head);
    QFETCH(QString, expected);
    const std::string name = model.toStdString();
    torch::manual_seed(3);
    auto source = fovea::models::create_model({name, file_classes, 3, false, 32});
    std::map<std::string, at::Tensor> file = state_dict(*source);
    const std::string head = source->head_name() + ".";
    if (drop_head) std::erase_if(file, [&](const auto& item) { return item.first.starts_with(head); });

    auto target = fovea::models::create_model({name, model_classes, 3, false, 32});
    const auto fresh = state_dict(*target);
    LoadOptions options;
    options.replace_head = target->head_name();
    const LoadReport report = load_state_dict(*target, file, "pretrained.safetensors", options);
    QVERIFY(report.head_replaced);
    QVERIFY(report.complete());
    QCOMPARE(report.lines().front(), expected.toStdString());
    expect_loaded(*target, file, head);
    for (const auto& [key, t] : state_dict(*target)) {
      if (key.starts_with(head)) QVERIFY2(at::equal(t, fresh.at(key)), key.c_str());
    }
  }

  void keepsRefusingWhatIsNotTheHead_data() {
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("expected");
    QTest::newRow("grey stem too") << "grey" << "shape mismatches: conv1.weight";
    QTest::newRow("head of another width") << "fc width" << "fc.weight: [10, 256] in the file, [10, 512] in the model";
    QTest::newRow("head with other tensors") << "fc extra" << "unexpected keys: fc.scale";
  }
  void keepsRefusingWhatIsNotTheHead() {
    QFETCH(QString, change);
    QFETCH(QString, expected);
    std::map<std::string, at::Tensor> file = torchvision_resnet18();
    if (change == "grey") file["conv1.weight"] = at::zeros({64, 1, 7, 7});
    if (change == "fc width") file["fc.weight"] = at::zeros({10, 256});
    if (change == "fc extra") file["fc.scale"] = at::zeros({1000});
    auto model = fovea::models::create_model({"resnet18", 10, 3});
    LoadOptions options;
    options.replace_head = "fc";
    const std::string message = error_of([&] { load_state_dict(*model, file, "x.pth", options); });
    QVERIFY2(contains(message, expected.toStdString()), message.c_str());
  }

  // The files real torch.save wrote load into a module with the same names: all of their tensors that
  // the module has, bit for bit; the extra test views are reported as unexpected.
  void realTorchFilesLoadIntoTheirModule_data() {
    QTest::addColumn<QString>("fixture");
    for (const char* f : {"real_torch_zip.pth", "real_torch_zip_protocol4.pth", "real_torch_legacy.pth",
                          "real_torch_nested.pth", "real_torch_nested_legacy.pth"})
      QTest::newRow(f) << QString(f);
  }
  void realTorchFilesLoadIntoTheirModule() {
    QFETCH(QString, fixture);
    const std::string path = kFixtures + "/" + fixture.toStdString();
    const WeightsFile file = read_weights_file(path);
    Tiny tiny;
    const std::string strict = error_of([&] { load_state_dict(*tiny, file.tensors, path); });
    QVERIFY2(contains(strict, "unexpected keys: bf16, codes, counts, double, fc.bias_every_other, ... (11 in all)"),
             strict.c_str());

    LoadOptions lenient;
    lenient.strict = false;
    const LoadReport report = load_state_dict(*tiny, file.tensors, path, lenient);
    QCOMPARE(report.loaded, size_t{8});
    QCOMPARE(report.model_tensors, size_t{8});
    QVERIFY(report.missing.empty() && report.mismatched.empty());
    QCOMPARE(report.unexpected.size(), size_t{11});
    expect_loaded(*tiny, file.tensors);
    QCOMPARE(tiny->bn->num_batches_tracked.item<int64_t>(), int64_t{1});  // the fixture trained one step

    std::map<std::string, at::Tensor> only_the_module = file.tensors;
    std::erase_if(only_the_module, [&](const auto& item) { return !state_dict(*tiny).count(item.first); });
    Tiny again;
    QVERIFY(load_state_dict(*again, only_the_module, path).complete());
    expect_loaded(*again, file.tensors);
  }

  // A torchvision ResNet-18 checkpoint in a training script's layout goes through the PyTorch reader's
  // path into the registry's ResNet-18: exactly, and fine-tuned to 10 classes.
  void torchvisionCheckpointIntoRegistryModel() {
    const auto tensors = torchvision_resnet18();
    const WeightsFile file = weights_from_torch_checkpoint(training_script_checkpoint(tensors), "resnet18-run.pth");
    QCOMPARE(file.found_under, std::string("model"));
    QCOMPARE(file.ignored, std::vector<std::string>{"epoch (an int)"});
    QCOMPARE(file.tensors.size(), tensors.size());

    auto same = fovea::models::create_model({"resnet18", 1000, 3});
    const LoadReport exact = load_state_dict(*same, file.tensors, file.path);
    QCOMPARE(exact.loaded, tensors.size());
    expect_loaded(*same, tensors);

    auto finetuned = fovea::models::create_model({"resnet18", 10, 3});
    LoadOptions options;
    options.replace_head = finetuned->head_name();
    const LoadReport report = load_state_dict(*finetuned, file.tensors, file.path, options);
    QCOMPARE(report.summary(), std::string("loaded 120 of 122 tensors from resnet18-run.pth; replaced the classifier "
                                           "head: checkpoint has 1000 classes, model has 10"));
    expect_loaded(*finetuned, tensors, "fc.");
  }

  // Models built from files: Fovea's metadata says what to build; other files need the model named.
  void buildsModelsFromFiles() {
    QTemporaryDir dir;
    const std::string fovea_path = (dir.path() + "/epoch-002.safetensors").toStdString();
    auto trained = fovea::models::create_model({"resnet18", 10, 1, true, 28});
    save_checkpoint(fovea_path, *trained,
                    R"({"format":"fovea-checkpoint","model":{"name":"resnet18","num_classes":10,"in_channels":1,)"
                    R"("cifar_stem":true,"image_size":28},"class_names":["a","b","c","d","e","f","g","h","i","j"],)"
                    R"("preprocessing":{"height":28,"width":28,"mean":[0.25],"std":[0.5]}})");
    const LoadedModel loaded = load_model(fovea_path, {});
    QVERIFY(loaded.from_metadata);
    QCOMPARE(loaded.spec.num_classes, int64_t{10});
    QCOMPARE(loaded.spec.in_channels, int64_t{1});
    QVERIFY(loaded.spec.cifar_stem);
    QCOMPARE(loaded.class_names.at(9), std::string("j"));
    QCOMPARE(loaded.mean[0], 0.25f);
    QCOMPARE(loaded.std[0], 0.5f);
    QVERIFY(!loaded.model->is_training());
    expect_loaded(*loaded.model, state_dict(*trained));
    QVERIFY(contains(error_of([&] { load_model(fovea_path, {"vit_tiny"}); }), "holds resnet18, not vit_tiny"));

    const std::string plain_path = (dir.path() + "/resnet18.safetensors").toStdString();
    const auto tensors = torchvision_resnet18();
    write_plain_safetensors(plain_path, tensors);
    const std::string message = error_of([&] { load_model(plain_path, {}); });
    QVERIFY2(contains(message, plain_path) && contains(message, "--model"), message.c_str());
    const LoadedModel chosen = load_model(plain_path, {"resnet18", 1000, 3});
    QVERIFY(!chosen.from_metadata);
    QCOMPARE(chosen.mean[0], 0.485f);  // torchvision's normalisation for its weights
    QCOMPARE(chosen.std[2], 0.225f);
    expect_loaded(*chosen.model, tensors);
    // The class count comes from the caller (the data set): a mismatch is the strict load's error.
    QVERIFY(contains(error_of([&] { load_model(plain_path, {"resnet18", 10, 3}); }), "shape mismatches: fc.bias"));
  }
};

QTEST_GUILESS_MAIN(WeightsLoadingTest)
#include "test_weights_loading.moc"
