#include "engine/distributed/gradient_reducer.h"

#include <ATen/ATen.h>

#include "engine/distributed/communicator.h"

namespace fovea::engine {

GradientReducer::GradientReducer(std::vector<at::Tensor> parameters, Communicator& comm, size_t bucket_bytes)
    : comm_(comm) {
  // Reverse order: the last layers' gradients come first in the backward pass. A bucket holds one dtype.
  size_t bytes = 0;
  for (auto it = parameters.rbegin(); it != parameters.rend(); ++it) {
    const at::Tensor& p = *it;
    const size_t size = static_cast<size_t>(p.numel()) * p.element_size();
    const bool fits = !buckets_.empty() && bytes + size <= bucket_bytes &&
                      slots_[buckets_.back().slots.front()].parameter.scalar_type() == p.scalar_type();
    if (!fits) {
      buckets_.emplace_back();
      bytes = 0;
    }
    Bucket& bucket = buckets_.back();
    const int64_t offset = bucket.slots.empty() ? 0 : slots_[bucket.slots.back()].offset + slots_[bucket.slots.back()].parameter.numel();
    bucket.slots.push_back(slots_.size());
    slots_.push_back({p, buckets_.size() - 1, offset, false});
    bytes += size;
  }
  for (Bucket& bucket : buckets_) {
    const Slot& last = slots_[bucket.slots.back()];
    bucket.buffer = at::zeros({last.offset + last.parameter.numel()},
                              at::TensorOptions(last.parameter.scalar_type()).device(comm.device()));
  }
  reset_step();
  for (size_t i = 0; i < slots_.size(); ++i) {
    at::Tensor& p = slots_[i].parameter;
    if (p.requires_grad()) {  // a hook needs it; finish() picks up the gradients of the others
      hooks_.push_back(p.register_hook([this, i](const at::Tensor& grad) { on_gradient(i, grad); }));
    } else {
      hooks_.push_back(static_cast<unsigned>(-1));
    }
  }
}

GradientReducer::~GradientReducer() {
  for (size_t i = 0; i < slots_.size(); ++i)
    if (hooks_[i] != static_cast<unsigned>(-1)) slots_[i].parameter.remove_hook(hooks_[i]);
}

void GradientReducer::reset_step() {
  for (Slot& s : slots_) s.arrived = false;
  for (Bucket& b : buckets_) {
    b.missing = b.slots.size();
    b.pending.reset();
  }
  next_launch_ = 0;
}

void GradientReducer::on_gradient(size_t slot, const at::Tensor& grad) {
  std::lock_guard lock(mutex_);
  Slot& s = slots_[slot];
  Bucket& bucket = buckets_[s.bucket];
  at::Tensor view = bucket.buffer.slice(0, s.offset, s.offset + s.parameter.numel()).view(s.parameter.sizes());
  if (s.arrived) {
    view.add_(grad);  // a second gradient in one step (the engine normally sums them before the hook)
    return;
  }
  view.copy_(grad);
  s.arrived = true;
  if (--bucket.missing == 0) launch_ready_buckets();
}

void GradientReducer::launch_ready_buckets() {
  while (next_launch_ < buckets_.size() && buckets_[next_launch_].missing == 0) launch(next_launch_++);
}

void GradientReducer::launch(size_t bucket) { buckets_[bucket].pending = comm_.allreduce_sum(buckets_[bucket].buffer); }

void GradientReducer::finish() {
  std::lock_guard lock(mutex_);
  // Gradients that came without a hook (a parameter that only started to require one after the hooks
  // were set) are taken from .grad; those that never came (outside this step's graph) count as zeros.
  for (size_t b = next_launch_; b < buckets_.size(); ++b) {
    Bucket& bucket = buckets_[b];
    for (const size_t i : bucket.slots) {
      Slot& s = slots_[i];
      if (s.arrived) continue;
      at::Tensor view = bucket.buffer.slice(0, s.offset, s.offset + s.parameter.numel()).view(s.parameter.sizes());
      const at::Tensor& grad = s.parameter.grad();
      if (grad.defined()) {
        view.copy_(grad);
        s.arrived = true;
      } else {
        view.zero_();
      }
    }
    bucket.missing = 0;
  }
  launch_ready_buckets();
  const double scale = 1.0 / comm_.size();
  at::NoGradGuard no_grad;
  for (Bucket& bucket : buckets_) {
    bucket.pending->wait();
    bucket.buffer.mul_(scale);
    for (const size_t i : bucket.slots) {
      Slot& s = slots_[i];
      if (!s.arrived) continue;
      const at::Tensor average = bucket.buffer.slice(0, s.offset, s.offset + s.parameter.numel()).view(s.parameter.sizes());
      at::Tensor& grad = s.parameter.mutable_grad();
      if (grad.defined()) {
        grad.copy_(average);
      } else {
        grad = average.to(s.parameter.device()).clone();
      }
    }
  }
  reset_step();
}

void GradientReducer::contribute_zeros() {
  {
    std::lock_guard lock(mutex_);
    for (Slot& s : slots_) s.arrived = s.parameter.requires_grad();
    for (Bucket& b : buckets_) b.buffer.zero_();
  }
  finish();
}

}  // namespace fovea::engine
