#include "engine/checkpoint.h"

#include <torch/nn/module.h>

#include <vector>

#include "engine/errors.h"
#include "engine/io/safetensors.h"
#include "engine/tensor_convert.h"

namespace fovea::engine {

std::map<std::string, at::Tensor> state_dict(const torch::nn::Module& module) {
  std::map<std::string, at::Tensor> tensors;
  for (const auto& item : module.named_parameters(true)) tensors[item.key()] = item.value().detach().cpu().contiguous();
  for (const auto& item : module.named_buffers(true)) tensors[item.key()] = item.value().detach().cpu().contiguous();
  return tensors;
}

void save_checkpoint(const std::string& path, const torch::nn::Module& module, const std::string& metadata_json,
                     const std::map<std::string, at::Tensor>& extra) {
  std::map<std::string, at::Tensor> tensors = state_dict(module);
  const size_t model_count = tensors.size();
  for (const auto& [name, t] : extra) tensors.emplace(name, t.detach().cpu().contiguous());
  if (tensors.size() != model_count + extra.size())
    throw std::logic_error("save_checkpoint: an extra tensor has the name of a model tensor");
  std::vector<TensorToWrite> entries;
  for (const auto& [name, t] : tensors) {
    TensorToWrite e;
    e.name = name;
    e.dtype = dtype_of(t.scalar_type(), name);
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
  for (const auto& [name, stored] : file.tensors())
    loaded.tensors.emplace(name, tensor_from_bytes(stored.dtype, stored.shape, file.data(stored), stored.nbytes));
  return loaded;
}

}  // namespace fovea::engine
