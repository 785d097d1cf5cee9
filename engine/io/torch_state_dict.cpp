#include "engine/io/torch_state_dict.h"

#include <unordered_set>

#include "engine/errors.h"
#include "engine/io/printable.h"

namespace fovea::engine {
namespace {

using Kind = PickleValue::Kind;
constexpr std::string_view kModulePrefix = "module.";

std::string key_list(const PickleValue& dict) {
  std::string keys;
  size_t shown = 0;
  for (const auto& [key, value] : dict.dict_items()) {
    if (shown++ == 10) return keys + ", ...";
    keys += (keys.empty() ? "" : ", ") + (key.text() ? printable(*key.text(), 40) : std::string(key.kind_name()));
  }
  return keys.empty() ? "none" : keys;
}

}  // namespace

TorchStateDict find_state_dict(const TorchCheckpoint& checkpoint, const std::string& name, bool prefer_ema) {
  const PickleValue& root = checkpoint.root;
  if (!root.is(Kind::Dict))
    throw CheckpointError(name + ": holds " + root.kind_name() + ", not a dict of tensors (a state dict)");
  TorchStateDict result;
  const PickleValue* dict = &root;
  static constexpr const char* kPlain[] = {"state_dict", "model", "state_dict_ema", "model_ema"};
  static constexpr const char* kEma[] = {"state_dict_ema", "model_ema", "state_dict", "model"};
  for (const char* key : prefer_ema ? kEma : kPlain) {
    const PickleValue* nested = root.find(key);
    if (nested && nested->is(Kind::Dict)) {
      dict = nested;
      result.found_under = key;
      break;
    }
  }
  std::unordered_set<std::string> seen;
  for (const auto& [key, value] : dict->dict_items()) {
    const std::string* text = key.text();
    if (!text) {
      result.ignored.push_back(std::string("a key that is ") + key.kind_name());
      continue;
    }
    if (!value.is(Kind::Tensor)) {
      result.ignored.push_back(*text + " (" + value.kind_name() + ")");
      continue;
    }
    std::string clean = text->starts_with(kModulePrefix) ? text->substr(kModulePrefix.size()) : *text;
    if (!seen.insert(clean).second)
      throw CheckpointError(name + ": the state dict holds '" + printable(clean) + "' twice" +
                            (clean != *text ? " (once with a 'module.' prefix)" : ""));
    result.tensors.emplace_back(std::move(clean), checkpoint.tensor(value.as_tensor()));
  }
  if (result.tensors.empty())
    throw CheckpointError(name + ": no tensors in " +
                          (result.found_under.empty() ? std::string("the checkpoint") : "'" + result.found_under + "'") +
                          " (keys: " + key_list(*dict) + ")");
  return result;
}

}  // namespace fovea::engine
