#include "engine/training/loss_readback.h"

#include <ATen/ATen.h>
#include <c10/core/Event.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>

#include <thread>

namespace fovea::engine {

struct LossReadback::Pending {
  at::Tensor host;  // pinned scalar the loss is copied into
  std::unique_ptr<c10::Event> copied;
  StepRecord record;
  bool done() const { return !copied || copied->query(); }
};

LossReadback::LossReadback(const c10::Device& device, size_t depth) : device_(device), depth_(depth) {}
LossReadback::~LossReadback() = default;

void LossReadback::push(const at::Tensor& loss, const StepRecord& record) {
  auto entry = std::make_unique<Pending>();
  entry->record = record;
  if (device_.is_cpu()) {
    entry->host = loss.detach().to(at::kDouble);
  } else {
    entry->host = at::empty({}, at::TensorOptions(at::kDouble).pinned_memory(true));
    entry->host.copy_(loss.detach(), /*non_blocking=*/true);
    entry->copied = std::make_unique<c10::Event>(device_.type());
    entry->copied->record(c10::impl::getDeviceGuardImpl(device_.type())->getStream(device_));
  }
  pending_.push_back(std::move(entry));
}

void LossReadback::drain(const Ready& ready, bool all) {
  while (!pending_.empty()) {
    Pending& oldest = *pending_.front();
    const bool must_wait = all || pending_.size() > depth_;
    if (!oldest.done()) {
      if (!must_wait) return;
      while (!oldest.done()) std::this_thread::yield();
    }
    const StepRecord record = oldest.record;
    const double value = oldest.host.item<double>();
    pending_.pop_front();
    ready(value, record);
  }
}

}  // namespace fovea::engine
