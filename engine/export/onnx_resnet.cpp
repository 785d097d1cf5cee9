#include <torch/nn/modules/batchnorm.h>

#include "engine/export/onnx_models.h"
#include "models/resnet.h"

namespace fovea::engine::onnx_export {
namespace {

class ResNetWriter {
 public:
  ResNetWriter(GraphBuilder& g, const models::ResNetImpl& model, const Weights& w) : g_(g), model_(model), w_(w) {}

  // Conv (no bias, padding k/2) then BatchNorm in eval mode, as one Conv:
  // w' = w * s, b' = beta - mean * s, with s = gamma / sqrt(var + eps).
  std::string conv_bn(const std::string& x, const std::string& conv, const std::string& bn, int64_t stride, bool relu) {
    const at::Tensor& cw = weight(w_, conv + ".weight");
    const at::Tensor s = weight(w_, bn + ".weight").to(at::kDouble) /
                         (weight(w_, bn + ".running_var").to(at::kDouble) + eps_of(bn)).sqrt();
    const at::Tensor folded = cw.to(at::kDouble) * s.reshape({-1, 1, 1, 1});
    const at::Tensor bias = weight(w_, bn + ".bias").to(at::kDouble) - weight(w_, bn + ".running_mean").to(at::kDouble) * s;
    const int64_t k = cw.size(2), pad = k / 2;
    std::string y = g_.node("Conv",
                            {x, g_.initializer(conv + ".weight_bn_folded", folded), g_.initializer(conv + ".bias_bn_folded", bias)},
                            conv, {{"kernel_shape", std::vector<int64_t>{k, k}}, {"strides", std::vector<int64_t>{stride, stride}},
                                   {"pads", std::vector<int64_t>{pad, pad, pad, pad}}});
    return relu ? g_.node("Relu", {y}, conv + ".relu") : y;
  }

  // torchvision's BasicBlock / Bottleneck (V1.5: the stride sits in the 3x3 conv).
  std::string block(const std::string& x, const std::string& p, int64_t stride) {
    const bool bottleneck = model_.options().block == models::ResNetBlock::Bottleneck;
    std::string y = conv_bn(x, p + "conv1", p + "bn1", bottleneck ? 1 : stride, true);
    y = conv_bn(y, p + "conv2", p + "bn2", bottleneck ? stride : 1, bottleneck);
    if (bottleneck) y = conv_bn(y, p + "conv3", p + "bn3", 1, false);
    const std::string identity =
        w_.count(p + "downsample.0.weight") ? conv_bn(x, p + "downsample.0", p + "downsample.1", stride, false) : x;
    return g_.node("Relu", {g_.node("Add", {y, identity}, p + "add")}, p + "relu");
  }

  void write(const std::string& images) {
    const auto& o = model_.options();
    std::string x = conv_bn(images, "conv1", "bn1", o.cifar_stem ? 1 : 2, true);
    if (!o.cifar_stem) {
      x = g_.node("MaxPool", {x}, "maxpool",
                  {{"kernel_shape", std::vector<int64_t>{3, 3}}, {"strides", std::vector<int64_t>{2, 2}},
                   {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
    }
    for (size_t layer = 0; layer < o.layers.size(); ++layer) {
      for (int64_t i = 0; i < o.layers[layer]; ++i) {
        const std::string p = "layer" + std::to_string(layer + 1) + "." + std::to_string(i) + ".";
        x = block(x, p, layer > 0 && i == 0 ? 2 : 1);
      }
    }
    x = g_.node("Flatten", {g_.node("GlobalAveragePool", {x}, "avgpool")}, "flatten", {{"axis", int64_t{1}}});
    g_.node("Gemm", {x, g_.initializer("fc.weight", weight(w_, "fc.weight")), g_.initializer("fc.bias", weight(w_, "fc.bias"))},
            "logits", {{"transB", int64_t{1}}});
  }

 private:
  double eps_of(const std::string& bn) const {
    for (const auto& item : model_.named_modules()) {
      if (item.key() == bn) {
        if (const auto* m = item.value()->as<torch::nn::BatchNorm2d>()) return m->options.eps();
      }
    }
    throw std::logic_error("ONNX export: no BatchNorm2d named " + bn);
  }

  GraphBuilder& g_;
  const models::ResNetImpl& model_;
  const Weights& w_;
};

}  // namespace

void add_resnet(GraphBuilder& g, const models::ResNetImpl& model, const Weights& weights, const std::string& images) {
  ResNetWriter(g, model, weights).write(images);
}

}  // namespace fovea::engine::onnx_export
