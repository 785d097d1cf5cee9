// The model zoo: the Python originals' parameter counts and state-dict keys, forward and backward for
// every family, position-embedding resampling, and logits equal to torchvision's/timm's for weights
// given by a formula (fixtures made by bench/parity/make_formula_fixtures.py).
#include <QtTest>

#include <torch/torch.h>

#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "formula_weights.h"
#include "kernels/max_pool2x2.h"
#include "models/airbench.h"
#include "models/ops/add_layer_norm_op.h"
#include "models/ops/batch_norm_gelu_op.h"
#include "models/ops/max_pool2x2_op.h"
#include "models/ops/patch_conv_op.h"
#include "models/ops/reference_mode.h"
#include "models/vit.h"
#include "models/registry.h"

using namespace fovea::models;

namespace {

std::set<std::string> keys_of(const torch::nn::Module& module) {
  std::set<std::string> keys;
  for (const auto& p : module.named_parameters(true)) keys.insert(p.key());
  for (const auto& b : module.named_buffers(true)) keys.insert(b.key());
  return keys;
}

std::shared_ptr<ImageClassifier> build(const std::string& name, int64_t classes = 1000, int64_t channels = 3,
                                       int64_t image_size = 0) {
  ModelSpec spec;
  spec.name = name;
  spec.num_classes = classes;
  spec.in_channels = channels;
  spec.image_size = image_size;
  return create_model(spec);
}

}  // namespace

class ModelsTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void parameterCountsMatchTheOriginals_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<qint64>("parameters");
    QTest::newRow("resnet18") << "resnet18" << qint64{11689512};
    QTest::newRow("resnet34") << "resnet34" << qint64{21797672};
    QTest::newRow("resnet50") << "resnet50" << qint64{25557032};
    QTest::newRow("vit_tiny") << "vit_tiny" << qint64{5717416};
    QTest::newRow("vit_small") << "vit_small" << qint64{22050664};
    QTest::newRow("vit_base") << "vit_base" << qint64{86567656};
    QTest::newRow("vim_tiny") << "vim_tiny" << qint64{7148008};
    QTest::newRow("vim_small") << "vim_small" << qint64{25796584};
    QTest::newRow("vim_small_stride8") << "vim_small_stride8" << qint64{26001256};
  }
  void parameterCountsMatchTheOriginals() {
    QFETCH(QString, name);
    QFETCH(qint64, parameters);
    QCOMPARE(parameter_count(*build(name.toStdString())), parameters);
  }

  void originalLongNamesAreAliases() {
    const ModelEntry* entry = find_model("vim_small_patch16_stride8_224_bimambav2_final_pool_mean_abs_pos_embed_with_midclstok_div2");
    QVERIFY(entry);
    QCOMPARE(QString::fromStdString(entry->name), QStringLiteral("vim_small_stride8"));
    QVERIFY(find_model("vit_base_patch16_224"));
    QVERIFY(!find_model("vit_huge"));
  }

  void resnetKeysAreTorchvisions() {
    const auto keys18 = keys_of(*build("resnet18"));
    for (const char* key : {"conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                            "bn1.num_batches_tracked", "layer1.0.conv1.weight", "layer1.1.bn2.running_var",
                            "layer2.0.downsample.0.weight", "layer2.0.downsample.1.running_mean",
                            "layer4.1.conv2.weight", "fc.weight", "fc.bias"}) {
      QVERIFY2(keys18.count(key), key);
    }
    QVERIFY(!keys18.count("layer1.0.downsample.0.weight"));  // same shape: no projection
    QCOMPARE(keys18.size(), size_t{122});  // torchvision resnet18 state_dict has 122 entries
    const auto keys50 = keys_of(*build("resnet50"));
    for (const char* key : {"layer1.0.conv3.weight", "layer1.0.bn3.weight", "layer1.0.downsample.0.weight",
                            "layer3.5.conv2.weight", "layer4.2.bn3.running_mean"}) {
      QVERIFY2(keys50.count(key), key);
    }
    QCOMPARE(keys50.size(), size_t{320});  // torchvision resnet50 state_dict has 320 entries
  }

  void vitKeysAreTimms() {
    const auto keys = keys_of(*build("vit_tiny"));
    for (const char* key : {"cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias",
                            "blocks.0.norm1.weight", "blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias",
                            "blocks.0.attn.proj.weight", "blocks.11.norm2.bias", "blocks.11.mlp.fc1.weight",
                            "blocks.11.mlp.fc2.bias", "norm.weight", "norm.bias", "head.weight", "head.bias"}) {
      QVERIFY2(keys.count(key), key);
    }
    QCOMPARE(keys.size(), size_t{152});  // timm vit_tiny_patch16_224: 4 + 12 x 12 + 4
  }

  void vimKeysAreTheOriginals() {
    const auto keys = keys_of(*build("vim_tiny"));
    for (const char* key : {"cls_token", "pos_embed", "patch_embed.proj.weight", "layers.0.norm.weight",
                            "layers.0.mixer.in_proj.weight", "layers.0.mixer.conv1d.weight", "layers.0.mixer.conv1d.bias",
                            "layers.0.mixer.conv1d_b.weight", "layers.0.mixer.x_proj.weight", "layers.0.mixer.x_proj_b.weight",
                            "layers.0.mixer.dt_proj.weight", "layers.0.mixer.dt_proj.bias", "layers.0.mixer.dt_proj_b.bias",
                            "layers.0.mixer.A_log", "layers.0.mixer.A_b_log", "layers.0.mixer.D", "layers.0.mixer.D_b",
                            "layers.23.mixer.out_proj.weight", "norm_f.weight", "head.weight", "head.bias"}) {
      QVERIFY2(keys.count(key), key);
    }
    auto model = build("vim_small_stride8");
    QCOMPARE(model->named_parameters()["pos_embed"].sizes(), (at::IntArrayRef{1, 730, 384}));
    QCOMPARE(model->named_parameters()["layers.0.mixer.x_proj.weight"].sizes(), (at::IntArrayRef{24 + 32, 768}));
  }

  void mamba2AndAirbenchKeys() {
    const auto m2 = keys_of(*build("mamba2_tiny", 10));
    for (const char* key : {"layers.0.mixer.in_proj.weight", "layers.0.mixer.conv1d.weight", "layers.0.mixer.dt_bias",
                            "layers.0.mixer.A_log", "layers.0.mixer.D", "layers.0.mixer.norm.weight",
                            "layers.0.mixer.out_proj.weight", "layers.0.norm.weight", "norm_f.weight", "head.weight"}) {
      QVERIFY2(m2.count(key), key);
    }
    auto air = build("airbench94", 10);
    const auto ab = keys_of(*air);
    for (const char* key : {"0.weight", "0.bias", "2.conv1.weight", "2.norm1.bias", "2.norm1.running_var",
                            "3.conv2.weight", "4.norm2.running_mean", "7.weight"}) {
      QVERIFY2(ab.count(key), key);
    }
    QVERIFY(!ab.count("7.bias"));
    auto params = air->named_parameters();
    QVERIFY(!params["0.weight"].requires_grad());       // whitening filters are set from data, not trained
    QVERIFY(!params["2.norm1.weight"].requires_grad());  // BatchNorm scales stay 1
    QVERIFY(params["2.norm1.bias"].requires_grad());
    QCOMPARE(params["0.weight"].sizes(), (at::IntArrayRef{24, 3, 2, 2}));
  }

  void forwardAndBackward_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("size");
    QTest::newRow("resnet18 28px gray") << "resnet18" << 1 << 28;
    QTest::newRow("resnet50 64px") << "resnet50" << 3 << 64;
    QTest::newRow("vit_tiny 32px (4px patches)") << "vit_tiny" << 3 << 32;
    QTest::newRow("vim_tiny 28px gray") << "vim_tiny" << 1 << 28;
    QTest::newRow("mamba2_tiny 32px") << "mamba2_tiny" << 3 << 32;
    QTest::newRow("airbench94 32px") << "airbench94" << 3 << 32;
    QTest::newRow("airbench94 28px gray") << "airbench94" << 1 << 28;
  }
  void forwardAndBackward() {
    QFETCH(QString, name);
    QFETCH(int, channels);
    QFETCH(int, size);
    torch::manual_seed(0);
    auto model = build(name.toStdString(), 10, channels, size);
    const at::Tensor logits = model->forward(torch::randn({2, channels, size, size}));
    QCOMPARE(logits.sizes(), (at::IntArrayRef{2, 10}));
    QVERIFY(logits.isfinite().all().item<bool>());
    logits.pow(2).sum().backward();
    for (const auto& p : model->named_parameters()) {
      if (!p.value().requires_grad()) continue;
      QVERIFY2(p.value().grad().defined() && p.value().grad().isfinite().all().item<bool>(), p.key().c_str());
    }
  }

  // Vision Mamba and Mamba-2 have no Python package to compare with here: the whole model computed
  // with Fovea's kernels is compared with the same model computed with the plain LibTorch
  // transcriptions of mamba_ssm's reference math (selective_scan_ref, causal_conv1d_ref; ssd_minimal is
  // the Mamba-2 scan in both), forward and backward. Bounds: 1e-5 logits, 1e-4 gradients (relative).
  void ssmModelsMatchTheReferenceTranscription_data() {
    QTest::addColumn<QString>("name");
    QTest::newRow("vim_tiny") << "vim_tiny";
    QTest::newRow("mamba2_tiny") << "mamba2_tiny";
  }
  void ssmModelsMatchTheReferenceTranscription() {
    QFETCH(QString, name);
    torch::manual_seed(5);
    auto model = build(name.toStdString(), 10, 3, 32);
    const at::Tensor x = torch::randn({2, 3, 32, 32});
    auto run = [&](bool reference) {
      model->zero_grad();
      std::optional<fovea::ops::UseReferenceOps> guard;
      if (reference) guard.emplace();
      const at::Tensor logits = model->forward(x);
      logits.pow(2).sum().backward();
      std::map<std::string, at::Tensor> grads;
      for (const auto& p : model->named_parameters()) grads[p.key()] = p.value().grad().clone();
      return std::make_pair(logits.detach(), grads);
    };
    const auto [kernel_logits, kernel_grads] = run(false);
    const auto [reference_logits, reference_grads] = run(true);
    auto relative = [](const at::Tensor& a, const at::Tensor& b) {
      return (a - b).abs().max().item<double>() / std::max(1e-30, b.abs().max().item<double>());
    };
    const double logit_error = relative(kernel_logits, reference_logits);
    double grad_error = 0;
    for (const auto& [key, grad] : reference_grads) grad_error = std::max(grad_error, relative(kernel_grads.at(key), grad));
    qInfo("%s: logits %.2e, worst parameter gradient %.2e", qPrintable(name), logit_error, grad_error);
    QVERIFY(logit_error < 1e-5);
    QVERIFY(grad_error < 1e-4);
  }

  // airbench's BatchNorm + GELU pairs through the fused op (channels_last, as GPU training feeds them) against
  // LibTorch's BatchNorm2d then gelu (UseReferenceOps): a conv group's training output, parameter gradients,
  // running statistics and batch count, then its evaluation output. Bounds 1e-5 outputs, 1e-4 gradients.
  void airbenchFusedNormMatchesLibTorch() {
    const auto layout = at::MemoryFormat::ChannelsLast;
    const at::Tensor x = torch::randn({6, 24, 12, 12}).contiguous(layout);
    const auto make = [&] {
      torch::manual_seed(4);
      fovea::models::AirbenchConvGroup group(24, 16, 0.6);
      torch::NoGradGuard no_grad;
      for (auto& p : group->parameters()) p.set_data(p.contiguous(p.dim() == 4 ? layout : at::MemoryFormat::Contiguous));
      for (auto& norm : {group->norm1, group->norm2}) norm->bias.normal_(0.0, 0.5);
      return group;
    };
    QVERIFY(fovea::ops::batch_norm_gelu_uses_kernel(fovea::ops::max_pool2x2(make()->conv1(x))));
    struct Run {
      at::Tensor train_out, eval_out;
      std::map<std::string, at::Tensor> tensors;  // gradients and buffers
    };
    const auto run = [&](bool reference) {
      std::optional<fovea::ops::UseReferenceOps> guard;
      if (reference) guard.emplace();
      auto group = make();
      Run r;
      r.train_out = group->forward(x);
      torch::manual_seed(1);
      (r.train_out * torch::randn(r.train_out.sizes())).sum().backward();
      for (const auto& p : group->named_parameters())
        if (p.value().grad().defined()) r.tensors["grad " + p.key()] = p.value().grad().clone();
      for (const auto& b : group->named_buffers()) r.tensors[b.key()] = b.value().clone();
      group->eval();
      torch::NoGradGuard no_grad;
      r.eval_out = group->forward(x);
      return r;
    };
    const Run fused = run(false), reference = run(true);
    const auto relative = [](const at::Tensor& a, const at::Tensor& b) {
      return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>() /
             std::max(1e-30, b.to(at::kDouble).abs().max().item<double>());
    };
    QVERIFY(relative(fused.train_out, reference.train_out) < 1e-5);
    QVERIFY(relative(fused.eval_out, reference.eval_out) < 1e-5);
    QCOMPARE(fused.tensors.size(), reference.tensors.size());
    QCOMPARE(fused.tensors.at("norm1.num_batches_tracked").item<int64_t>(), 1);
    for (const auto& [key, tensor] : reference.tensors) {
      const double error = relative(fused.tensors.at(key), tensor);
      QVERIFY2(error < (key.rfind("grad", 0) == 0 ? 1e-4 : 1e-5), (key + ": " + std::to_string(error)).c_str());
    }
  }

  // Patches drawn with a known covariance S = M M^T: the whitening filters must be S's eigenvectors
  // (largest eigenvalue first) scaled by 1/sqrt(eigenvalue), so that the first half of the conv maps the
  // patches to unit covariance, and the second half is the negative of the first.
  void airbenchWhiteningUsesPatchEigenvectors() {
    torch::manual_seed(11);
    fovea::models::AirbenchNet net(fovea::models::AirbenchOptions{});
    const at::Tensor mixing = torch::randn({12, 12}) + 2 * torch::eye(12);
    // Images of exactly one 2x2 patch each (3 x 2 x 2), so the patch set is known.
    const at::Tensor patches = torch::randn({200000, 12}).matmul(mixing.t());
    net->init_whitening(patches.reshape({-1, 3, 2, 2}), 0.0);
    const at::Tensor weight = net->whitening()->weight.reshape({24, 12});
    const at::Tensor first = weight.slice(0, 0, 12);
    QVERIFY(at::allclose(weight.slice(0, 12), -first));
    const at::Tensor covariance = patches.t().matmul(patches) / 200000.0;
    const at::Tensor whitened = first.matmul(covariance).matmul(first.t());
    QVERIFY2(at::allclose(whitened, torch::eye(12), 1e-3, 1e-3), "whitened patches do not have unit covariance");
    // Largest eigenvalue first: the first filter is the (scaled) top eigenvector.
    const auto [values, vectors] = torch::linalg_eigh(covariance, "U");
    const at::Tensor top = vectors.select(1, 11) / std::sqrt(values[11].item<double>());
    QVERIFY(at::allclose(first[0].abs(), top.abs(), 1e-4, 1e-4));
  }

  void cifarStemChangesOnlyTheStem() {
    auto model = build("resnet18", 7, 1);
    QCOMPARE(model->named_parameters()["conv1.weight"].sizes(), (at::IntArrayRef{64, 1, 7, 7}));
    ModelSpec spec{"resnet18", 7, 1, true};
    auto cifar = create_model(spec);
    QCOMPARE(cifar->named_parameters()["conv1.weight"].sizes(), (at::IntArrayRef{64, 1, 3, 3}));
    QCOMPARE(parameter_count(*cifar), parameter_count(*model) - 64 * (49 - 9));
  }

  void vitResamplesPositionEmbedding() {
    torch::manual_seed(1);
    auto model = build("vit_tiny", 10);
    model->eval();
    torch::NoGradGuard no_grad;
    QCOMPARE(model->forward(torch::randn({1, 3, 224, 224})).sizes(), (at::IntArrayRef{1, 10}));
    QCOMPARE(model->forward(torch::randn({1, 3, 288, 160})).sizes(), (at::IntArrayRef{1, 10}));  // 18 x 10 patches
  }

  // The fused residual-add + LayerNorm (models/ops/add_layer_norm_op.h) against LibTorch's add and
  // layer_norm, then ViT-Ti's inference with it against the plain forward.
  void fusedAddLayerNormMatchesAddThenNorm() {
    torch::manual_seed(3);
    const at::Tensor residual = torch::randn({2, 197, 192}) * 3 + 1, branch = torch::randn({2, 197, 192});
    const at::Tensor weight = torch::randn({192}), bias = torch::randn({192});
    const auto fused = fovea::ops::add_layer_norm(residual, branch, weight, bias, 1e-6);
    const at::Tensor sum = residual + branch;
    QVERIFY(torch::equal(fused.residual, sum));
    const at::Tensor expected = torch::layer_norm(sum, {192}, weight, bias, 1e-6);
    QVERIFY((fused.normalized - expected).abs().max().item<double>() < 1e-5);
    const auto first = fovea::ops::add_layer_norm(residual, {}, weight, bias, 1e-6);  // no branch: norm only
    QVERIFY(torch::equal(first.residual, residual));
    QVERIFY((first.normalized - torch::layer_norm(residual, {192}, weight, bias, 1e-6)).abs().max().item<double>() < 1e-5);

    auto model = build("vit_tiny", 10);
    model->eval();
    torch::NoGradGuard no_grad;
    const at::Tensor images = torch::randn({2, 3, 224, 224});
    const at::Tensor plain = model->forward(images);
    auto* vit = dynamic_cast<ViTImpl*>(model.get());
    QVERIFY(vit != nullptr);
    vit->set_fused_add_norm(true);
    const at::Tensor with_fusion = model->forward(images);
    vit->set_fused_add_norm(false);
    const double difference = (with_fusion - plain).abs().max().item<double>();
    QVERIFY2(difference < 1e-4 * std::max(1.0, plain.abs().max().item<double>()), std::to_string(difference).c_str());
  }

  // Fovea's 2x2 max pooling (models/ops/max_pool2x2_op.h, one byte per window for the backward) against
  // LibTorch's max_pool2d: the same output and the same gradient, for channels_last float32 and bf16, even
  // and odd sizes, ties (small integers: the first maximum wins) and NaNs (a NaN wins, as in LibTorch).
  void maxPool2x2MatchesLibTorch() {
    torch::manual_seed(5);
    struct Case {
      int64_t n, c, h, w;
      at::ScalarType type;
    };
    for (const Case& k : {Case{2, 16, 8, 8, at::kFloat}, Case{3, 5, 7, 9, at::kFloat}, Case{2, 24, 6, 10, at::kBFloat16},
                          Case{1, 3, 5, 5, at::kBFloat16}}) {
      at::Tensor x = torch::randint(0, 4, {k.n, k.c, k.h, k.w}).to(k.type);
      x.view(-1).index_put_({torch::randint(0, x.numel(), {3})}, std::numeric_limits<float>::quiet_NaN());
      x = x.contiguous(at::MemoryFormat::ChannelsLast);
      QVERIFY(fovea::ops::max_pool2x2_uses_kernel(x));
      const at::Tensor ours_in = x.clone().requires_grad_(true), theirs_in = x.clone().requires_grad_(true);
      const at::Tensor ours = fovea::ops::max_pool2x2(ours_in), theirs = torch::max_pool2d(theirs_in, 2);
      QCOMPARE(ours.sizes(), theirs.sizes());
      QVERIFY(ours.is_contiguous(at::MemoryFormat::ChannelsLast));
      QVERIFY(torch::equal(ours.isnan(), theirs.isnan()));
      QVERIFY(torch::equal(ours.nan_to_num(), theirs.nan_to_num()));
      const at::Tensor upstream = torch::randn(ours.sizes()).to(k.type);
      ours.backward(upstream);
      theirs.backward(upstream);
      QVERIFY2(torch::equal(ours_in.grad(), theirs_in.grad()),
               ("gradients differ for " + std::to_string(k.h) + "x" + std::to_string(k.w)).c_str());
    }
    // The backward writes every element of the gradient itself, the odd last row and column included:
    // a buffer full of NaNs comes back with no NaN left (the op needs no zero fill before the kernel).
    {
      const int64_t n = 2, h = 5, w = 7, c = 3;
      const at::Tensor x = torch::randn({n, h, w, c});
      at::Tensor out = torch::empty({n, h / 2, w / 2, c}), grad_out = torch::randn({n, h / 2, w / 2, c});
      at::Tensor argmax = torch::empty({n, h / 2, w / 2, c}, at::kByte);
      at::Tensor grad_in = torch::full({n, h, w, c}, std::numeric_limits<float>::quiet_NaN());
      fovea::kernels::MaxPool2x2Params p;
      p.batch = n, p.height = h, p.width = w, p.channels = c;
      p.input = x.data_ptr(), p.output = out.data_ptr(), p.argmax = argmax.data_ptr<uint8_t>();
      fovea::kernels::max_pool2x2_forward_cpu(p, 0, n);
      fovea::kernels::MaxPool2x2Grads g;
      g.grad_output = grad_out.data_ptr(), g.argmax = argmax.data_ptr<uint8_t>(), g.grad_input = grad_in.data_ptr();
      fovea::kernels::max_pool2x2_backward_cpu(p, g, 0, n);
      QVERIFY(!grad_in.isnan().any().item<bool>());
      QVERIFY(grad_in.select(1, h - 1).eq(0).all().item<bool>());
      QVERIFY(grad_in.select(2, w - 1).eq(0).all().item<bool>());
      QVERIFY(torch::allclose(grad_in.sum(), grad_out.sum()));
    }
    const at::Tensor plain = torch::randn({2, 3, 6, 6});  // NCHW: LibTorch's own pooling
    QVERIFY(!fovea::ops::max_pool2x2_uses_kernel(plain));
    QVERIFY(torch::equal(fovea::ops::max_pool2x2(plain), torch::max_pool2d(plain, 2)));
  }

  // The whitening layer's kernel (models/ops/patch_conv_op.h: gelu(conv2d + bias), only the bias trains)
  // against LibTorch's conv2d and gelu: output and bias gradient, for airbench's RGB and grey shapes and
  // one the kernels compile at run time.
  void patchConvGeluMatchesLibTorch() {
    torch::manual_seed(6);
    struct Case {
      int64_t in, out, k, h, w;
    };
    for (const Case& c : {Case{3, 24, 2, 9, 7}, Case{1, 8, 2, 6, 6}, Case{1, 5, 3, 8, 5}, Case{2, 5, 2, 7, 4}}) {
      const at::Tensor x = torch::randn({3, c.in, c.h, c.w}).contiguous(at::MemoryFormat::ChannelsLast);
      const at::Tensor weight = torch::randn({c.out, c.in, c.k, c.k}) * 0.5;
      const at::Tensor ours_bias = torch::randn({c.out}).requires_grad_(true);
      const at::Tensor theirs_bias = ours_bias.detach().clone().requires_grad_(true);
      QVERIFY(fovea::ops::patch_conv_gelu_uses_kernel(x, weight));
      const at::Tensor ours = fovea::ops::patch_conv_gelu(x, weight, ours_bias);
      const at::Tensor theirs = torch::gelu(torch::conv2d(x, weight, theirs_bias));
      QCOMPARE(ours.sizes(), theirs.sizes());
      QVERIFY(ours.is_contiguous(at::MemoryFormat::ChannelsLast));
      QVERIFY2((ours - theirs).abs().max().item<double>() < 1e-5, std::to_string(c.in).c_str());
      const at::Tensor upstream = torch::randn(ours.sizes());
      ours.backward(upstream);
      theirs.backward(upstream);
      const double scale = theirs_bias.grad().abs().max().item<double>();
      QVERIFY((ours_bias.grad() - theirs_bias.grad()).abs().max().item<double>() < 1e-4 * scale);
    }
    const at::Tensor trainable = torch::randn({4, 3, 2, 2}).requires_grad_(true);  // a training weight: LibTorch
    QVERIFY(!fovea::ops::patch_conv_gelu_uses_kernel(torch::randn({1, 3, 5, 5}).contiguous(at::MemoryFormat::ChannelsLast), trainable));
  }

  void matchesPythonReferenceOnFormulaWeights_data() {
    QTest::addColumn<QString>("name");
    QTest::newRow("resnet18") << "resnet18";
    QTest::newRow("vit_tiny") << "vit_tiny";
  }
  void matchesPythonReferenceOnFormulaWeights() {
    QFETCH(QString, name);
    const QString path = QStringLiteral(FOVEA_TEST_FIXTURES "/parity/%1_formula.json").arg(name);
    std::ifstream in(path.toStdString());
    QVERIFY2(in, qPrintable("missing fixture " + path));
    const auto fixture = nlohmann::json::parse(in);
    auto model = build(name.toStdString());
    fovea::testing::fill_with_formula(*model);
    model->eval();
    torch::NoGradGuard no_grad;
    const auto shape = fixture["input_shape"].get<std::vector<int64_t>>();
    const at::Tensor logits = model->forward(fovea::testing::formula_input(shape));
    const auto expected_rows = fixture["logits"].get<std::vector<std::vector<float>>>();
    const at::Tensor expected = torch::stack({torch::tensor(expected_rows[0]), torch::tensor(expected_rows[1])});
    const double error = (logits - expected).abs().max().item<double>() / expected.abs().max().item<double>();
    qInfo("%s: max |dlogit| / max |logit| = %.3g (%s)", qPrintable(name), error,
          fixture["reference"].get<std::string>().c_str());
    QVERIFY(error < 1e-4);
    QVERIFY(at::equal(logits.argmax(1), expected.argmax(1)));
  }
};

QTEST_GUILESS_MAIN(ModelsTest)
#include "test_models.moc"
