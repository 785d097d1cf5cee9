// A small builder over ONNX's protobuf classes (internal to engine/export): initializers from tensors,
// constants, and nodes whose outputs get unique names derived from a readable hint.
#pragma once
#include <onnx/onnx_pb.h>

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace fovea::engine::onnx_export {

struct Attribute {
  std::string name;
  std::variant<int64_t, float, std::vector<int64_t>> value;
};

class GraphBuilder {
 public:
  explicit GraphBuilder(onnx::GraphProto& graph);

  // A float32 initializer holding `t`'s values (raw little-endian data); `name` must be new.
  std::string initializer(const std::string& name, const at::Tensor& t);
  std::string int64s(const std::string& name, const std::vector<int64_t>& values);  // 1-D int64
  std::string int64_scalar(const std::string& name, int64_t value);                 // 0-D int64
  std::string float_scalar(const std::string& name, float value);                   // 0-D float32

  // One node with one output, named `hint` (or hint_2, hint_3, ... when taken); returns that name.
  std::string node(const std::string& op, const std::vector<std::string>& inputs, const std::string& hint,
                   const std::vector<Attribute>& attributes = {});

  // Claims a name (graph inputs), so that no node output takes it.
  void reserve(const std::string& name);

 private:
  std::string unique(const std::string& hint);
  onnx::TensorProto& new_initializer(const std::string& name, int32_t type, const std::vector<int64_t>& dims);

  onnx::GraphProto& graph_;
  std::set<std::string> names_;
  std::map<std::string, int> counts_;
};

// State-dict access for the model writers: the tensor or a CheckpointError naming the missing key.
const at::Tensor& weight(const std::map<std::string, at::Tensor>& weights, const std::string& name);

}  // namespace fovea::engine::onnx_export
