// The model zoo: torchvision's parameter counts and state-dict keys, shapes, forward and backward.
#include <QtTest>

#include <torch/torch.h>

#include <set>

#include "models/registry.h"

using namespace fovea::models;

namespace {

std::set<std::string> keys_of(const torch::nn::Module& module) {
  std::set<std::string> keys;
  for (const auto& p : module.named_parameters(true)) keys.insert(p.key());
  for (const auto& b : module.named_buffers(true)) keys.insert(b.key());
  return keys;
}

}  // namespace

class ModelsTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void parameterCountsMatchTorchvision_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<qint64>("parameters");
    QTest::newRow("resnet18") << "resnet18" << qint64{11689512};
    QTest::newRow("resnet34") << "resnet34" << qint64{21797672};
    QTest::newRow("resnet50") << "resnet50" << qint64{25557032};
  }
  void parameterCountsMatchTorchvision() {
    QFETCH(QString, name);
    QFETCH(qint64, parameters);
    auto model = create_model({name.toStdString(), 1000, 3, false});
    QCOMPARE(parameter_count(*model), parameters);
  }

  void resnetKeysAreTorchvisions() {
    const auto keys18 = keys_of(*create_model({"resnet18", 1000, 3, false}));
    for (const char* key : {"conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                            "bn1.num_batches_tracked", "layer1.0.conv1.weight", "layer1.1.bn2.running_var",
                            "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_mean",
                            "layer4.1.conv2.weight", "fc.weight", "fc.bias"}) {
      QVERIFY2(keys18.count(key), key);
    }
    QVERIFY(!keys18.count("layer1.0.downsample.0.weight"));  // same shape: no projection
    QCOMPARE(keys18.size(), size_t{122});  // torchvision resnet18 state_dict has 122 entries

    const auto keys50 = keys_of(*create_model({"resnet50", 1000, 3, false}));
    for (const char* key : {"layer1.0.conv3.weight", "layer1.0.bn3.weight", "layer1.0.downsample.0.weight",
                            "layer3.5.conv2.weight", "layer4.2.bn3.running_mean"}) {
      QVERIFY2(keys50.count(key), key);
    }
    QCOMPARE(keys50.size(), size_t{320});  // torchvision resnet50 state_dict has 320 entries
  }

  void shapesFollowOptions() {
    auto model = create_model({"resnet18", 7, 1, true});
    const auto params = model->named_parameters();
    QCOMPARE(params["conv1.weight"].sizes(), (at::IntArrayRef{64, 1, 3, 3}));
    QCOMPARE(params["fc.weight"].sizes(), (at::IntArrayRef{7, 512}));
    auto standard = create_model({"resnet50", 1000, 3, false});
    QCOMPARE(standard->named_parameters()["conv1.weight"].sizes(), (at::IntArrayRef{64, 3, 7, 7}));
    QCOMPARE(standard->named_parameters()["layer2.0.conv2.weight"].sizes(), (at::IntArrayRef{128, 128, 3, 3}));
    QCOMPARE(QString::fromStdString(model->head_name()), QStringLiteral("fc"));
  }

  void forwardAndBackward_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("cifarStem");
    QTest::addColumn<int>("size");
    QTest::newRow("resnet18 28px gray") << "resnet18" << false << 28;
    QTest::newRow("resnet18 cifar stem") << "resnet18" << true << 32;
    QTest::newRow("resnet50 64px") << "resnet50" << false << 64;
  }
  void forwardAndBackward() {
    QFETCH(QString, name);
    QFETCH(bool, cifarStem);
    QFETCH(int, size);
    torch::manual_seed(0);
    auto model = create_model({name.toStdString(), 10, 3, cifarStem});
    const at::Tensor x = torch::randn({2, 3, size, size});
    const at::Tensor logits = model->forward(x);
    QCOMPARE(logits.sizes(), (at::IntArrayRef{2, 10}));
    QVERIFY(logits.isfinite().all().item<bool>());
    logits.sum().backward();
    for (const auto& p : model->named_parameters()) {
      QVERIFY2(p.value().grad().defined() && p.value().grad().isfinite().all().item<bool>(), p.key().c_str());
    }
  }

  void unknownModelNamesTheModel() {
    try {
      create_model({"resnet1000", 10, 3, false});
      QFAIL("no exception");
    } catch (const std::invalid_argument& e) {
      QVERIFY(QString(e.what()).contains("unknown model 'resnet1000'"));
      QVERIFY(QString(e.what()).contains("resnet18"));
    }
  }
};

QTEST_GUILESS_MAIN(ModelsTest)
#include "test_models.moc"
