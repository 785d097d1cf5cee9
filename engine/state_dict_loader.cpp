#include "engine/state_dict_loader.h"

#include <torch/nn/module.h>
#include <torch/utils.h>

#include "engine/errors.h"

namespace fovea::engine {
namespace {

std::string shape_text(const at::Tensor& t) { return c10::str(t.sizes()); }

std::string mismatch_text(const std::string& name, const at::Tensor& file, const at::Tensor& model) {
  return name + ": " + shape_text(file) + " in the file, " + shape_text(model) + " in the model";
}

// Same rank and the same sizes but for the first (output, class) dimension.
bool differs_only_in_classes(const at::Tensor& file, const at::Tensor& model) {
  return file.dim() == model.dim() && file.dim() >= 1 && file.sizes().slice(1) == model.sizes().slice(1);
}

}  // namespace

std::string first_few(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < 5; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > 5) text += ", ... (" + std::to_string(names.size()) + " in all)";
  return text;
}

std::vector<std::string> LoadReport::lines() const {
  std::vector<std::string> out;
  if (head_replaced) {
    out.push_back(file_classes > 0 ? "replaced the classifier head: checkpoint has " + std::to_string(file_classes) +
                                         " classes, model has " + std::to_string(model_classes)
                                   : "the checkpoint has no classifier head: the model keeps its new one (" +
                                         std::to_string(model_classes) + " classes)");
  }
  if (!missing.empty()) out.push_back("missing keys: " + first_few(missing));
  if (!unexpected.empty()) out.push_back("unexpected keys: " + first_few(unexpected));
  if (!mismatched.empty()) out.push_back("shape mismatches: " + first_few(mismatched));
  return out;
}

std::string LoadReport::summary() const {
  std::string text = "loaded " + std::to_string(loaded) + " of " + std::to_string(model_tensors) + " tensors from " + source;
  for (const std::string& line : lines()) text += "; " + line;
  return text;
}

LoadReport load_state_dict(torch::nn::Module& module, const std::map<std::string, at::Tensor>& tensors,
                           const std::string& source, const LoadOptions& options) {
  std::map<std::string, at::Tensor> targets;
  for (const auto& item : module.named_parameters(true)) targets[item.key()] = item.value();
  for (const auto& item : module.named_buffers(true)) targets[item.key()] = item.value();
  LoadReport report;
  report.source = source;
  report.model_tensors = targets.size();

  // The head first: its tensors are set aside when the file's differ only in the class count.
  const std::string head_prefix = options.replace_head.empty() ? std::string() : options.replace_head + ".";
  auto in_head = [&](const std::string& name) { return !head_prefix.empty() && name.starts_with(head_prefix); };
  std::vector<std::string> head_names;
  bool head_in_file = false, head_fits = true, head_differs = false;
  for (const auto& [name, target] : targets) {
    if (!in_head(name)) continue;
    head_names.push_back(name);
    const auto found = tensors.find(name);
    if (found == tensors.end()) continue;
    head_in_file = true;
    if (found->second.sizes() == target.sizes()) continue;
    head_differs = true;
    head_fits = head_fits && differs_only_in_classes(found->second, target);
  }
  const bool head_missing = !head_names.empty() && !head_in_file;  // e.g. a backbone saved without its head
  bool file_has_other_head_tensors = false;  // a head with tensors the model's has not: another architecture
  for (const auto& [name, _] : tensors) file_has_other_head_tensors |= in_head(name) && !targets.count(name);
  report.head_replaced = !file_has_other_head_tensors && ((head_in_file && head_differs && head_fits) || head_missing);
  if (report.head_replaced) {
    const std::string weight = head_prefix + "weight";
    const at::Tensor& model_weight = targets.count(weight) ? targets.at(weight) : targets.at(head_names.front());
    report.model_classes = model_weight.size(0);
    auto file_weight = tensors.find(weight);
    for (size_t i = 0; file_weight == tensors.end() && i < head_names.size(); ++i) file_weight = tensors.find(head_names[i]);
    if (file_weight != tensors.end()) report.file_classes = file_weight->second.size(0);
  }

  std::vector<std::string> copy;
  for (const auto& [name, target] : targets) {
    if (report.head_replaced && in_head(name)) continue;
    const auto found = tensors.find(name);
    if (found == tensors.end()) {
      report.missing.push_back(name);
    } else if (found->second.sizes() != target.sizes()) {
      report.mismatched.push_back(mismatch_text(name, found->second, target));
    } else {
      copy.push_back(name);
    }
  }
  for (const auto& [name, _] : tensors) {
    if (!targets.count(name)) report.unexpected.push_back(name);
  }
  if (options.strict && !report.complete()) {
    std::string message = source + " does not fit the model:";
    for (const std::string& line : report.lines()) message += " " + line + ";";
    message.pop_back();
    throw CheckpointError(message);
  }
  torch::NoGradGuard no_grad;
  for (const std::string& name : copy) targets.at(name).copy_(tensors.at(name));
  report.loaded = copy.size();
  return report;
}

}  // namespace fovea::engine
