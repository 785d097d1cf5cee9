#include "engine/training/data_parallel.h"

#include <ATen/ATen.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>

#include <cmath>
#include <numeric>

#include "engine/device.h"
#include "engine/distributed/communicator.h"
#include "engine/distributed/gradient_reducer.h"
#include "engine/errors.h"
#include "models/image_classifier.h"

namespace fovea::engine {

std::unique_ptr<DataParallel> DataParallel::from_environment() {
  std::optional<DistEnv> env = read_dist_env();
  if (!env) return nullptr;
  return std::make_unique<DataParallel>(std::move(*env));
}

DataParallel::DataParallel(DistEnv env) : env_(std::move(env)) {}
DataParallel::~DataParallel() = default;

c10::Device DataParallel::device_for(const std::string& request) const {
  const c10::Device resolved = resolve_device(request);
  if (resolved.is_cuda() && (request.empty() || request == "auto" || request == "cuda"))
    return resolve_device("cuda:" + std::to_string(env_.local_rank));
  return resolved;
}

void DataParallel::connect(const c10::Device& device) {
  // This rank's GPU becomes the current one (torch.cuda.set_device(local_rank)): NCCL's communicator and
  // any tensor made without a device go there, not all to GPU 0.
  if (device.is_cuda()) c10::impl::getDeviceGuardImpl(device.type())->setDevice(device);
  comm_ = engine::connect(env_, device, dist_timeout());
}

std::string DataParallel::describe() const {
  return "rank " + std::to_string(env_.rank) + " of " + std::to_string(env_.world_size) +
         (comm_ ? " (" + comm_->backend() + ")" : "");
}

int64_t DataParallel::per_rank_batch(int64_t global_batch) const {
  if (global_batch % env_.world_size != 0 || global_batch < env_.world_size)
    throw ConfigError("the batch size " + std::to_string(global_batch) + " (the global batch) cannot be split evenly over " +
                      std::to_string(env_.world_size) + " processes (WORLD_SIZE); choose a multiple of " +
                      std::to_string(env_.world_size));
  return global_batch / env_.world_size;
}

void DataParallel::broadcast_model(models::ImageClassifier& model) {
  std::vector<at::Tensor> tensors = model.parameters();
  for (const at::Tensor& b : model.buffers()) tensors.push_back(b);
  broadcast_tensors(*comm_, tensors, 0);
}

void DataParallel::attach(models::ImageClassifier& model) {
  reducer_ = std::make_unique<GradientReducer>(model.parameters(), *comm_);
}

void DataParallel::finish_gradients() { reducer_->finish(); }

void DataParallel::contribute_zero_gradients() { reducer_->contribute_zeros(); }

void DataParallel::sync_buffers(models::ImageClassifier& model) { broadcast_tensors(*comm_, model.buffers(), 0); }

void DataParallel::check_agreement(models::ImageClassifier& model) {
  std::vector<std::string> names;
  std::vector<at::Tensor> mine, rank0;
  for (const auto& item : model.named_parameters()) names.push_back(item.key()), mine.push_back(item.value());
  for (const auto& item : model.named_buffers()) names.push_back(item.key()), mine.push_back(item.value());
  for (const at::Tensor& t : mine) rank0.push_back(t.detach().clone());
  broadcast_tensors(*comm_, rank0, 0);
  double differing = 0;
  std::string first;
  for (size_t i = 0; i < mine.size(); ++i) {
    if (at::equal(mine[i].detach(), rank0[i])) continue;
    if (first.empty()) first = names[i];
    ++differing;
  }
  const std::vector<double> total = sum({differing, differing > 0 ? 1.0 : 0.0});
  if (total[0] > 0)
    throw Error("the weights of " + std::to_string(std::llround(total[1])) + " of " + std::to_string(env_.world_size) +
                " ranks differ from rank 0's (" + std::to_string(std::llround(total[0])) + " tensors" +
                (first.empty() ? "" : "; here: " + first) + "): data-parallel training went out of step");
}

std::vector<double> DataParallel::sum(const std::vector<double>& values) { return sum_over_ranks(*comm_, values); }

EvaluationResult DataParallel::reduce(EvaluationResult local) {
  const auto images = static_cast<double>(std::accumulate(local.confusion.begin(), local.confusion.end(), int64_t{0}));
  std::vector<double> values{local.loss * images, local.top5_accuracy * images};
  values.insert(values.end(), local.confusion.begin(), local.confusion.end());
  const std::vector<double> total = sum(values);
  double all = 0, correct = 0;
  const size_t classes = static_cast<size_t>(std::llround(std::sqrt(static_cast<double>(local.confusion.size()))));
  for (size_t i = 0; i < local.confusion.size(); ++i) {
    local.confusion[i] = std::llround(total[2 + i]);
    all += total[2 + i];
    if (classes > 0 && i / classes == i % classes) correct += total[2 + i];
  }
  local.loss = all > 0 ? total[0] / all : 0;
  local.top5_accuracy = all > 0 ? total[1] / all : 0;
  local.accuracy = all > 0 ? correct / all : 0;
  local.per_image.clear();  // this rank's images only: not the whole set's
  return local;
}

}  // namespace fovea::engine
