// Copying a state dict (names as in the Python original) into a model's parameters and buffers, as
// PyTorch's load_state_dict does: strict by default, or taking what fits; with the classifier head
// kept fresh when fine-tuning to another class count. Every outcome comes with a report for people.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>

namespace torch::nn {
class Module;
}

namespace fovea::engine {

struct LoadOptions {
  // Strict: a missing, unexpected or mismatched tensor is an error and nothing is copied. Not strict:
  // the tensors whose names and shapes match are copied, and the report lists the rest.
  bool strict = true;
  // The classifier head's name (ImageClassifier::head_name(): "fc", "head", "7"); empty: never replace.
  // When the file's head tensors differ from the model's only in the class dimension (or the file has
  // no head), the model keeps its freshly initialised head: fine-tuning to another class count.
  std::string replace_head;
};

struct LoadReport {
  std::string source;                    // the file, for messages
  size_t model_tensors = 0;              // parameters and buffers of the model
  size_t loaded = 0;                     // copied from the file
  std::vector<std::string> missing;      // in the model, not in the file
  std::vector<std::string> unexpected;   // in the file, not in the model
  std::vector<std::string> mismatched;   // "name: [a, b] in the file, [c, d] in the model"
  bool head_replaced = false;
  int64_t file_classes = 0;              // with head_replaced: 0 when the file has no head
  int64_t model_classes = 0;

  bool complete() const { return missing.empty() && unexpected.empty() && mismatched.empty(); }
  // For people, one line each: the head replacement, then missing, unexpected and mismatched
  // tensors (the first few of each, with the count).
  std::vector<std::string> lines() const;
  std::string summary() const;  // "loaded N of M tensors from F" plus lines(), joined with "; "
};

// Throws CheckpointError (naming `source` and the first few problems of each kind) when strict and
// anything but the replaced head does not fit; the model is then left unchanged.
LoadReport load_state_dict(torch::nn::Module& module, const std::map<std::string, at::Tensor>& tensors,
                           const std::string& source, const LoadOptions& options = {});

// "a, b, c, ... (12 in all)": the first five names.
std::string first_few(const std::vector<std::string>& names);

}  // namespace fovea::engine
