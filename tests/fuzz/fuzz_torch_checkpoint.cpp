// PyTorch checkpoints: the zip reader, the restricted unpickler, the legacy format and the tensor views.
#include <functional>
#include <vector>

#include "engine/io/torch_checkpoint.h"
#include "fuzz_target.h"

namespace {

using fovea::engine::PickleValue;

void visit(const PickleValue& value, const fovea::engine::TorchCheckpoint& checkpoint, int depth) {
  if (depth > 64) return;
  switch (value.kind()) {
    case PickleValue::Kind::Tensor: {
      const auto tensor = checkpoint.tensor(value.as_tensor());
      if (tensor.numel() <= (1 << 16)) (void)tensor.contiguous_bytes();  // follows the strides through the storage
      break;
    }
    case PickleValue::Kind::List:
    case PickleValue::Kind::Tuple:
    case PickleValue::Kind::Set:
      for (const auto& item : value.items()) visit(item, checkpoint, depth + 1);
      break;
    case PickleValue::Kind::Dict:
      for (const auto& [key, item] : value.dict_items()) visit(item, checkpoint, depth + 1);
      break;
    default:
      break;
  }
}

}  // namespace

void fuzz_one_input(std::span<const uint8_t> data) {
  const auto checkpoint = fovea::engine::parse_torch_checkpoint({data.begin(), data.end()}, "fuzz.pth");
  visit(checkpoint.root, checkpoint, 0);
}
