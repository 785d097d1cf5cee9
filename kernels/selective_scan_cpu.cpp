#include <stdexcept>
#include <vector>

#include "kernels/selective_scan.h"
#include "kernels/selective_scan_channel.h"

namespace fovea::kernels {
namespace {

constexpr int64_t kCpuChunk = 64;

void check(const SelectiveScanParams& p) {
  if (p.state < 1 || p.state > kMaxScanState) throw std::invalid_argument("selective scan: state size must be 1..64");
  if (p.groups < 1 || p.dim % p.groups != 0) throw std::invalid_argument("selective scan: groups must divide dim");
}

template <int MaxN>
void forward_rows(const SelectiveScanParams& p, int64_t b0, int64_t b1) {
  for (int64_t b = b0; b < b1; ++b)
    for (int64_t d = 0; d < p.dim; ++d) scan_detail::forward_channel<MaxN>(p, b, d);
}

template <int MaxN>
void backward_rows(const SelectiveScanParams& p, const SelectiveScanGrads& g, int64_t b0, int64_t b1) {
  std::vector<float> chunk_starts(static_cast<size_t>((p.length + kCpuChunk - 1) / kCpuChunk * p.state));
  std::vector<float> states(static_cast<size_t>(kCpuChunk * MaxN));
  for (int64_t b = b0; b < b1; ++b)
    for (int64_t d = 0; d < p.dim; ++d)
      scan_detail::backward_channel<MaxN>(p, g, b, d, kCpuChunk, chunk_starts.data(), states.data());
}

}  // namespace

void selective_scan_fwd_cpu(const SelectiveScanParams& p, int64_t b0, int64_t b1) {
  check(p);
  if (p.state <= 16) return forward_rows<16>(p, b0, b1);
  if (p.state <= 32) return forward_rows<32>(p, b0, b1);
  forward_rows<64>(p, b0, b1);
}

void selective_scan_bwd_cpu(const SelectiveScanParams& p, const SelectiveScanGrads& g, int64_t b0, int64_t b1) {
  check(p);
  if (p.state <= 16) return backward_rows<16>(p, g, b0, b1);
  if (p.state <= 32) return backward_rows<32>(p, g, b0, b1);
  backward_rows<64>(p, g, b0, b1);
}

}  // namespace fovea::kernels
