#include "models/ssm_reference.h"

#include <ATen/ATen.h>

#include <limits>

namespace fovea::models {
namespace {

// (..., T) -> (..., T, T): entry [i, j] = sum of x over (j, i] for j <= i, -inf above the diagonal.
at::Tensor segment_sum(const at::Tensor& x) {
  const int64_t T = x.size(-1);
  auto sizes = x.sizes().vec();
  sizes.push_back(T);
  at::Tensor repeated = x.unsqueeze(-1).expand(sizes);
  const auto bool_options = at::TensorOptions(at::kBool).device(x.device());
  const at::Tensor strictly_lower = at::ones({T, T}, bool_options).tril(-1);
  at::Tensor sums = repeated.masked_fill(strictly_lower.logical_not(), 0).cumsum(-2);
  const at::Tensor lower = at::ones({T, T}, bool_options).tril(0);
  return sums.masked_fill(lower.logical_not(), -std::numeric_limits<float>::infinity());
}

}  // namespace

SelectiveScanResult selective_scan_reference(const SelectiveScanArgs& a) {
  const at::Tensor u = a.u.to(at::kFloat);
  at::Tensor delta = a.delta.to(at::kFloat);
  if (a.delta_bias.defined()) delta = delta + a.delta_bias.to(at::kFloat).unsqueeze(-1);
  if (a.delta_softplus) delta = at::softplus(delta);
  const int64_t batch = u.size(0), dim = u.size(1), length = u.size(2), state = a.A.size(1);
  const at::Tensor A = a.A.to(at::kFloat);
  // Grouped B/C (batch, groups, state, length) serve dim/groups channels each.
  auto per_channel = [&](const at::Tensor& t) {
    at::Tensor f = t.to(at::kFloat);
    if (f.dim() == 3) return f.unsqueeze(1).expand({batch, dim, state, length});
    const int64_t groups = f.size(1);
    return f.repeat_interleave(dim / groups, 1);
  };
  const at::Tensor B = per_channel(a.B), C = per_channel(a.C);            // (batch, dim, state, length)
  const at::Tensor deltaA = at::exp(delta.unsqueeze(2) * A.unsqueeze(0).unsqueeze(-1));  // (b, d, n, l)
  const at::Tensor deltaB_u = delta.unsqueeze(2) * B * u.unsqueeze(2);                     // (b, d, n, l)
  at::Tensor h = at::zeros({batch, dim, state}, u.options());
  std::vector<at::Tensor> ys;
  ys.reserve(static_cast<size_t>(length));
  for (int64_t t = 0; t < length; ++t) {
    h = deltaA.select(3, t) * h + deltaB_u.select(3, t);
    ys.push_back((h * C.select(3, t)).sum(2));
  }
  at::Tensor out = at::stack(ys, 2);
  if (a.D.defined()) out = out + u * a.D.to(at::kFloat).unsqueeze(-1);
  if (a.z.defined()) out = out * at::silu(a.z.to(at::kFloat));
  return {out.to(a.u.scalar_type()), h};
}

at::Tensor causal_conv1d_reference(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, bool silu) {
  const int64_t dim = x.size(1), width = weight.size(-1), length = x.size(2);
  at::Tensor y = at::conv1d(x, weight.reshape({dim, 1, width}), bias, {1}, {width - 1}, {1}, dim).slice(2, 0, length);
  return silu ? at::silu(y) : y;
}

at::Tensor ssd_chunked_reference(const at::Tensor& x_in, const at::Tensor& A_in, const at::Tensor& B_in,
                                 const at::Tensor& C_in, int64_t chunk, at::Tensor* final_state) {
  const int64_t batch = x_in.size(0), length = x_in.size(1);
  const int64_t padded = (length + chunk - 1) / chunk * chunk, chunks = padded / chunk;
  // Zero padding at the end leaves the causal outputs of real steps unchanged (A=0 there: no decay).
  auto pad_and_split = [&](const at::Tensor& t) {
    at::Tensor f = t.to(at::kFloat);
    if (padded != length) {
      auto sizes = f.sizes().vec();
      sizes[1] = padded - length;
      f = at::cat({f, at::zeros(sizes, f.options())}, 1);
    }
    auto sizes = f.sizes().vec();
    sizes[1] = chunk;
    sizes.insert(sizes.begin() + 1, chunks);
    return f.reshape(sizes);  // (b, c, l, ...)
  };
  const at::Tensor X = pad_and_split(x_in), B = pad_and_split(B_in), C = pad_and_split(C_in);
  const at::Tensor A = pad_and_split(A_in).permute({0, 3, 1, 2});  // (b, h, c, l)
  const at::Tensor A_cumsum = A.cumsum(-1);

  // 1. Outputs from inputs of the same chunk (the diagonal blocks).
  const at::Tensor L = at::exp(segment_sum(A));
  const at::Tensor Y_diag = at::einsum("bclhn,bcshn,bhcls,bcshp->bclhp", {C, B, L, X});
  // 2. The state each chunk leaves behind, from its own inputs.
  const at::Tensor decay_states = at::exp(A_cumsum.slice(-1, chunk - 1) - A_cumsum);
  at::Tensor states = at::einsum("bclhn,bhcl,bclhp->bchpn", {B, decay_states, X});
  // 3. Carry the states across chunks.
  states = at::cat({at::zeros_like(states.slice(1, 0, 1)), states}, 1);
  const at::Tensor chunk_decay =
      at::exp(segment_sum(at::constant_pad_nd(A_cumsum.select(-1, chunk - 1), {1, 0})));
  const at::Tensor new_states = at::einsum("bhzc,bchpn->bzhpn", {chunk_decay, states});
  if (final_state) *final_state = new_states.select(1, chunks);
  states = new_states.slice(1, 0, chunks);
  // 4. Outputs from the states entering each chunk.
  const at::Tensor Y_off = at::einsum("bclhn,bchpn,bhcl->bclhp", {C, states, at::exp(A_cumsum)});
  const at::Tensor Y = (Y_diag + Y_off).reshape({batch, padded, x_in.size(2), x_in.size(3)});
  return Y.slice(1, 0, length).to(x_in.scalar_type());
}

}  // namespace fovea::models
