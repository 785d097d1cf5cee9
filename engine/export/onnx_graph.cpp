#include "engine/export/onnx_graph.h"

#include <bit>
#include <stdexcept>

#include "engine/errors.h"

namespace fovea::engine::onnx_export {

// raw_data is little-endian by the ONNX spec; the tensors' bytes are copied as they are.
static_assert(std::endian::native == std::endian::little, "ONNX export assumes a little-endian host");

GraphBuilder::GraphBuilder(onnx::GraphProto& graph) : graph_(graph) {}

void GraphBuilder::reserve(const std::string& name) {
  if (!names_.insert(name).second) throw std::logic_error("ONNX graph: name used twice: " + name);
}

std::string GraphBuilder::unique(const std::string& hint) {
  std::string name = hint;
  while (names_.count(name)) name = hint + "_" + std::to_string(++counts_[hint] + 1);
  names_.insert(name);
  return name;
}

onnx::TensorProto& GraphBuilder::new_initializer(const std::string& name, int32_t type, const std::vector<int64_t>& dims) {
  reserve(name);
  onnx::TensorProto& t = *graph_.add_initializer();
  t.set_name(name);
  t.set_data_type(type);
  for (int64_t d : dims) t.add_dims(d);
  return t;
}

std::string GraphBuilder::initializer(const std::string& name, const at::Tensor& tensor) {
  const at::Tensor t = tensor.detach().to(at::kCPU).to(at::kFloat).contiguous();
  onnx::TensorProto& proto = new_initializer(name, onnx::TensorProto::FLOAT, t.sizes().vec());
  proto.set_raw_data(t.data_ptr(), t.nbytes());
  return name;
}

std::string GraphBuilder::int64s(const std::string& name, const std::vector<int64_t>& values) {
  onnx::TensorProto& proto = new_initializer(name, onnx::TensorProto::INT64, {static_cast<int64_t>(values.size())});
  proto.set_raw_data(values.data(), values.size() * sizeof(int64_t));
  return name;
}

std::string GraphBuilder::int64_scalar(const std::string& name, int64_t value) {
  new_initializer(name, onnx::TensorProto::INT64, {}).set_raw_data(&value, sizeof value);
  return name;
}

std::string GraphBuilder::float_scalar(const std::string& name, float value) {
  new_initializer(name, onnx::TensorProto::FLOAT, {}).set_raw_data(&value, sizeof value);
  return name;
}

std::string GraphBuilder::node(const std::string& op, const std::vector<std::string>& inputs, const std::string& hint,
                               const std::vector<Attribute>& attributes) {
  const std::string output = unique(hint);
  onnx::NodeProto& n = *graph_.add_node();
  n.set_op_type(op);
  n.set_name(output);
  for (const std::string& input : inputs) n.add_input(input);
  n.add_output(output);
  for (const Attribute& a : attributes) {
    onnx::AttributeProto& attr = *n.add_attribute();
    attr.set_name(a.name);
    if (const auto* i = std::get_if<int64_t>(&a.value)) {
      attr.set_type(onnx::AttributeProto::INT);
      attr.set_i(*i);
    } else if (const auto* f = std::get_if<float>(&a.value)) {
      attr.set_type(onnx::AttributeProto::FLOAT);
      attr.set_f(*f);
    } else {
      attr.set_type(onnx::AttributeProto::INTS);
      for (int64_t v : std::get<std::vector<int64_t>>(a.value)) attr.add_ints(v);
    }
  }
  return output;
}

const at::Tensor& weight(const std::map<std::string, at::Tensor>& weights, const std::string& name) {
  const auto found = weights.find(name);
  if (found == weights.end()) throw CheckpointError("ONNX export: the model has no tensor '" + name + "'");
  return found->second;
}

}  // namespace fovea::engine::onnx_export
