#include "engine/export/onnx_export.h"

#include <nlohmann/json.hpp>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <cctype>
#include <filesystem>

#include "engine/checkpoint.h"
#include "engine/errors.h"
#include "engine/export/export_metadata.h"
#include "engine/export/onnx_graph.h"
#include "engine/export/onnx_models.h"
#include "engine/io/atomic_file.h"
#include "models/resnet.h"
#include "models/vit.h"

namespace fovea::engine {
namespace {

constexpr int64_t kIrVersion = 8;  // the IR version ONNX 1.12 introduced together with opset 17

void set_tensor_type(onnx::ValueInfoProto& value, const std::string& name, const std::vector<std::string>& dims) {
  value.set_name(name);
  auto* tensor = value.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  for (const std::string& d : dims) {
    auto* dim = tensor->mutable_shape()->add_dim();
    if (!d.empty() && std::isdigit(static_cast<unsigned char>(d[0]))) {
      dim->set_dim_value(std::stoll(d));
    } else {
      dim->set_dim_param(d);  // symbolic: only the batch
    }
  }
}

void add_metadata(onnx::ModelProto& model, const std::string& key, const std::string& value) {
  auto* prop = model.add_metadata_props();
  prop->set_key(key);
  prop->set_value(value);
}

// What a user of the file needs to feed it and read its output.
void describe(onnx::ModelProto& model, const LoadedModel& loaded, int64_t size) {
  using namespace export_detail;
  add_metadata(model, "model", loaded.spec.name);
  add_metadata(model, "num_classes", std::to_string(loaded.spec.num_classes));
  add_metadata(model, "class_names", json_array(loaded.class_names));
  add_metadata(model, "mean", json_array(mean_of(loaded)));
  add_metadata(model, "std", json_array(std_of(loaded)));
  add_metadata(model, "input_size", "[" + std::to_string(loaded.spec.in_channels) + ", " + std::to_string(size) + ", " +
                                        std::to_string(size) + "]");
  add_metadata(model, "input_format", "float32 NCHW, pixels scaled to [0, 1], then (x - mean) / std per channel");
  // How evaluation resizes and crops (timm's pretrained_cfg names).
  add_metadata(model, "interpolation", loaded.preprocessing.interpolation);
  add_metadata(model, "crop_pct", nlohmann::json(loaded.preprocessing.crop_pct).dump());
}

void validate(onnx::ModelProto& model, const std::string& path) {
  try {
    onnx::checker::check_model(model);
    // Strict: any node whose shapes do not work out is an error, as is an inferred output shape that
    // contradicts the declared [batch, classes].
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       onnx::ShapeInferenceOptions(/*check_type=*/true, /*strict=*/1, /*data_prop=*/true));
  } catch (const std::exception& e) {
    throw Error("ONNX export to " + path + ": the graph does not validate: " + e.what());
  }
}

}  // namespace

bool onnx_export_available() { return true; }

void check_onnx_exportable(const std::string& model_name) {
  const models::ModelEntry* entry = models::find_model(model_name);
  if (entry && (entry->family == "resnet" || entry->family == "vit")) return;
  throw ConfigError("ONNX export supports ResNet and ViT models; " + model_name +
                    " is not supported (export safetensors instead)");
}

ExportResult export_onnx(const LoadedModel& loaded, const std::string& path) {
  if (!loaded.model) throw std::logic_error("export_onnx: no model");
  check_onnx_exportable(loaded.spec.name);
  const auto* vit = dynamic_cast<const models::ViTImpl*>(loaded.model.get());
  const auto* resnet = dynamic_cast<const models::ResNetImpl*>(loaded.model.get());
  const int64_t size = vit ? vit->options().image_size : export_detail::input_size(loaded);

  onnx::ModelProto model;
  model.set_ir_version(kIrVersion);
  model.set_producer_name("Fovea");
  model.set_producer_version(FOVEA_VERSION);
  model.set_doc_string(loaded.spec.name + " exported by Fovea");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);
  onnx::GraphProto& graph = *model.mutable_graph();
  graph.set_name(loaded.spec.name);
  set_tensor_type(*graph.add_input(), "images",
                  {"batch", std::to_string(loaded.spec.in_channels), std::to_string(size), std::to_string(size)});
  set_tensor_type(*graph.add_output(), "logits", {"batch", std::to_string(loaded.spec.num_classes)});

  onnx_export::GraphBuilder builder(graph);
  builder.reserve("images");
  const auto weights = state_dict(*loaded.model);
  if (resnet) {
    onnx_export::add_resnet(builder, *resnet, weights, "images");
  } else if (vit) {
    onnx_export::add_vit(builder, *vit, weights, "images");
  } else {
    throw std::logic_error("export_onnx: " + loaded.spec.name + " is neither a ResNet nor a ViT");
  }
  describe(model, loaded, size);
  validate(model, path);

  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw Error("ONNX export to " + path + ": the model does not serialise (over 2 GB?)");
  write_file_atomically(path, bytes);

  ExportResult result;
  result.path = path;
  result.format = ExportFormat::Onnx;
  result.bytes = bytes.size();
  result.model = loaded.spec.name;
  result.num_classes = loaded.spec.num_classes;
  result.class_names = loaded.class_names;
  result.opset = kOnnxOpset;
  return result;
}

}  // namespace fovea::engine
