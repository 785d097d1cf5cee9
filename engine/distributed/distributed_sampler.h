// Each rank's share of an epoch, as torch.utils.data.DistributedSampler makes it (drop_last=False): the
// epoch's order (the same on every rank) is padded by repeating its start up to a multiple of the rank
// count, then rank r takes the positions r, r + W, r + 2W, ... Consecutive per-rank batches of b images
// therefore together hold the single-process order's consecutive batches of b * W images.
#pragma once
#include <cstdint>

#include <ATen/core/Tensor.h>

namespace fovea::engine {

// Images per rank and epoch: ceil(n / replicas).
int64_t shard_size(int64_t n, int replicas);

// `order`: a 1-D int64 tensor (any device) of the epoch's n indices. Returns rank's shard_size(n) of them.
// Throws ConfigError when rank is not in [0, replicas) or order is empty.
at::Tensor shard_order(const at::Tensor& order, int rank, int replicas);

// Positions rank, rank + W, ... below n without padding: each image exactly once over all ranks (for
// evaluation, where a repeated image would count twice).
at::Tensor strided_positions(int64_t n, int rank, int replicas);

}  // namespace fovea::engine
