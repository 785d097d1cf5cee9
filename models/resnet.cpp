#include "models/resnet.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/init.h>

namespace fovea::models {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

nn::Conv2d conv1x1(int64_t in, int64_t out, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false));
}

// conv1x1 + BatchNorm on the identity path when the block changes shape; keys downsample.{0,1}.
nn::Sequential make_downsample(int64_t in, int64_t out, int64_t stride) {
  if (stride == 1 && in == out) return nullptr;
  return nn::Sequential(conv1x1(in, out, stride), nn::BatchNorm2d(out));
}

class BasicBlockImpl : public nn::Module {
 public:
  static constexpr int64_t expansion = 1;
  BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride)
      : conv1(register_module("conv1", conv3x3(inplanes, planes, stride))),
        bn1(register_module("bn1", nn::BatchNorm2d(planes))),
        conv2(register_module("conv2", conv3x3(planes, planes, 1))),
        bn2(register_module("bn2", nn::BatchNorm2d(planes))),
        downsample(make_downsample(inplanes, planes * expansion, stride)) {
    if (downsample) register_module("downsample", downsample);
  }
  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor identity = downsample ? downsample->forward(x) : x;
    torch::Tensor out = bn1(conv1(x)).relu_();
    out = bn2(conv2(out));
    return torch::relu_(out += identity);
  }
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::Conv2d conv2;
  nn::BatchNorm2d bn2;
  nn::Sequential downsample;
};
TORCH_MODULE(BasicBlock);

class BottleneckImpl : public nn::Module {
 public:
  static constexpr int64_t expansion = 4;
  BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride)
      : conv1(register_module("conv1", conv1x1(inplanes, planes, 1))),
        bn1(register_module("bn1", nn::BatchNorm2d(planes))),
        conv2(register_module("conv2", conv3x3(planes, planes, stride))),
        bn2(register_module("bn2", nn::BatchNorm2d(planes))),
        conv3(register_module("conv3", conv1x1(planes, planes * expansion, 1))),
        bn3(register_module("bn3", nn::BatchNorm2d(planes * expansion))),
        downsample(make_downsample(inplanes, planes * expansion, stride)) {
    if (downsample) register_module("downsample", downsample);
  }
  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor identity = downsample ? downsample->forward(x) : x;
    torch::Tensor out = bn1(conv1(x)).relu_();
    out = bn2(conv2(out)).relu_();
    out = bn3(conv3(out));
    return torch::relu_(out += identity);
  }
  nn::Conv2d conv1;
  nn::BatchNorm2d bn1;
  nn::Conv2d conv2;
  nn::BatchNorm2d bn2;
  nn::Conv2d conv3;
  nn::BatchNorm2d bn3;
  nn::Sequential downsample;
};
TORCH_MODULE(Bottleneck);

int64_t expansion_of(ResNetBlock block) {
  return block == ResNetBlock::Basic ? BasicBlockImpl::expansion : BottleneckImpl::expansion;
}

}  // namespace

ResNetOptions resnet18_options() { return {ResNetBlock::Basic, {2, 2, 2, 2}}; }
ResNetOptions resnet34_options() { return {ResNetBlock::Basic, {3, 4, 6, 3}}; }
ResNetOptions resnet50_options() { return {ResNetBlock::Bottleneck, {3, 4, 6, 3}}; }

ResNetImpl::ResNetImpl(const ResNetOptions& options) : options_(options) {
  TORCH_CHECK(options.layers.size() == 4, "ResNet needs four stage depths");
  TORCH_CHECK(options.num_classes > 0 && options.in_channels > 0, "ResNet needs classes and channels > 0");
  const auto stem = options.cifar_stem
                        ? nn::Conv2dOptions(options.in_channels, 64, 3).stride(1).padding(1).bias(false)
                        : nn::Conv2dOptions(options.in_channels, 64, 7).stride(2).padding(3).bias(false);
  conv1_ = register_module("conv1", nn::Conv2d(stem));
  bn1_ = register_module("bn1", nn::BatchNorm2d(64));
  maxpool_ = nn::MaxPool2d(nn::MaxPool2dOptions(3).stride(2).padding(1));
  layer1_ = register_module("layer1", make_layer(64, options.layers[0], 1));
  layer2_ = register_module("layer2", make_layer(128, options.layers[1], 2));
  layer3_ = register_module("layer3", make_layer(256, options.layers[2], 2));
  layer4_ = register_module("layer4", make_layer(512, options.layers[3], 2));
  fc_ = register_module("fc", nn::Linear(512 * expansion_of(options.block), options.num_classes));

  // torchvision's initialisation: He-normal (fan_out) convs, unit BatchNorm, default Linear.
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* conv = module->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
    } else if (auto* bn = module->as<nn::BatchNorm2d>()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    }
  }
}

nn::Sequential ResNetImpl::make_layer(int64_t planes, int64_t blocks, int64_t stride) {
  nn::Sequential layer;
  for (int64_t i = 0; i < blocks; ++i) {
    const int64_t s = i == 0 ? stride : 1;
    if (options_.block == ResNetBlock::Basic) {
      layer->push_back(BasicBlock(inplanes_, planes, s));
    } else {
      layer->push_back(Bottleneck(inplanes_, planes, s));
    }
    inplanes_ = planes * expansion_of(options_.block);
  }
  return layer;
}

torch::Tensor ResNetImpl::forward(torch::Tensor x) { return forward_with_features(std::move(x)).logits; }

ImageClassifier::FeaturesAndLogits ResNetImpl::forward_with_features(torch::Tensor x) {
  x = bn1_(conv1_(x)).relu_();
  if (!options_.cifar_stem) x = maxpool_(x);
  const torch::Tensor features = layer4_->forward(layer3_->forward(layer2_->forward(layer1_->forward(x))));
  return {features, fc_(torch::adaptive_avg_pool2d(features, {1, 1}).flatten(1))};
}

}  // namespace fovea::models
