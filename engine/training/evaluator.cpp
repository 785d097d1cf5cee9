#include "engine/training/evaluator.h"

#include <torch/nn/functional/loss.h>
#include <torch/utils.h>

#include <algorithm>
#include <tuple>

#include "engine/training/test_time_augmentation.h"
#include "models/image_classifier.h"
#include "models/torch_compat.h"

namespace fovea::engine {

std::vector<int64_t> evenly_spaced(int64_t population, int count) {
  std::vector<int64_t> positions;
  const int64_t n = std::min<int64_t>(population, count);
  for (int64_t i = 0; i < n; ++i) positions.push_back(i * population / n);
  return positions;
}

EvalAccumulator::EvalAccumulator(int num_classes, std::vector<int64_t> sample_positions, const at::Device& device,
                                 bool keep_every_image)
    : num_classes_(num_classes),
      k_(std::min<int64_t>(5, num_classes)),
      wanted_(std::move(sample_positions)),
      keep_every_image_(keep_every_image) {
  std::sort(wanted_.begin(), wanted_.end());
  loss_sum_ = at::zeros({}, at::TensorOptions(at::kDouble).device(device));
  confusion_ = at::zeros({num_classes * num_classes}, at::TensorOptions(at::kLong).device(device));
  top5_correct_ = at::zeros({}, at::TensorOptions(at::kLong).device(device));
}

void EvalAccumulator::add(const at::Tensor& logits, const at::Tensor& labels, const at::Tensor& positions,
                          const at::Tensor& host_images) {
  images_ += labels.size(0);
  const at::Tensor losses = torch::nn::functional::cross_entropy(
      logits, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
  loss_sum_ += losses.sum().to(at::kDouble);
  if (keep_every_image_) keep_every_image(logits, labels, positions, losses);
  confusion_.index_add_(0, labels * num_classes_ + logits.argmax(1), at::ones_like(labels));
  top5_correct_ += std::get<1>(logits.topk(k_, 1)).eq(labels.unsqueeze(1)).any(1).sum();
  // The sampled positions in this batch: read back only their probabilities.
  std::vector<int64_t> rows;
  const auto* position = positions.data_ptr<int64_t>();
  for (int64_t row = 0; row < positions.size(0); ++row)
    if (std::binary_search(wanted_.begin(), wanted_.end(), position[row])) rows.push_back(row);
  if (rows.empty()) return;
  PendingSamples pending;
  std::tie(pending.top_probabilities, pending.top_classes) = logits.softmax(1).topk(k_, 1);
  pending.labels = labels.clone();  // the caller may reuse its batch buffers
  for (const int64_t row : rows) pending.positions.push_back(position[row]);
  const at::Tensor picked = at::tensor(rows, at::kLong);
  pending.images = host_images.index_select(0, host_images.is_cpu() ? picked : picked.to(host_images.device()));
  pending.rows = std::move(rows);
  pending_.push_back(std::move(pending));
}

void EvalAccumulator::read_back_samples() {
  for (const PendingSamples& batch : pending_) {
    const at::Tensor top_p = batch.top_probabilities.to(at::kFloat).cpu().contiguous();
    const at::Tensor top_i = batch.top_classes.to(at::kLong).cpu().contiguous();
    const at::Tensor labels = batch.labels.to(at::kLong).cpu().contiguous();
    const at::Tensor images = batch.images.cpu().contiguous();
    for (size_t s = 0; s < batch.rows.size(); ++s) {
      const int64_t row = batch.rows[s];
      SamplePrediction p;
      p.index = batch.positions[s];
      p.label = static_cast<int>(labels.data_ptr<int64_t>()[row]);
      for (int64_t j = 0; j < k_; ++j) {
        p.top_classes.push_back(static_cast<int>(top_i.data_ptr<int64_t>()[row * k_ + j]));
        p.top_probabilities.push_back(top_p.data_ptr<float>()[row * k_ + j]);
      }
      const at::Tensor image = images[static_cast<int64_t>(s)];
      p.image.height = static_cast<int>(image.size(0));
      p.image.width = static_cast<int>(image.size(1));
      p.image.channels = static_cast<int>(image.size(2));
      p.image.pixels.assign(image.data_ptr<uint8_t>(), image.data_ptr<uint8_t>() + image.numel());
      samples_.push_back(std::move(p));
    }
  }
  pending_.clear();
}

void EvalAccumulator::keep_every_image(const at::Tensor& logits, const at::Tensor& labels, const at::Tensor& positions,
                                       const at::Tensor& losses) {
  const auto [top_p, top_i] = logits.softmax(1).topk(k_, 1);
  const at::Tensor p = top_p.to(at::kFloat).cpu().contiguous(), c = top_i.to(at::kInt).cpu().contiguous();
  const at::Tensor l = labels.to(at::kInt).cpu().contiguous(), e = losses.to(at::kFloat).cpu().contiguous();
  const auto* position = positions.data_ptr<int64_t>();
  const int* classes = c.data_ptr<int>();
  const float* probabilities = p.data_ptr<float>();
  for (int64_t row = 0; row < labels.size(0); ++row) {
    ImageResult r;
    r.position = position[row];
    r.label = l.data_ptr<int>()[row];
    r.top_classes.assign(classes + row * k_, classes + (row + 1) * k_);
    r.top_probabilities.assign(probabilities + row * k_, probabilities + (row + 1) * k_);
    r.loss = e.data_ptr<float>()[row];
    per_image_.push_back(std::move(r));
  }
}

EvaluationResult EvalAccumulator::finish() {
  read_back_samples();
  EvaluationResult result;
  const at::Tensor confusion = confusion_.cpu();
  result.confusion.assign(confusion.data_ptr<int64_t>(), confusion.data_ptr<int64_t>() + confusion.numel());
  int64_t correct = 0;
  for (int c = 0; c < num_classes_; ++c) correct += result.confusion[static_cast<size_t>(c * num_classes_ + c)];
  const auto n = static_cast<double>(images_);
  result.loss = images_ > 0 ? loss_sum_.item<double>() / n : 0.0;
  result.accuracy = images_ > 0 ? static_cast<double>(correct) / n : 0.0;
  result.top5_accuracy = images_ > 0 ? static_cast<double>(top5_correct_.item<int64_t>()) / n : 0.0;
  result.samples = std::move(samples_);
  result.per_image = std::move(per_image_);
  return result;
}

EvaluationResult evaluate(models::ImageClassifier& model, const TensorSplit& split, const BatchMaker& batches,
                          int64_t batch_size, int num_classes, const std::vector<int64_t>& sample_indices,
                          const at::Tensor& host_images, JobControl& control, bool bf16_autocast,
                          const std::function<void(int64_t)>& on_batch, int tta_level, bool keep_every_image) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const auto device = split.labels.device();
  const int64_t n = split.size();
  EvalAccumulator accumulator(num_classes, sample_indices, device, keep_every_image);
  for (int64_t start = 0; start < n; start += batch_size) {
    control.checkpoint();
    const int64_t end = std::min(n, start + batch_size);
    const at::Tensor idx = at::arange(start, end, at::TensorOptions(at::kLong).device(device));
    at::Tensor logits;
    {
      const compat::CudaBf16Autocast autocast(bf16_autocast);
      logits = logits_with_tta(model, batches.make(idx, 0), tta_level);
    }
    accumulator.add(logits.to(at::kFloat), split.labels.slice(0, start, end), at::arange(start, end, at::kLong),
                    host_images.slice(0, start, end));
    if (on_batch) on_batch(end);
  }
  model.train(was_training);
  return accumulator.finish();
}

}  // namespace fovea::engine
