// The trainer's side of data-parallel training (one process per GPU, or several CPU processes): joining
// the run the environment describes, starting every rank from rank 0's weights, averaging gradients in
// the backward pass, keeping BatchNorm statistics equal, and adding up metrics. No c10d type here.
//
// The batch size of a run is the global one: each of the W ranks takes batch / W images per step, so the
// learning rate and schedule mean what they mean for one process, and W ranks take the steps one process
// with the whole batch would take (the same images per step; gradients equal up to float rounding for
// models without BatchNorm, whose statistics are per rank as in PyTorch's DDP).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <c10/core/Device.h>

#include "engine/distributed/dist_env.h"
#include "engine/training/evaluator.h"

namespace fovea::models {
class ImageClassifier;
}

namespace fovea::engine {

class Communicator;
class GradientReducer;

class DataParallel {
 public:
  // nullptr when the environment describes a single process; throws ConfigError for a bad environment.
  static std::unique_ptr<DataParallel> from_environment();

  explicit DataParallel(DistEnv env);
  ~DataParallel();

  const DistEnv& env() const { return env_; }
  int rank() const { return env_.rank; }
  int size() const { return env_.world_size; }
  bool is_main() const { return env_.rank == 0; }

  // The device of this rank: "auto" and "cuda" mean the GPU of its LOCAL_RANK; other requests as given.
  c10::Device device_for(const std::string& request) const;
  // Rendezvous with the other ranks (every wait limited by FOVEA_DIST_TIMEOUT).
  void connect(const c10::Device& device);
  std::string describe() const;  // "rank 0 of 2 (gloo)"

  // This rank's batch: global / world size. Throws ConfigError naming both when it does not divide.
  int64_t per_rank_batch(int64_t global_batch) const;

  // Every rank takes rank 0's parameters and buffers.
  void broadcast_model(models::ImageClassifier& model);
  // Gradient hooks on the model's parameters; after each backward pass call finish_gradients().
  void attach(models::ImageClassifier& model);
  void finish_gradients();
  void contribute_zero_gradients();  // a step without data on this rank
  // Every rank takes rank 0's buffers (BatchNorm running statistics).
  void sync_buffers(models::ImageClassifier& model);

  // Compares every rank's parameters and buffers with rank 0's, bit for bit (one broadcast of the model);
  // throws engine::Error on every rank, naming the first differing tensor, when any rank differs.
  void check_agreement(models::ImageClassifier& model);

  std::vector<double> sum(const std::vector<double>& values);
  // One rank's evaluation of its share of the test set, added up with the others': loss, accuracy, top-5
  // and confusion over the whole set. The samples stay this rank's.
  EvaluationResult reduce(EvaluationResult local);

 private:
  DistEnv env_;
  std::unique_ptr<Communicator> comm_;
  std::unique_ptr<GradientReducer> reducer_;
};

}  // namespace fovea::engine
