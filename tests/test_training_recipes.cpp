// The pieces of a training recipe against hand-computed values on tiny problems: each optimizer's step
// (with parameter groups), each learning-rate schedule, mixup/CutMix, the weight average (EMA),
// test-time augmentation, padding grey images to RGB, and the presets.
#include <QtTest>

#include <ATen/ATen.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/optimizer.h>

#include <cmath>

#include "engine/data/tensor_dataset.h"
#include "engine/device.h"
#include "engine/errors.h"
#include "engine/saliency.h"
#include "engine/training/batch_mixing.h"
#include "engine/training/lr_schedule.h"
#include "engine/training/optimizer_factory.h"
#include "engine/training/precise_bn.h"
#include "engine/training/presets.h"
#include "engine/training/test_time_augmentation.h"
#include "engine/training/weight_ema.h"
#include "engine/training/weight_lookahead.h"
#include "models/image_classifier.h"
#include "test_support.h"

using namespace fovea::engine;

namespace {

// y = W x + b with a 2x2 W: small enough to step by hand. The head is "fc"; "body" is the backbone.
class TinyNet : public fovea::models::ImageClassifier {
 public:
  TinyNet() {
    body = register_module("body", torch::nn::Linear(2, 2));
    fc = register_module("fc", torch::nn::Linear(2, 2));
    torch::NoGradGuard no_grad;
    body->weight.copy_(at::tensor({1.0f, 2.0f, -1.0f, 0.5f}).view({2, 2}));
    body->bias.copy_(at::tensor({0.5f, -0.5f}));
    fc->weight.copy_(at::tensor({0.3f, -0.2f, 0.1f, 0.4f}).view({2, 2}));
    fc->bias.copy_(at::tensor({0.0f, 0.1f}));
  }
  torch::Tensor forward(torch::Tensor x) override { return fc(body(x.flatten(1))); }
  std::string head_name() const override { return "fc"; }
  torch::nn::Linear body{nullptr}, fc{nullptr};
};

// One step on a fixed gradient: every parameter's gradient is set to `g` (the same for all).
void step_with_gradient(TrainOptimizer& o, TinyNet& net, float g) {
  for (auto& p : net.parameters()) p.mutable_grad() = at::full_like(p, g);
  o.optimizer->step();
}

// TinyNet's shape with a BatchNorm between body and head, for norm-bias groups and averaged statistics.
class NormNet : public fovea::models::ImageClassifier {
 public:
  NormNet() {
    body = register_module("body", torch::nn::Linear(2, 2));
    norm = register_module("norm", torch::nn::BatchNorm1d(2));
    fc = register_module("fc", torch::nn::Linear(2, 2));
  }
  torch::Tensor forward(torch::Tensor x) override { return fc(norm(body(x.flatten(1)))); }
  std::string head_name() const override { return "fc"; }
  torch::nn::Linear body{nullptr}, fc{nullptr};
  torch::nn::BatchNorm1d norm{nullptr};
};

bool close(const at::Tensor& a, const at::Tensor& b, double tolerance = 1e-6) {
  return a.sizes() == b.sizes() && (a - b).abs().max().item<double>() <= tolerance;
}

}  // namespace

class TrainingRecipesTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  // SGD with Nesterov momentum, weight decay on 2-D weights only, the backbone at half the rate:
  // first step p -= lr * (g + wd p) * (1 + momentum) (the buffer starts at the gradient).
  void sgdNesterovWithGroups() {
    TinyNet net;
    TrainConfig c;
    c.optimizer = OptimizerKind::Sgd;
    c.learning_rate = 0.1;
    c.momentum = 0.9;
    c.nesterov = true;
    c.weight_decay = 0.01;
    c.decay_norms_and_biases = false;
    c.backbone_lr_scale = 0.5;
    TrainOptimizer o = make_optimizer(c, net);
    QCOMPARE(o.optimizer->param_groups().size(), size_t{4});
    o.set_learning_rate(0.1);
    const at::Tensor w0 = net.body->weight.detach().clone(), b0 = net.fc->bias.detach().clone();
    step_with_gradient(o, net, 1.0f);
    QVERIFY(close(net.body->weight, w0 - 0.05 * (1.0 + 0.01 * w0) * 1.9));  // backbone: lr 0.05, decayed
    QVERIFY(close(net.fc->bias, b0 - 0.1 * 1.0 * 1.9));                     // head bias: lr 0.1, no decay
  }

  // airbench's bias_scaler: the norm's bias learns 64 times faster with its decay divided by 64, so one
  // plain SGD step takes b - 64 lr g - lr wd b; the norm's scale and the other weights keep lr and wd.
  void normBiasesGetTheirOwnRate() {
    NormNet net;
    TrainConfig c;
    c.optimizer = OptimizerKind::Sgd;
    c.momentum = 0;
    c.weight_decay = 0.01;
    c.norm_bias_lr_scale = 64;
    TrainOptimizer o = make_optimizer(c, net);
    QCOMPARE(o.optimizer->param_groups().size(), size_t{3});  // backbone, head, norm biases
    o.set_learning_rate(0.001);
    {
      torch::NoGradGuard no_grad;
      net.norm->bias.fill_(0.5);
      net.norm->weight.fill_(2.0);
    }
    const at::Tensor w0 = net.body->weight.detach().clone();
    for (auto& p : net.parameters()) p.mutable_grad() = at::full_like(p, 1.0f);
    o.optimizer->step();
    QVERIFY(close(net.norm->bias, at::full({2}, 0.5 - 64 * 0.001 * 1.0 - 0.001 * 0.01 * 0.5)));
    QVERIFY(close(net.norm->weight, at::full({2}, 2.0 - 0.001 * (1.0 + 0.01 * 2.0))));
    QVERIFY(close(net.body->weight, w0 - 0.001 * (1.0 + 0.01 * w0)));
    c.norm_bias_lr_scale = 1;  // no group of its own unless the rate differs
    QCOMPARE(make_optimizer(c, net).optimizer->param_groups().size(), size_t{2});
  }

  // Adam's first step moves every parameter by lr (bias-corrected m / sqrt(v) = sign(g));
  // AdamW also shrinks decayed parameters by lr * wd first, Adam adds wd * p to the gradient.
  void adamAndAdamwFirstStep() {
    for (OptimizerKind kind : {OptimizerKind::Adam, OptimizerKind::AdamW}) {
      TinyNet net;
      TrainConfig c;
      c.optimizer = kind;
      c.learning_rate = 0.01;
      c.weight_decay = 0.1;
      c.decay_norms_and_biases = false;
      TrainOptimizer o = make_optimizer(c, net);
      o.set_learning_rate(0.01);
      const at::Tensor w0 = net.fc->weight.detach().clone(), b0 = net.fc->bias.detach().clone();
      step_with_gradient(o, net, 0.5f);
      const double eps = 1e-8 / 0.5;  // Adam's eps relative to |g|, visible at float precision only
      if (kind == OptimizerKind::AdamW) {
        QVERIFY(close(net.fc->weight, w0 * (1 - 0.01 * 0.1) - 0.01, 1e-6));
      } else {
        QVERIFY(close(net.fc->weight, w0 - 0.01 * (1 - eps), 1e-6));  // g + wd p > 0: still a step of lr
      }
      QVERIFY(close(net.fc->bias, b0 - 0.01, 1e-6));  // biases are not decayed in either
    }
  }

  void schedulesAtKnownSteps() {
    ScheduleShape s;
    s.total_steps = 100;
    s.warmup_steps = 10;
    s.kind = LrSchedule::Cosine;
    QCOMPARE(learning_rate_at(s, 1.0, 0), 0.1);
    QCOMPARE(learning_rate_at(s, 1.0, 9), 1.0);
    QCOMPARE(learning_rate_at(s, 1.0, 10), 1.0);
    QVERIFY(std::abs(learning_rate_at(s, 1.0, 55) - 0.5) < 1e-12);  // halfway through the decay
    s.kind = LrSchedule::Linear;
    QVERIFY(std::abs(learning_rate_at(s, 2.0, 55) - 1.0) < 1e-12);
    QVERIFY(std::abs(learning_rate_at(s, 2.0, 100)) < 1e-12);
    s.kind = LrSchedule::Constant;
    QCOMPARE(learning_rate_at(s, 2.0, 99), 2.0);
    s.kind = LrSchedule::Step;
    s.warmup_steps = 0;
    s.decay_every = 30;
    s.gamma = 0.1;
    QCOMPARE(learning_rate_at(s, 1.0, 29), 1.0);
    QVERIFY(std::abs(learning_rate_at(s, 1.0, 30) - 0.1) < 1e-15);
    QVERIFY(std::abs(learning_rate_at(s, 1.0, 65) - 0.01) < 1e-15);

    // airbench94's triangle, np.interp(step, [0, 109, 476], [0.2, 1, 0.07]); cosine ends at the fraction too.
    ScheduleShape triangle;
    triangle.kind = LrSchedule::Linear;
    triangle.total_steps = 476;
    triangle.warmup_steps = 109;
    triangle.warmup_from = 0.2;
    triangle.final_fraction = 0.07;
    QVERIFY(std::abs(learning_rate_at(triangle, 1.0, 0) - 0.2) < 1e-15);
    QVERIFY(std::abs(learning_rate_at(triangle, 1.0, 50) - (0.2 + 0.8 * 50.0 / 109.0)) < 1e-15);
    QVERIFY(std::abs(learning_rate_at(triangle, 1.0, 109) - 1.0) < 1e-15);
    QVERIFY(std::abs(learning_rate_at(triangle, 1.0, 300) - (1.0 - 0.93 * 191.0 / 367.0)) < 1e-15);
    QVERIFY(std::abs(learning_rate_at(triangle, 2.0, 476) - 0.14) < 1e-15);
    triangle.kind = LrSchedule::Cosine;
    QVERIFY(std::abs(learning_rate_at(triangle, 1.0, 476) - 0.07) < 1e-15);

    // Fractional epochs: airbench94's 9.9 of 48 steps are 476 steps in 10 epochs; no rounding up of a
    // product that floating point puts a hair above a whole number (9.9 * 50).
    TrainConfig fractional;
    fractional.epochs = 9.9;
    QCOMPARE(total_train_steps(fractional, 48), int64_t{476});
    QCOMPARE(total_train_steps(fractional, 50), int64_t{495});
    QCOMPARE(epoch_count(fractional), 10);
    fractional.epochs = 3;
    QCOMPARE(total_train_steps(fractional, 48), int64_t{144});
    QCOMPARE(epoch_count(fractional), 3);

    TrainConfig c;
    c.epochs = 4;
    c.warmup_epochs = 0.5;
    c.schedule = LrSchedule::Step;
    c.step_epochs = 2;
    const ScheduleShape from_config = schedule_shape(c, 10);
    QCOMPARE(from_config.total_steps, int64_t{40});
    QCOMPARE(from_config.warmup_steps, int64_t{5});
    QCOMPARE(from_config.decay_every, int64_t{20});
  }

  // Mixup blends each image with its partner by lambda; CutMix pastes a box and lambda is the kept area.
  // The same draw mixes the same way.
  void mixupAndCutmix() {
    const at::Tensor images = at::rand({8, 3, 16, 16}, at::kFloat), labels = at::arange(8, at::kLong);
    MixedBatch mixup = mix_batch(images, labels, {0.4, 0, 7}, 3);
    QVERIFY(mixup.lambda > 0 && mixup.lambda < 1);
    QVERIFY(!at::equal(mixup.partner, labels));
    const at::Tensor partner_images = images.index_select(0, mixup.partner);  // labels are the indices
    QVERIFY(close(mixup.images, images * mixup.lambda + partner_images * (1 - mixup.lambda), 1e-6));
    const MixedBatch again = mix_batch(images, labels, {0.4, 0, 7}, 3);
    QCOMPARE(again.lambda, mixup.lambda);
    QVERIFY(at::equal(again.images, mixup.images));

    const MixedBatch cutmix = mix_batch(images, labels, {0, 1.0, 7}, 4);
    const at::Tensor from_original = cutmix.images.eq(images).all(1);  // [8, 16, 16]
    const double kept = from_original[0].to(at::kDouble).mean().item<double>();
    QVERIFY(std::abs(kept - cutmix.lambda) < 1e-9 || cutmix.partner[0].item<int64_t>() == 0);
    QVERIFY(cutmix.lambda >= 0 && cutmix.lambda <= 1);

    const at::Tensor logits = at::randn({8, 8});
    const double expected =
        cutmix.lambda * at::cross_entropy_loss(logits, labels, {}, at::Reduction::Mean, -100, 0.1).item<double>() +
        (1 - cutmix.lambda) * at::cross_entropy_loss(logits, cutmix.partner, {}, at::Reduction::Mean, -100, 0.1).item<double>();
    QVERIFY(std::abs(mixed_cross_entropy(logits, cutmix, 0.1).item<double>() - expected) < 1e-5);
  }

  // ema = d * ema + (1 - d) * w after each update; it starts as a copy.
  void weightAverage() {
    TinyNet net;
    auto average = std::make_shared<TinyNet>();
    {
      torch::NoGradGuard no_grad;
      average->fc->weight.zero_();  // must be overwritten by the copy
    }
    WeightEma ema(average, net, 0.9);
    QVERIFY(close(average->fc->weight, net.fc->weight));
    const at::Tensor before = net.fc->weight.detach().clone();
    {
      torch::NoGradGuard no_grad;
      net.fc->weight.add_(1.0);
    }
    ema.update(net);
    QVERIFY(close(average->fc->weight, before * 0.9 + (before + 1.0) * 0.1, 1e-6));
    const auto saved = ema.state_tensors();
    QVERIFY(saved.count("ema/fc.weight") == 1);
    TinyNet other;
    WeightEma restored(std::make_shared<TinyNet>(), other, 0.9);
    restored.restore(saved, "test");
    QVERIFY(close(restored.model().named_parameters()["fc.weight"], average->fc->weight));
    QVERIFY(fovea::testing::error_of([&] { restored.restore({}, "run.safetensors"); }).find("run.safetensors") !=
            std::string::npos);
  }

  // airbench's lookahead, every 2 steps from step 3 of 10: step 4 starts the average, step 6 moves it
  // (1 - rho) of the way to the weights, rho = 0.95^2 * 0.6^3, and sets the weights to it; BatchNorm's
  // running statistics are averaged, its batch count is not; an epoch's end sets the weights to it again.
  void lookaheadAveragesAndSetsTheWeights() {
    NormNet net;
    WeightLookahead lookahead(2, 3, 10);
    const auto shift = [&](float by) {
      torch::NoGradGuard no_grad;
      for (auto& p : net.parameters()) p.add_(by);
      net.norm->running_mean.add_(by);
      net.norm->num_batches_tracked.add_(1);
    };
    lookahead.after_step(net, 2);
    lookahead.after_step(net, 3);
    QVERIFY(!lookahead.started());
    const at::Tensor w4 = net.fc->weight.detach().clone(), mean4 = net.norm->running_mean.clone();
    lookahead.after_step(net, 4);
    QVERIFY(lookahead.started());
    QVERIFY(close(net.fc->weight, w4));  // starting changes nothing
    shift(1.0f);
    lookahead.after_step(net, 5);        // not a lookahead step
    QVERIFY(close(net.fc->weight, w4 + 1.0));
    lookahead.after_step(net, 6);
    const double rho = 0.95 * 0.95 * 0.6 * 0.6 * 0.6;
    QVERIFY(std::abs(lookahead.decay_at(6) - rho) < 1e-15);
    const at::Tensor w6 = w4 + (1.0 - rho) * 1.0;
    QVERIFY(close(net.fc->weight, w6));
    QVERIFY(close(net.norm->running_mean, mean4 + (1.0 - rho)));
    QCOMPARE(net.norm->num_batches_tracked.item<int64_t>(), int64_t{1});
    shift(3.0f);
    lookahead.end_epoch(net);
    QVERIFY(close(net.fc->weight, w6));

    // Resumed at an epoch's end: started iff step 4 (the first even step from 3) was done.
    WeightLookahead resumed(2, 3, 10);
    resumed.resume(net, 3);
    QVERIFY(!resumed.started());
    resumed.resume(net, 4);
    QVERIFY(resumed.started());
    shift(1.0f);
    resumed.end_epoch(net);
    QVERIFY(close(net.fc->weight, w6));  // the average taken at the resume
  }

  // Level 1 averages an image with its mirror: a mirror-symmetric image gives the plain logits.
  void testTimeAugmentation() {
    TinyNet net;
    const at::Tensor symmetric = at::tensor({1.0f, 1.0f}).view({1, 1, 1, 2});
    QVERIFY(close(logits_with_tta(net, symmetric, 1), net.forward(symmetric), 1e-6));
    const at::Tensor skewed = at::tensor({1.0f, 3.0f}).view({1, 1, 1, 2});
    const at::Tensor expected = 0.5 * (net.forward(skewed) + net.forward(skewed.flip({3})));
    QVERIFY(close(logits_with_tta(net, skewed, 1), expected, 1e-6));
    QVERIFY(close(logits_with_tta(net, skewed, 0), net.forward(skewed)));
  }

  // Grey 2x2 images padded to 4x4 and repeated to RGB: the statistics are those of the new pixels.
  // Precise BN: the running statistics become those of the given images (the whole batches of them),
  // whatever they were; momentum, the batch counter and the model's mode are left as they were.
  void preciseBatchNormStatistics() {
    torch::nn::BatchNorm2d norm(torch::nn::BatchNorm2dOptions(3).momentum(0.1));
    torch::nn::Sequential net(norm);
    net->eval();
    const at::Tensor scale = at::tensor({1.0f, 2.0f, 3.0f}).view({1, 3, 1, 1});
    const at::Tensor shift = at::tensor({0.5f, -1.0f, 2.0f}).view({1, 3, 1, 1});
    // Batches with different means, so that the variance of the batch means matters.
    const at::Tensor images = at::randn({70, 3, 5, 7}) * scale + shift + at::arange(70).view({70, 1, 1, 1}) / 35.0;
    const int64_t tracked = norm->num_batches_tracked.item<int64_t>();
    const int updated = recompute_batch_norm_statistics(
        *net, [&](const at::Tensor& x) { net->forward(x); }, images, 16);
    QCOMPARE(updated, 1);
    const at::Tensor used = images.narrow(0, 0, 64).to(at::kDouble);  // 4 batches of 16; the last 6 images left out
    QVERIFY(at::allclose(norm->running_mean.to(at::kDouble), used.mean({0, 2, 3}), 0, 1e-5));
    // Each batch's variance is unbiased over 16 x 35 values: within 0.2 % of the population's.
    QVERIFY(at::allclose(norm->running_var.to(at::kDouble), used.var({0, 2, 3}, false), 4e-3, 0));
    QVERIFY(!at::allclose(norm->running_var.to(at::kDouble), used.narrow(0, 48, 16).var({0, 2, 3}, false), 4e-3, 0));
    QCOMPARE(norm->options.momentum().value(), 0.1);
    QCOMPARE(norm->num_batches_tracked.item<int64_t>(), tracked);
    QVERIFY(!net->is_training());
    // No BatchNorm, or fewer images than a batch: nothing to do.
    torch::nn::Sequential plain(torch::nn::Linear(3, 2));
    QCOMPARE(recompute_batch_norm_statistics(*plain, [&](const at::Tensor&) {}, images, 16), 0);
  }

  void padToRgbKeepsExactStatistics() {
    TensorDataset data;
    data.info.height = data.info.width = 2;
    data.info.channels = 1;
    data.train.images = at::tensor({10, 20, 30, 40, 50, 60, 70, 80}, at::kByte).view({2, 2, 2, 1});
    data.train.labels = at::zeros({2}, at::kLong);
    const at::Tensor unit = data.train.images.to(at::kDouble) / 255;
    data.mean[0] = static_cast<float>(unit.mean().item<double>());
    data.std[0] = static_cast<float>(unit.std(false).item<double>());
    reshape_images(data, 4, true);
    QCOMPARE(data.train.images.sizes(), (at::IntArrayRef{2, 4, 4, 3}));
    QCOMPARE(data.train.images[0][1][1][2].item<int>(), 10);
    QCOMPARE(data.train.images[0][0][0][0].item<int>(), 0);
    const at::Tensor padded = data.train.images.select(3, 0).to(at::kDouble) / 255;
    QVERIFY(std::abs(data.mean[2] - padded.mean().item<double>()) < 1e-6);
    QVERIFY(std::abs(data.std[1] - padded.std(false).item<double>()) < 1e-6);
    QCOMPARE(data.info.channels, int64_t{3});
  }

  // With a linear head on the feature map's mean, Grad-CAM is that map weighted by the class's head
  // weight: here the features are the image itself, so the heat map is the image scaled to [0, 1], and a
  // class with a negative weight finds no evidence anywhere.
  void gradCamOfAKnownModel() {
    struct Identity : fovea::models::ImageClassifier {
      torch::Tensor forward(torch::Tensor x) override { return forward_with_features(x).logits; }
      FeaturesAndLogits forward_with_features(torch::Tensor x) override {
        const torch::Tensor features = x * 1.0;
        const torch::Tensor pooled = features.mean({1, 2, 3});
        return {features, at::stack({pooled * 2.0, pooled * -1.0}, 1)};
      }
      std::string head_name() const override { return "fc"; }
    } model;
    at::Tensor image = at::zeros({1, 1, 8, 8});
    image.slice(2, 2, 4).slice(3, 5, 7).fill_(3.0);
    image[0][0][6][1] = 1.5;
    const auto heat = grad_cam(model, image, 0);
    QVERIFY(heat.has_value());
    QCOMPARE(heat->sizes(), (at::IntArrayRef{8, 8}));
    QVERIFY(close(*heat, image[0][0] / 3.0, 1e-6));
    QCOMPARE(grad_cam(model, image, 1)->max().item<float>(), 0.0f);
    TinyNet no_feature_map;
    QVERIFY(!grad_cam(no_feature_map, at::zeros({1, 2, 1, 1}), 0).has_value());
  }

  // Running out of memory becomes advice with the batch size; other errors are left alone.
  void outOfMemoryAdvice() {
    const std::string cuda = out_of_memory_advice(
        std::runtime_error("CUDA out of memory. Tried to allocate 20.00 GiB. GPU 0 has 3 GiB free.\nmore"), "training", 512);
    QVERIFY(cuda.find("batch size 512") != std::string::npos);
    QVERIFY(cuda.find("batch size of 256") != std::string::npos);
    QVERIFY(cuda.find("Tried to allocate 20.00 GiB") != std::string::npos);
    QVERIFY(cuda.find("(CUDA out of memory. Tried to allocate 20.00 GiB)") != std::string::npos);  // two sentences
    const c10::OutOfMemoryError typed({"f", "file", 1}, "allocation failed");
    QVERIFY(!out_of_memory_advice(typed, "evaluating", 1).empty());
    QVERIFY(out_of_memory_advice(std::runtime_error("shape mismatch"), "training", 64).empty());
  }

  void presetsApplyAndValidate() {
    for (const TrainPreset& preset : train_presets()) {
      TrainConfig c;
      c.data_path = "/data";
      c.device = "cuda";
      apply_preset(preset.name, c);
      validate(c);
      QCOMPARE(c.preset, preset.name);
      QCOMPARE(c.data_path, std::string("/data"));  // the user's data and device stay
      QCOMPARE(c.device, std::string("cuda"));
    }
    TrainConfig c;
    apply_preset("resnet18-cifar-adam", c);
    QCOMPARE(c.learning_rate, 0.01);
    QCOMPARE(c.batch_size, int64_t{256});
    QCOMPARE(c.epochs, 8.0);
    QCOMPARE(c.precise_bn, int64_t{8192});
    QVERIFY(!c.flip_idx);
    apply_preset("fast-cifar", c);
    QCOMPARE(c.model, std::string("airbench94"));
    QCOMPARE(c.label_smoothing, 0.2);
    QCOMPARE(c.precise_bn, int64_t{0});  // nothing of the previous preset stays
    QVERIFY(c.flip_idx);
    // airbench94's hyperparameters on a mean loss: lr 11.5 * 1024 / (1024 * (1 + 1 / 0.15)) = 1.5, weight
    // decay (0.0153 * 1024 / k) / (11.5 / k) / 1024 = 0.0153 / 11.5 (PyTorch's coupled decay).
    QVERIFY(std::abs(c.learning_rate - 1.5) < 1e-12);
    QVERIFY(std::abs(c.weight_decay - 0.0153 / 11.5) < 1e-15);
    QCOMPARE(c.norm_bias_lr_scale, 64.0);
    QCOMPARE(c.lookahead_every, 5);
    QCOMPARE(c.ema_decay, 0.0);
    QCOMPARE(c.warmup_from, 0.2);
    QCOMPARE(c.final_lr_fraction, 0.07);
    apply_preset("vit-finetune", c);
    QVERIFY(!c.flip_idx);
    QCOMPARE(c.lookahead_every, 0);
    QCOMPARE(c.norm_bias_lr_scale, 1.0);
    QVERIFY(fovea::testing::error_of([&] { apply_preset("nope", c); }).find("fast-cifar") != std::string::npos);
  }
};

QTEST_GUILESS_MAIN(TrainingRecipesTest)
#include "test_training_recipes.moc"
