// Every op's backward against central finite differences in double, and
// float against double.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include "csrc/model/ops.h"
#include "csrc/model/simd.h"
#include "threadpool.h"

namespace siglip {
namespace model {
namespace {

using Vec = std::vector<double>;

Vec Random(int64_t n, std::mt19937_64* rng, double scale = 1.0) {
  std::normal_distribution<double> nd(0.0, scale);
  Vec v(static_cast<size_t>(n));
  for (auto& x : v) x = nd(*rng);
  return v;
}

double Dot(const Vec& a, const Vec& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// Checks d(loss)/d(x[i]) == grad[i] for every i (or a stride of them) by
// central differences; loss() reads x.
void CheckGrad(const char* what, Vec* x, const Vec& grad, const std::function<double()>& loss,
               double tol = 1e-6, int64_t stride = 1) {
  const double h = 1e-6;
  for (size_t i = 0; i < x->size(); i += static_cast<size_t>(stride)) {
    const double keep = (*x)[i];
    (*x)[i] = keep + h;
    const double lp = loss();
    (*x)[i] = keep - h;
    const double lm = loss();
    (*x)[i] = keep;
    const double fd = (lp - lm) / (2 * h);
    EXPECT_NEAR(grad[i], fd, tol * (1 + std::fabs(fd))) << what << " element " << i;
  }
}

class OpsTest : public ::testing::Test {
 protected:
  ThreadPool pool_{2};
  std::mt19937_64 rng_{42};
};

// Linear with each forward epilogue; the loss is <w, Y> (+ <w2, G> for GELU).
TEST_F(OpsTest, LinearForwardBackward) {
  using E = Epilogue<double>;
  for (int kind : {0, 1, 2, 3}) {
    const int64_t M = 37, N = 21, K = 13, period = 5;
    Vec X = Random(M * K, &rng_), W = Random(N * K, &rng_, 0.3), b = Random(N, &rng_);
    Vec R = Random(period * N, &rng_), w = Random(M * N, &rng_), w2 = Random(M * N, &rng_);
    Vec Y(M * N), G(M * N);
    auto forward = [&]() {
      E e;
      e.bias = b.data();
      if (kind == 0) e.kind = E::kNone;
      if (kind == 1) e.kind = E::kBias;
      if (kind == 2) {
        e.kind = E::kBiasResidual;
        e.res = R.data();
        e.res_ld = N;
        e.res_period = period;
      }
      if (kind == 3) {
        e.kind = E::kBiasGelu;
        e.gelu = G.data();
        e.gelu_ld = N;
      }
      LinearForward(pool_, M, N, K, X.data(), K, W.data(), Y.data(), N, e);
      return kind == 3 ? Dot(w2, G) + Dot(w, Y) : Dot(w, Y);
    };
    forward();
    // dL/dY (through GELU for kind 3: w + w2 * gelu'(pre)).
    Vec dY = w;
    if (kind == 3) {
      Vec t = w2;
      GeluBackward(Y.data(), t.data(), M * N);
      for (int64_t i = 0; i < M * N; ++i) dY[i] += t[i];
    }
    Vec dW(N * K), db(N), dX(M * K);
    LinearGrad<double> g;
    g.M = M, g.N = N, g.K = K;
    g.dY = dY.data(), g.lddy = N, g.X = X.data(), g.ldx = K, g.W = W.data();
    g.dW = dW.data(), g.db = db.data(), g.dX = dX.data(), g.lddx = K;
    LinearBackward(pool_, g);
    CheckGrad("dX", &X, dX, forward, 1e-6, 7);
    CheckGrad("dW", &W, dW, forward, 1e-6, 5);
    if (kind != 0) CheckGrad("db", &b, db, forward);
    if (kind == 2) {
      Vec dR(period * N, 0.0);
      for (int64_t r = 0; r < M; ++r)
        for (int64_t j = 0; j < N; ++j) dR[(r % period) * N + j] += w[r * N + j];
      CheckGrad("dR", &R, dR, forward);
    }
    // accumulate adds.
    Vec dW2 = dW, db2 = db;
    g.dW = dW2.data(), g.db = db2.data(), g.dX = nullptr, g.accumulate = true;
    LinearBackward(pool_, g);
    for (size_t i = 0; i < dW.size(); ++i) EXPECT_NEAR(dW2[i], 2 * dW[i], 1e-12);
    for (size_t i = 0; i < db.size(); ++i) EXPECT_NEAR(db2[i], 2 * db[i], 1e-12);
  }
}

// Large M exercises several row blocks and the GELU-grad epilogue of dX.
TEST_F(OpsTest, LinearGeluGradEpilogue) {
  const int64_t M = 300, N = 40, K = 24;
  Vec X = Random(M * K, &rng_), W = Random(N * K, &rng_, 0.3), pre = Random(M * N, &rng_);
  Vec V = Random(N * K, &rng_, 0.3), w = Random(M * K, &rng_);
  // L = <w, gelu(pre) V>, as a function of pre; its backward is a dX GEMM
  // with the GELU-grad epilogue: d pre = (w V^T) * gelu'(pre).
  auto loss = [&]() {
    Vec g(M * N), out(M * K);
    Vec p2 = pre;
    AddBiasGelu(p2.data(), static_cast<const double*>(nullptr), g.data(), M * N);
    Epilogue<double> e;
    LinearForward(pool_, M, K, N, g.data(), N, Vec(V.begin(), V.end()).data(), out.data(), K,
                  e);
    return Dot(w, out);
  };
  // V as [K, N] weight: out = g V^T, so dG = w V.
  Vec dpre(M * N);
  LinearGrad<double> g;
  g.M = M, g.N = K, g.K = N;
  g.dY = w.data(), g.lddy = K, g.W = V.data(), g.dX = dpre.data(), g.lddx = N;
  g.epi.kind = Epilogue<double>::kGeluGrad;
  g.epi.pre = pre.data();
  g.epi.pre_ld = N;
  LinearBackward(pool_, g);
  CheckGrad("dpre", &pre, dpre, loss, 1e-6, 37);
}

TEST_F(OpsTest, LayerNorm) {
  const int64_t M = 150, D = 24;
  Vec x = Random(M * D, &rng_, 2.0), g = Random(D, &rng_), b = Random(D, &rng_);
  Vec w = Random(M * D, &rng_);
  for (auto& v : x) v += 0.7;
  auto loss = [&]() {
    Vec y(M * D), mean(M), rstd(M);
    LayerNormForward(pool_, M, D, x.data(), D, g.data(), b.data(), y.data(), D, mean.data(),
                     rstd.data(), 1e-6);
    return Dot(w, y);
  };
  Vec y(M * D), mean(M), rstd(M);
  LayerNormForward(pool_, M, D, x.data(), D, g.data(), b.data(), y.data(), D, mean.data(),
                   rstd.data(), 1e-6);
  Vec dx(M * D), dg(D), db(D), partial(RowBlocks(M) * 2 * D);
  LayerNormBackward(pool_, M, D, w.data(), D, x.data(), D, g.data(), mean.data(), rstd.data(),
                    dx.data(), D, false, dg.data(), db.data(), false, partial.data());
  CheckGrad("dx", &x, dx, loss, 1e-6, 11);
  CheckGrad("dg", &g, dg, loss);
  CheckGrad("db", &b, db, loss);
}

// The LayerNorm-grad epilogue of a dX GEMM: L = <w, LN(x) V^T>.
TEST_F(OpsTest, LinearLayerNormGradEpilogue) {
  const int64_t M = 140, D = 16, N = 20;
  Vec x = Random(M * D, &rng_), g = Random(D, &rng_), b = Random(D, &rng_);
  Vec V = Random(N * D, &rng_, 0.4), w = Random(M * N, &rng_);
  auto loss = [&]() {
    Vec y(M * D), mean(M), rstd(M), out(M * N);
    LayerNormForward(pool_, M, D, x.data(), D, g.data(), b.data(), y.data(), D, mean.data(),
                     rstd.data(), 1e-6);
    LinearForward(pool_, M, N, D, y.data(), D, V.data(), out.data(), N, Epilogue<double>{});
    return Dot(w, out);
  };
  Vec y(M * D), mean(M), rstd(M);
  LayerNormForward(pool_, M, D, x.data(), D, g.data(), b.data(), y.data(), D, mean.data(),
                   rstd.data(), 1e-6);
  Vec dV(N * D), dy(M * D), dx(M * D, 1.0), dg(D), db(D), partial(RowBlocks(M) * 2 * D);
  LinearGrad<double> lg;
  lg.M = M, lg.N = N, lg.K = D;
  lg.dY = w.data(), lg.lddy = N, lg.X = y.data(), lg.ldx = D, lg.W = V.data();
  lg.dW = dV.data(), lg.dX = dy.data(), lg.lddx = D;
  auto& e = lg.epi;
  e.kind = Epilogue<double>::kLayerNormGrad;
  e.ln_x = x.data(), e.ln_x_ld = D, e.ln_g = g.data(), e.ln_mean = mean.data();
  e.ln_rstd = rstd.data(), e.ln_dx = dx.data(), e.ln_dx_ld = D, e.ln_dx_accumulate = true;
  e.ln_partial = partial.data(), e.ln_dg = dg.data(), e.ln_db = db.data();
  LinearBackward(pool_, lg);
  for (auto& v : dx) v -= 1.0;  // accumulate added to the 1s
  CheckGrad("dx", &x, dx, loss, 1e-6, 9);
  CheckGrad("dg", &g, dg, loss);
  CheckGrad("db", &b, db, loss);
  CheckGrad("dV", &V, dV, loss, 1e-6, 7);
}

TEST_F(OpsTest, AttentionWithMask) {
  const int64_t B = 3, S = 7, D = 12, H = 3;
  Vec qkv = Random(B * S * 3 * D, &rng_), w = Random(B * S * D, &rng_);
  // Sequence 0 unmasked, 1 with two masked keys, 2 with every key masked.
  Vec mask(B * S, 0.0);
  const double ninf = -std::numeric_limits<double>::infinity();
  mask[1 * S + 2] = ninf;
  mask[1 * S + 6] = ninf;
  for (int64_t t = 0; t < S; ++t) mask[2 * S + t] = ninf;
  Vec P(B * H * S * S), out(B * S * D);
  auto loss = [&]() {
    AttentionForward(pool_, B, S, D, H, qkv.data(), mask.data(), P.data(), out.data());
    return Dot(w, out);
  };
  loss();
  // Masked keys get zero weight; a fully masked sequence gives zeros.
  for (int64_t h = 0; h < H; ++h)
    for (int64_t i = 0; i < S; ++i) {
      EXPECT_EQ(P[((1 * H + h) * S + i) * S + 2], 0.0);
      double s = 0;
      for (int64_t j = 0; j < S; ++j) s += P[((0 * H + h) * S + i) * S + j];
      EXPECT_NEAR(s, 1.0, 1e-12);
    }
  for (int64_t i = 0; i < S * D; ++i) EXPECT_EQ(out[2 * S * D + i], 0.0);
  Vec dqkv(B * S * 3 * D), scratch(2 * S * S);
  AttentionBackward(pool_, B, S, D, H, qkv.data(), P.data(), w.data(), dqkv.data(),
                    scratch.data());
  CheckGrad("dqkv", &qkv, dqkv, loss, 1e-6, 3);
}

TEST_F(OpsTest, L2Normalize) {
  const int64_t B = 4, E = 9;
  Vec f = Random(B * E, &rng_), w = Random(B * E, &rng_);
  auto loss = [&]() {
    Vec y(B * E), n(B);
    L2NormalizeForward(B, E, f.data(), y.data(), n.data());
    return Dot(w, y);
  };
  Vec y(B * E), n(B), df(B * E);
  L2NormalizeForward(B, E, f.data(), y.data(), n.data());
  for (int64_t i = 0; i < B; ++i) {
    double s = 0;
    for (int64_t k = 0; k < E; ++k) s += y[i * E + k] * y[i * E + k];
    EXPECT_NEAR(s, 1.0, 1e-12);
  }
  L2NormalizeBackward(B, E, y.data(), n.data(), w.data(), df.data());
  CheckGrad("df", &f, df, loss);
}

TEST(SimdTest, GeluMatchesScalarFormula) {
  std::vector<double> x, g;
  for (double v = -12; v <= 12; v += 0.37) x.push_back(v);
  g.resize(x.size());
  std::vector<double> pre = x;
  AddBiasGelu(pre.data(), static_cast<const double*>(nullptr), g.data(),
              static_cast<int64_t>(x.size()));
  std::vector<float> xf(x.begin(), x.end()), gf(x.size());
  AddBiasGelu(xf.data(), static_cast<const float*>(nullptr), gf.data(),
              static_cast<int64_t>(x.size()));
  for (size_t i = 0; i < x.size(); ++i) {
    const double v = x[i];
    const double ref =
        0.5 * v * (1 + std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
    EXPECT_NEAR(g[i], ref, 1e-13 * (1 + std::fabs(ref)));
    EXPECT_NEAR(gf[i], ref, 2e-6 * (1 + std::fabs(ref)));
  }
}

TEST(SimdTest, SoftmaxIsStableForLargeInputs) {
  std::vector<float> s = {1000.f, 999.f, -1000.f, 0.f, 1000.f};
  SoftmaxRow(s.data(), static_cast<const float*>(nullptr), 5);
  const double e1 = std::exp(-1.0), z = 2 + e1;
  EXPECT_NEAR(s[0], 1 / z, 1e-6);
  EXPECT_NEAR(s[1], e1 / z, 1e-6);
  EXPECT_EQ(s[2], 0.f);
  EXPECT_NEAR(s[4], 1 / z, 1e-6);
}

// Float and double agree on a full linear + LN + attention chain.
TEST_F(OpsTest, FloatMatchesDouble) {
  const int64_t B = 2, S = 9, D = 16, H = 2;
  Vec qkv = Random(B * S * 3 * D, &rng_);
  std::vector<float> qf(qkv.begin(), qkv.end());
  Vec P(B * H * S * S), out(B * S * D);
  std::vector<float> Pf(P.size()), outf(out.size());
  AttentionForward(pool_, B, S, D, H, qkv.data(), static_cast<const double*>(nullptr),
                   P.data(), out.data());
  AttentionForward(pool_, B, S, D, H, qf.data(), static_cast<const float*>(nullptr),
                   Pf.data(), outf.data());
  for (size_t i = 0; i < out.size(); ++i) EXPECT_NEAR(outf[i], out[i], 1e-5);
}

}  // namespace
}  // namespace model
}  // namespace siglip
