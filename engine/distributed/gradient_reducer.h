// Gradient averaging for data-parallel training, as PyTorch's DistributedDataParallel does it: the
// parameters are grouped into buckets of about 25 MB (in reverse order, roughly the order in which the
// backward pass produces their gradients); a hook on each parameter copies its gradient into its bucket,
// and a bucket whose gradients are all in is all-reduced at once, while the backward pass goes on.
// Buckets start in the same order on every rank (a collective's order must match across ranks).
#pragma once
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include <ATen/core/Tensor.h>

namespace fovea::engine {

class Communicator;
class PendingCollective;

class GradientReducer {
 public:
  static constexpr size_t kDefaultBucketBytes = size_t{25} << 20;  // DDP's bucket_cap_mb=25

  // `parameters`: the model's, in its own order (every rank must pass the same list).
  GradientReducer(std::vector<at::Tensor> parameters, Communicator& comm, size_t bucket_bytes = kDefaultBucketBytes);
  ~GradientReducer();  // removes the hooks
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  // After loss.backward(): starts the buckets whose gradients did not all arrive through hooks (taking
  // them from .grad; a parameter without one contributes zeros), waits for all of them, and replaces
  // every parameter's gradient by the average over the ranks. One without a gradient here keeps none.
  void finish();
  // A step in which this rank had no data: contributes zero gradients (to every parameter that requires
  // one) so that the other ranks' all-reduces complete, and takes the average like finish().
  void contribute_zeros();

  size_t bucket_count() const { return buckets_.size(); }

 private:
  struct Slot {
    at::Tensor parameter;
    size_t bucket = 0;
    int64_t offset = 0;  // in the bucket's flat buffer
    bool arrived = false;
  };
  struct Bucket {
    at::Tensor buffer;             // flat, on the communicator's device
    std::vector<size_t> slots;
    size_t missing = 0;            // gradients still to arrive this step
    std::unique_ptr<PendingCollective> pending;
  };

  void on_gradient(size_t slot, const at::Tensor& grad);
  void launch_ready_buckets();  // with mutex_ held: in bucket order, up to the first incomplete one
  void launch(size_t bucket);
  void reset_step();

  Communicator& comm_;
  std::vector<Slot> slots_;
  std::vector<Bucket> buckets_;
  std::vector<unsigned> hooks_;
  size_t next_launch_ = 0;
  std::mutex mutex_;  // the backward pass may call hooks from the autograd engine's threads
};

}  // namespace fovea::engine
