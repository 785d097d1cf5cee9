// The collective operations data-parallel training needs, over PyTorch's c10d process groups (Gloo on
// the CPU, NCCL on CUDA GPUs). No c10d type appears here: the LibTorch versions Fovea builds with differ
// in c10d's class layout (1.13: ProcessGroup; 2.x: Backend), which c10d_communicator.cpp alone sees.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include "engine/distributed/dist_env.h"

namespace fovea::engine {

// A collective in flight; wait() returns once its result is in the tensor (on a GPU: once the current
// stream will see it) and throws engine::Error when a peer failed or the time limit passed.
class PendingCollective {
 public:
  virtual ~PendingCollective() = default;
  virtual void wait() = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string backend() const = 0;    // "gloo" or "nccl"
  virtual c10::Device device() const = 0;     // where the tensors of its collectives live
  // Sums a dense tensor over all ranks, in place, without waiting.
  virtual std::unique_ptr<PendingCollective> allreduce_sum(const at::Tensor& tensor) = 0;
  // Copies rank `root`'s tensor into every rank's; waits.
  virtual void broadcast(const at::Tensor& tensor, int root) = 0;
  virtual void barrier() = 0;
};

// Joins the run `env` describes: a TCPStore at MASTER_ADDR:MASTER_PORT (served by rank 0, or by torchrun's
// agent), prefixed per attempt, and a process group on it: NCCL when `device` is a CUDA GPU and the build
// has NCCL, else Gloo. Every wait is limited by `timeout`. Throws engine::Error naming the address, the
// rank and what failed (e.g. peers that did not arrive in time).
std::unique_ptr<Communicator> connect(const DistEnv& env, const c10::Device& device, std::chrono::milliseconds timeout);

// Broadcasts many tensors of any dtypes and devices from `root`: each dtype's are packed into one flat
// buffer on the communicator's device, sent in one collective, and copied back.
void broadcast_tensors(Communicator& comm, const std::vector<at::Tensor>& tensors, int root);

// Sums values over all ranks (on the communicator's device, in float64) and returns the totals.
std::vector<double> sum_over_ranks(Communicator& comm, const std::vector<double>& values);

}  // namespace fovea::engine
