#include "engine/export/safetensors_export.h"

#include <filesystem>

#include "engine/checkpoint.h"
#include "engine/errors.h"
#include "engine/export/export_metadata.h"
#include "engine/io/safetensors.h"
#include "engine/tensor_convert.h"

namespace fovea::engine {

ExportResult export_safetensors(const LoadedModel& loaded, const std::string& path) {
  if (!loaded.model) throw std::logic_error("export_safetensors: no model");
  // state_dict() holds what PyTorch's does: parameters and persistent buffers (BatchNorm's running
  // statistics and num_batches_tracked, which stays int64 as torchvision has it).
  std::map<std::string, at::Tensor> tensors = state_dict(*loaded.model);
  std::vector<TensorToWrite> entries;
  for (auto& [name, t] : tensors) {
    if (t.is_floating_point()) t = t.to(at::kFloat).contiguous();
    entries.push_back({name, dtype_of(t.scalar_type(), name), t.sizes().vec(), t.data_ptr(), t.nbytes()});
  }
  const std::map<std::string, std::string> metadata = {
      {"format", "pt"},
      {kCheckpointMetadataKey, export_detail::fovea_metadata_json(loaded)},
      {"model", loaded.spec.name},
      {"num_classes", std::to_string(loaded.spec.num_classes)},
      {"class_names", export_detail::json_array(loaded.class_names)},
      {"mean", export_detail::json_array(export_detail::mean_of(loaded))},
      {"std", export_detail::json_array(export_detail::std_of(loaded))}};
  write_safetensors(path, entries, metadata);

  ExportResult result;
  result.path = path;
  result.format = ExportFormat::Safetensors;
  result.bytes = std::filesystem::file_size(path);
  result.model = loaded.spec.name;
  result.num_classes = loaded.spec.num_classes;
  result.class_names = loaded.class_names;
  return result;
}

}  // namespace fovea::engine
