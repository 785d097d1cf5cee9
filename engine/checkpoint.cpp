#include "engine/checkpoint.h"

#include <torch/nn/module.h>
#include <torch/utils.h>

#include <vector>

#include "engine/errors.h"
#include "engine/io/safetensors.h"

namespace fovea::engine {
namespace {

DType to_dtype(at::ScalarType type, const std::string& name) {
  switch (type) {
    case at::kDouble: return DType::F64;
    case at::kFloat: return DType::F32;
    case at::kHalf: return DType::F16;
    case at::kBFloat16: return DType::BF16;
    case at::kLong: return DType::I64;
    case at::kInt: return DType::I32;
    case at::kShort: return DType::I16;
    case at::kChar: return DType::I8;
    case at::kByte: return DType::U8;
    case at::kBool: return DType::Bool;
    default: throw CheckpointError("tensor '" + name + "' has a type safetensors cannot store");
  }
}

at::ScalarType to_scalar_type(DType dtype) {
  switch (dtype) {
    case DType::F64: return at::kDouble;
    case DType::F32: return at::kFloat;
    case DType::F16: return at::kHalf;
    case DType::BF16: return at::kBFloat16;
    case DType::I64: return at::kLong;
    case DType::I32: return at::kInt;
    case DType::I16: return at::kShort;
    case DType::I8: return at::kChar;
    case DType::U8: return at::kByte;
    case DType::Bool: return at::kBool;
  }
  return at::kFloat;
}

std::string first_few(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < 5; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > 5) text += ", ... (" + std::to_string(names.size()) + " in all)";
  return text;
}

}  // namespace

std::map<std::string, at::Tensor> state_dict(const torch::nn::Module& module) {
  std::map<std::string, at::Tensor> tensors;
  for (const auto& item : module.named_parameters(true)) tensors[item.key()] = item.value().detach().cpu().contiguous();
  for (const auto& item : module.named_buffers(true)) tensors[item.key()] = item.value().detach().cpu().contiguous();
  return tensors;
}

void save_checkpoint(const std::string& path, const torch::nn::Module& module, const std::string& metadata_json) {
  const std::map<std::string, at::Tensor> tensors = state_dict(module);
  std::vector<TensorToWrite> entries;
  for (const auto& [name, t] : tensors) {
    TensorToWrite e;
    e.name = name;
    e.dtype = to_dtype(t.scalar_type(), name);
    e.shape.assign(t.sizes().begin(), t.sizes().end());
    e.data = t.data_ptr();
    e.nbytes = t.nbytes();
    entries.push_back(std::move(e));
  }
  write_safetensors(path, entries, {{kCheckpointMetadataKey, metadata_json}, {"format", "pt"}});
}

LoadedTensors load_safetensors(const std::string& path) {
  const SafetensorsFile file = SafetensorsFile::read(path);
  LoadedTensors loaded;
  loaded.metadata = file.metadata();
  for (const auto& [name, stored] : file.tensors()) {
    at::Tensor t = at::empty(stored.shape, at::TensorOptions(to_scalar_type(stored.dtype)));
    std::memcpy(t.data_ptr(), file.data(stored), stored.nbytes);
    loaded.tensors.emplace(name, std::move(t));
  }
  return loaded;
}

void load_state_dict(torch::nn::Module& module, const std::map<std::string, at::Tensor>& tensors,
                     const std::string& source) {
  std::map<std::string, at::Tensor> targets;
  for (const auto& item : module.named_parameters(true)) targets[item.key()] = item.value();
  for (const auto& item : module.named_buffers(true)) targets[item.key()] = item.value();
  std::vector<std::string> missing, unexpected, mismatched;
  for (const auto& [name, target] : targets) {
    const auto found = tensors.find(name);
    if (found == tensors.end()) {
      missing.push_back(name);
    } else if (found->second.sizes() != target.sizes()) {
      mismatched.push_back(name + " " + c10::str(found->second.sizes()) + " vs model " + c10::str(target.sizes()));
    }
  }
  for (const auto& [name, _] : tensors) {
    if (!targets.count(name)) unexpected.push_back(name);
  }
  if (!missing.empty() || !unexpected.empty() || !mismatched.empty()) {
    std::string report = source + " does not fit the model:";
    if (!missing.empty()) report += " missing keys: " + first_few(missing) + ";";
    if (!unexpected.empty()) report += " unexpected keys: " + first_few(unexpected) + ";";
    if (!mismatched.empty()) report += " shape mismatches: " + first_few(mismatched) + ";";
    report.pop_back();
    throw CheckpointError(report);
  }
  torch::NoGradGuard no_grad;
  for (auto& [name, target] : targets) target.copy_(tensors.at(name));
}

}  // namespace fovea::engine
