// The LibTorch transcriptions of mamba_ssm's reference math (models/ssm_reference.h) against naive
// element-by-element recurrences written here in double precision, on random inputs of odd sizes.
// Tolerance: relative 1e-5 (the references compute in float32).
#include <QtTest>

#include <torch/torch.h>

#include "models/ssm_reference.h"

using namespace fovea::models;

namespace {

double relative_error(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b.to(at::kDouble)).abs().max().item<double>() /
         std::max(1e-12, b.to(at::kDouble).abs().max().item<double>());
}

double softplus(double x) { return x > 20 ? x : std::log1p(std::exp(x)); }

}  // namespace

class SsmReferenceTest : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void selectiveScanMatchesNaiveRecurrence_data() {
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("groups");  // 0: B and C shared by all channels (batch, state, length)
    QTest::newRow("L=1") << 1 << 0;
    QTest::newRow("L=7") << 7 << 0;
    QTest::newRow("L=33 grouped") << 33 << 2;
    QTest::newRow("L=130") << 130 << 0;
  }
  void selectiveScanMatchesNaiveRecurrence() {
    QFETCH(int, length);
    QFETCH(int, groups);
    torch::manual_seed(length);
    const int64_t batch = 2, dim = 6, state = 5, L = length;
    SelectiveScanArgs a;
    a.u = torch::randn({batch, dim, L});
    a.delta = torch::randn({batch, dim, L}) * 0.5;
    a.A = -torch::rand({dim, state}) * 2 - 0.1;
    a.B = groups ? torch::randn({batch, groups, state, L}) : torch::randn({batch, state, L});
    a.C = groups ? torch::randn({batch, groups, state, L}) : torch::randn({batch, state, L});
    a.D = torch::randn({dim});
    a.z = torch::randn({batch, dim, L});
    a.delta_bias = torch::randn({dim}) * 0.3;
    a.delta_softplus = true;
    const SelectiveScanResult result = selective_scan_reference(a);

    auto u = a.u.to(at::kDouble), delta = a.delta.to(at::kDouble), A = a.A.to(at::kDouble), B = a.B.to(at::kDouble),
         C = a.C.to(at::kDouble), D = a.D.to(at::kDouble), z = a.z.to(at::kDouble), bias = a.delta_bias.to(at::kDouble);
    at::Tensor expected = torch::zeros({batch, dim, L}, torch::kDouble);
    at::Tensor last = torch::zeros({batch, dim, state}, torch::kDouble);
    auto Bv = [&](int64_t b, int64_t d, int64_t n, int64_t t) {
      return groups ? B[b][d / (dim / groups)][n][t].item<double>() : B[b][n][t].item<double>();
    };
    auto Cv = [&](int64_t b, int64_t d, int64_t n, int64_t t) {
      return groups ? C[b][d / (dim / groups)][n][t].item<double>() : C[b][n][t].item<double>();
    };
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t d = 0; d < dim; ++d) {
        std::vector<double> h(static_cast<size_t>(state), 0.0);
        for (int64_t t = 0; t < L; ++t) {
          const double dt = softplus(delta[b][d][t].item<double>() + bias[d].item<double>());
          const double x = u[b][d][t].item<double>();
          double y = 0;
          for (int64_t n = 0; n < state; ++n) {
            h[n] = std::exp(dt * A[d][n].item<double>()) * h[n] + dt * Bv(b, d, n, t) * x;
            y += Cv(b, d, n, t) * h[n];
          }
          y += D[d].item<double>() * x;
          const double zz = z[b][d][t].item<double>();
          expected[b][d][t] = y * zz / (1 + std::exp(-zz));
        }
        for (int64_t n = 0; n < state; ++n) last[b][d][n] = h[n];
      }
    }
    QVERIFY2(relative_error(result.out, expected) < 1e-5, qPrintable(QString::number(relative_error(result.out, expected))));
    QVERIFY(relative_error(result.last_state, last) < 1e-5);
  }

  void causalConv1dMatchesNaiveSum_data() {
    QTest::addColumn<int>("width");
    QTest::addColumn<bool>("silu");
    QTest::newRow("w2") << 2 << false;
    QTest::newRow("w3 silu") << 3 << true;
    QTest::newRow("w4 silu") << 4 << true;
  }
  void causalConv1dMatchesNaiveSum() {
    QFETCH(int, width);
    QFETCH(bool, silu);
    torch::manual_seed(width);
    const int64_t batch = 2, dim = 5, L = 19;
    const at::Tensor x = torch::randn({batch, dim, L}), w = torch::randn({dim, width}), bias = torch::randn({dim});
    const at::Tensor y = causal_conv1d_reference(x, w, bias, silu);
    at::Tensor expected = torch::zeros({batch, dim, L}, torch::kDouble);
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t d = 0; d < dim; ++d) {
        for (int64_t t = 0; t < L; ++t) {
          double s = bias[d].item<double>();
          for (int64_t k = 0; k < width; ++k) {
            const int64_t src = t - (width - 1) + k;
            if (src >= 0) s += w[d][k].item<double>() * x[b][d][src].item<double>();
          }
          expected[b][d][t] = silu ? s / (1 + std::exp(-s)) : s;
        }
      }
    }
    QVERIFY(relative_error(y, expected) < 1e-5);
  }

  void chunkedSsdEqualsSequentialScan_data() {
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("chunk");
    QTest::newRow("L=1 chunk 4") << 1 << 4;
    QTest::newRow("L=5 chunk 8") << 5 << 8;
    QTest::newRow("L=37 chunk 8 (5 chunks, padded)") << 37 << 8;
    QTest::newRow("L=64 chunk 16") << 64 << 16;
  }
  void chunkedSsdEqualsSequentialScan() {
    QFETCH(int, length);
    QFETCH(int, chunk);
    torch::manual_seed(length * 31 + chunk);
    const int64_t batch = 2, L = length, heads = 3, P = 4, N = 5;
    const at::Tensor x = torch::randn({batch, L, heads, P});
    const at::Tensor A = -torch::rand({batch, L, heads}) * 0.5;  // A * dt, negative
    const at::Tensor B = torch::randn({batch, L, heads, N}), C = torch::randn({batch, L, heads, N});
    at::Tensor final_state;
    const at::Tensor y = ssd_chunked_reference(x, A, B, C, chunk, &final_state);

    // h_t = exp(A_t) h_{t-1} + x_t B_t^T  (per head: P x N);  y_t = h_t C_t.
    const auto xd = x.to(at::kDouble), Ad = A.to(at::kDouble), Bd = B.to(at::kDouble), Cd = C.to(at::kDouble);
    at::Tensor h = torch::zeros({batch, heads, P, N}, torch::kDouble);
    std::vector<at::Tensor> ys;
    for (int64_t t = 0; t < L; ++t) {
      h = h * Ad.select(1, t).exp().view({batch, heads, 1, 1}) +
          xd.select(1, t).unsqueeze(-1) * Bd.select(1, t).unsqueeze(2);
      ys.push_back(torch::matmul(h, Cd.select(1, t).unsqueeze(-1)).squeeze(-1));
    }
    const at::Tensor expected = torch::stack(ys, 1);
    QVERIFY2(relative_error(y, expected) < 1e-5, qPrintable(QString::number(relative_error(y, expected))));
    QVERIFY(relative_error(final_state, h) < 1e-5);
  }
};

QTEST_GUILESS_MAIN(SsmReferenceTest)
#include "test_ssm_reference.moc"
