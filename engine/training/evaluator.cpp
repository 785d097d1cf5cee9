#include "engine/training/evaluator.h"

#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

#include <algorithm>

#include "models/image_classifier.h"
#include "models/torch_compat.h"

namespace fovea::engine {

std::vector<int64_t> evenly_spaced(int64_t population, int count) {
  std::vector<int64_t> positions;
  const int64_t n = std::min<int64_t>(population, count);
  for (int64_t i = 0; i < n; ++i) positions.push_back(i * population / n);
  return positions;
}

EvaluationResult evaluate(models::ImageClassifier& model, const TensorSplit& split, const BatchMaker& batches,
                          int64_t batch_size, int num_classes, const std::vector<int64_t>& sample_indices,
                          const at::Tensor& host_images, JobControl& control, bool bf16_autocast,
                          const std::function<void(int64_t)>& on_batch) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const auto device = split.labels.device();
  const int64_t n = split.size();
  at::Tensor loss_sum = at::zeros({}, at::TensorOptions(at::kDouble).device(device));
  at::Tensor confusion = at::zeros({num_classes * num_classes}, at::TensorOptions(at::kLong).device(device));
  at::Tensor top5_correct = at::zeros({}, at::TensorOptions(at::kLong).device(device));
  const int64_t k = std::min<int64_t>(5, num_classes);
  const at::Tensor wanted = at::tensor(sample_indices, at::kLong);
  std::vector<at::Tensor> sampled_probs;
  for (int64_t start = 0; start < n; start += batch_size) {
    control.checkpoint();
    const int64_t end = std::min(n, start + batch_size);
    const at::Tensor idx = at::arange(start, end, at::TensorOptions(at::kLong).device(device));
    at::Tensor logits;
    {
      const compat::CudaBf16Autocast autocast(bf16_autocast);
      logits = model.forward(batches.make(idx, 0));
    }
    logits = logits.to(at::kFloat);
    const at::Tensor labels = split.labels.slice(0, start, end);
    loss_sum += torch::nn::functional::cross_entropy(
                    logits, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                    .to(at::kDouble);
    confusion.index_add_(0, labels * num_classes + logits.argmax(1), at::ones_like(labels));
    top5_correct += std::get<1>(logits.topk(k, 1)).eq(labels.unsqueeze(1)).any(1).sum();
    // Keep the probabilities of the sampled positions that fall in this batch.
    const at::Tensor in_batch = wanted.ge(start).logical_and(wanted.lt(end));
    if (in_batch.any().item<bool>()) {
      const at::Tensor local = (wanted.masked_select(in_batch) - start).to(device);
      sampled_probs.push_back(logits.index_select(0, local).softmax(1).cpu());
    }
    if (on_batch) on_batch(end);
  }
  model.train(was_training);

  EvaluationResult result;
  const at::Tensor confusion_cpu = confusion.cpu();
  result.confusion.assign(confusion_cpu.data_ptr<int64_t>(), confusion_cpu.data_ptr<int64_t>() + confusion_cpu.numel());
  int64_t correct = 0;
  for (int c = 0; c < num_classes; ++c) correct += result.confusion[static_cast<size_t>(c * num_classes + c)];
  result.loss = n > 0 ? loss_sum.item<double>() / static_cast<double>(n) : 0.0;
  result.accuracy = n > 0 ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;
  result.top5_accuracy = n > 0 ? static_cast<double>(top5_correct.item<int64_t>()) / static_cast<double>(n) : 0.0;

  if (!sampled_probs.empty()) {
    const at::Tensor probs = at::cat(sampled_probs);
    const auto [top_p, top_i] = probs.topk(k, 1);
    const at::Tensor labels = split.labels.index_select(0, wanted.to(device)).cpu();
    const int64_t H = host_images.size(1), W = host_images.size(2), C = host_images.size(3);
    for (size_t s = 0; s < sample_indices.size(); ++s) {
      SamplePrediction p;
      p.index = sample_indices[s];
      p.label = static_cast<int>(labels[static_cast<int64_t>(s)].item<int64_t>());
      for (int64_t j = 0; j < k; ++j) {
        p.top_classes.push_back(static_cast<int>(top_i[static_cast<int64_t>(s)][j].item<int64_t>()));
        p.top_probabilities.push_back(top_p[static_cast<int64_t>(s)][j].item<float>());
      }
      const at::Tensor image = host_images[p.index].contiguous();
      p.image.height = static_cast<int>(H);
      p.image.width = static_cast<int>(W);
      p.image.channels = static_cast<int>(C);
      p.image.pixels.assign(image.data_ptr<uint8_t>(), image.data_ptr<uint8_t>() + image.numel());
      result.samples.push_back(std::move(p));
    }
  }
  return result;
}

}  // namespace fovea::engine
