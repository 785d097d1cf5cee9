// The Communicator on c10d: a TCPStore rendezvous and a Gloo or NCCL process group. The concrete backend
// classes have the same collective signatures in LibTorch 1.13 (derived from c10d::ProcessGroup) and 2.x
// (derived from c10d::Backend), so one template drives both without naming the base class.
#include <ATen/ATen.h>

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if defined(FOVEA_WITH_GLOO)
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if defined(FOVEA_WITH_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <map>
#include <sstream>

#include "engine/distributed/communicator.h"
#include "engine/errors.h"

namespace fovea::engine {
namespace {

std::string seconds_text(std::chrono::milliseconds timeout) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) + " s";
}

std::string what_of(const c10::Error& e) { return e.what_without_backtrace(); }

template <typename Work>
class C10dPending final : public PendingCollective {
 public:
  C10dPending(c10::intrusive_ptr<Work> work, std::string what) : work_(std::move(work)), what_(std::move(what)) {}
  void wait() override {
    try {
      work_->wait();
    } catch (const c10::Error& e) {
      throw Error(what_ + " failed (a peer stopped, or the time limit FOVEA_DIST_TIMEOUT passed): " + what_of(e));
    } catch (const std::exception& e) {
      throw Error(what_ + " failed (a peer stopped, or the time limit FOVEA_DIST_TIMEOUT passed): " + e.what());
    }
  }

 private:
  c10::intrusive_ptr<Work> work_;
  std::string what_;
};

template <typename Backend>
class C10dCommunicator final : public Communicator {
 public:
  C10dCommunicator(c10::intrusive_ptr<Backend> group, int rank, int size, c10::Device device, std::string name)
      : group_(std::move(group)), rank_(rank), size_(size), device_(device), name_(std::move(name)) {}

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string backend() const override { return name_; }
  c10::Device device() const override { return device_; }

  std::unique_ptr<PendingCollective> allreduce_sum(const at::Tensor& tensor) override {
    std::vector<at::Tensor> tensors{tensor};
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::SUM;
    return pending(run([&] { return group_->allreduce(tensors, options); }, "all-reduce"), "all-reduce");
  }

  void broadcast(const at::Tensor& tensor, int root) override {
    std::vector<at::Tensor> tensors{tensor};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    pending(run([&] { return group_->broadcast(tensors, options); }, "broadcast"), "broadcast")->wait();
  }

  void barrier() override {
    pending(run([&] { return group_->barrier(c10d::BarrierOptions()); }, "barrier"), "barrier")->wait();
  }

 private:
  template <typename Launch>
  auto run(const Launch& launch, const char* what) {
    try {
      return launch();
    } catch (const c10::Error& e) {
      throw Error(std::string(what) + " on rank " + std::to_string(rank_) + " failed: " + what_of(e));
    }
  }
  template <typename Work>
  std::unique_ptr<PendingCollective> pending(c10::intrusive_ptr<Work> work, const char* what) {
    return std::make_unique<C10dPending<Work>>(std::move(work), std::string(what) + " on rank " + std::to_string(rank_) +
                                                                   " (" + name_ + ")");
  }

  c10::intrusive_ptr<Backend> group_;
  int rank_, size_;
  c10::Device device_;
  std::string name_;
};

#if defined(FOVEA_WITH_GLOO)
bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// torch.distributed's choice of Gloo devices: GLOO_SOCKET_IFNAME's interfaces when set; the loopback
// address when the store is local (one machine); else the address this machine's hostname resolves to.
std::vector<std::shared_ptr<::gloo::transport::Device>> gloo_devices(const DistEnv& env) {
  std::vector<std::shared_ptr<::gloo::transport::Device>> devices;
  if (const char* names = std::getenv("GLOO_SOCKET_IFNAME"); names && *names) {
    std::stringstream list(names);
    for (std::string name; std::getline(list, name, ',');)
      if (!name.empty()) devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
  } else if (is_loopback(env.master_addr)) {
    devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
  } else {
    devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  }
  return devices;
}
#endif

c10::intrusive_ptr<c10d::Store> rendezvous_store(const DistEnv& env, std::chrono::milliseconds timeout) {
  c10d::TCPStoreOptions options;
  options.port = env.master_port;
  options.isServer = env.rank == 0 && !env.agent_store;  // torchrun's agent already serves one
  options.numWorkers = static_cast<std::size_t>(env.world_size);
  options.waitWorkers = !env.agent_store;  // the server waits for every rank to connect, up to the time limit
  options.timeout = timeout;
  auto store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
  // Each torchelastic restart gets fresh keys, as torch.distributed's env:// rendezvous does.
  return c10::make_intrusive<c10d::PrefixStore>(
      "/worker/attempt_" + std::to_string(env.restart_count) + "/fovea", store);
}

}  // namespace

