// The random numbers of one image's augmentation, keyed by (seed, draw number): each image of each epoch
// draws its own numbers, whatever thread prepares it and in whatever order, so runs are reproducible and
// a resumed run draws what the uninterrupted one drew.
#pragma once
#include <cstdint>

#include "kernels/random.h"

namespace fovea::engine {

// What transforms draw from; tests substitute scripted values.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual double uniform() = 0;                    // in [0, 1)
  virtual int64_t below(int64_t bound) = 0;        // in [0, bound), bound >= 1
  double uniform(double low, double high) { return low + (high - low) * uniform(); }  // as Tensor.uniform_
};

// Counter-based (Philox-4x32-10, shared with the GPU kernels): the n-th number of draw d is a pure
// function of (seed, d, n).
class DrawRandom final : public RandomSource {
 public:
  DrawRandom(uint64_t seed, uint64_t draw) : seed_(seed), counter_(draw << 20) {}
  double uniform() override { return static_cast<double>(next64() >> 11) * 0x1.0p-53; }
  int64_t below(int64_t bound) override {
    // The high half of a 64x64-bit product: uniform enough for bounds far below 2^64.
    return static_cast<int64_t>((static_cast<unsigned __int128>(next64()) * static_cast<uint64_t>(bound)) >> 64);
  }

 private:
  uint64_t next64() {
    const kernels::Philox4 words = kernels::philox4x32(seed_, counter_++);
    return (static_cast<uint64_t>(words.v[0]) << 32) | words.v[1];
  }
  uint64_t seed_, counter_;  // 2^20 numbers per draw: far more than any transform asks for
};

}  // namespace fovea::engine
