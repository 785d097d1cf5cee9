// The graphs of the model families ONNX export supports (internal to engine/export). Each appends the
// nodes from the graph input `images` to a node output named exactly "logits"; weights are read by
// state-dict name from `weights` (engine::state_dict of the model).
#pragma once
#include <map>
#include <string>

#include <ATen/core/Tensor.h>

#include "engine/export/onnx_graph.h"

namespace fovea::models {
class ResNetImpl;
class ViTImpl;
}  // namespace fovea::models

namespace fovea::engine::onnx_export {

using Weights = std::map<std::string, at::Tensor>;

// Conv + BatchNorm pairs are folded into one Conv (in float64, then rounded to float32).
void add_resnet(GraphBuilder& g, const models::ResNetImpl& model, const Weights& weights, const std::string& images);

// timm's layout, at the trained image size: the position embedding is not resampled.
void add_vit(GraphBuilder& g, const models::ViTImpl& model, const Weights& weights, const std::string& images);

}  // namespace fovea::engine::onnx_export