std::unique_ptr<Communicator> connect(const DistEnv& env, const c10::Device& device, std::chrono::milliseconds timeout) {
  const std::string where = env.master_addr + ":" + std::to_string(env.master_port) + " as rank " +
                            std::to_string(env.rank) + " of " + std::to_string(env.world_size);
  const auto failed = [&](const char* step, const std::string& what) {
    return Error("rendezvous at " + where + " failed within " + seconds_text(timeout) + " (FOVEA_DIST_TIMEOUT) " + step +
                 ": did all " + std::to_string(env.world_size) +
                 " ranks start, with the same MASTER_ADDR, MASTER_PORT and WORLD_SIZE? (" + what + ")");
  };
  c10::intrusive_ptr<c10d::Store> store;
  try {
    store = rendezvous_store(env, timeout);
  } catch (const c10::Error& e) {
    throw failed("at the store", what_of(e));
  }
  try {
#if defined(FOVEA_WITH_NCCL)
    if (device.is_cuda()) {
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = timeout;
      auto group = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, env.rank, env.world_size, options);
      return std::make_unique<C10dCommunicator<c10d::ProcessGroupNCCL>>(std::move(group), env.rank, env.world_size,
                                                                         device, "nccl");
    }
#endif
#if defined(FOVEA_WITH_GLOO)
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices = gloo_devices(env);
    options->threads = 2;
    auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, env.rank, env.world_size, options);
    // Without NCCL, GPU training still works through Gloo: its collectives run on CPU copies.
    return std::make_unique<C10dCommunicator<c10d::ProcessGroupGloo>>(std::move(group), env.rank, env.world_size,
                                                                      c10::Device(c10::kCPU), "gloo");
#else
    throw Error(std::string("this build of Fovea has no c10d backend for ") + (device.is_cuda() ? "GPUs" : "CPUs") +
                " (it was built without " + (device.is_cuda() ? "nccl.h" : "gloo's headers, libgloo-dev") + ")");
#endif
  } catch (const c10::Error& e) {
    throw failed("connecting the process group", what_of(e));
  } catch (const std::exception& e) {  // gloo's own exceptions (e.g. ::gloo::IoException)
    throw failed("connecting the process group", e.what());
  }
}

void broadcast_tensors(Communicator& comm, const std::vector<at::Tensor>& tensors, int root) {
  std::map<at::ScalarType, std::vector<at::Tensor>> by_type;
  for (const at::Tensor& t : tensors)
    if (t.defined() && t.numel() > 0) by_type[t.scalar_type()].push_back(t);
  for (auto& [type, group] : by_type) {
    std::vector<at::Tensor> flat;
    for (const at::Tensor& t : group) flat.push_back(t.detach().reshape({-1}).to(comm.device()));
    const at::Tensor buffer = at::cat(flat);
    comm.broadcast(buffer, root);
    at::NoGradGuard no_grad;
    int64_t offset = 0;
    for (const at::Tensor& t : group) {
      const int64_t n = t.numel();
      if (comm.rank() != root) t.detach().copy_(buffer.slice(0, offset, offset + n).view(t.sizes()));
      offset += n;
    }
  }
}

std::vector<double> sum_over_ranks(Communicator& comm, const std::vector<double>& values) {
  if (values.empty()) return {};
  const at::Tensor buffer = at::tensor(values, at::kDouble).to(comm.device());
  comm.allreduce_sum(buffer)->wait();
  const at::Tensor host = buffer.cpu();
  return {host.data_ptr<double>(), host.data_ptr<double>() + host.numel()};
}

}  // namespace fovea::engine
