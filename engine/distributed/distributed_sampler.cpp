#include "engine/distributed/distributed_sampler.h"

#include <ATen/ATen.h>

#include <string>

#include "engine/errors.h"

namespace fovea::engine {
namespace {

void check_rank(int rank, int replicas) {
  if (replicas < 1 || rank < 0 || rank >= replicas)
    throw ConfigError("rank " + std::to_string(rank) + " is not in [0, " + std::to_string(replicas) + ")");
}

}  // namespace

int64_t shard_size(int64_t n, int replicas) { return (n + replicas - 1) / replicas; }

at::Tensor shard_order(const at::Tensor& order, int rank, int replicas) {
  check_rank(rank, replicas);
  const int64_t n = order.size(0);
  if (n == 0) throw ConfigError("cannot shard an empty epoch over " + std::to_string(replicas) + " ranks");
  const int64_t total = shard_size(n, replicas) * replicas;
  at::Tensor padded = order;
  if (total > n) {  // DistributedSampler: indices += (indices * ceil(padding / n))[:padding]
    const int64_t padding = total - n;
    padded = at::cat({order, order.repeat({(padding + n - 1) / n}).slice(0, 0, padding)});
  }
  return padded.slice(0, rank, total, replicas).contiguous();
}

at::Tensor strided_positions(int64_t n, int rank, int replicas) {
  check_rank(rank, replicas);
  return at::arange(rank, std::max<int64_t>(n, rank), replicas, at::kLong);
}

}  // namespace fovea::engine
