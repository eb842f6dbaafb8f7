// ops.cc: implementations of ops.h for float and double.
#include "csrc/model/ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "blas.h"
#include "csrc/model/parallel.h"
#include "csrc/model/simd.h"

namespace siglip {
namespace model {

namespace {

inline int64_t RoundUp(int64_t a, int64_t b) { return (a + b - 1) / b * b; }

// Column blocks for a GEMM whose rows alone give too few tasks: about 8
// tasks in all, blocks of at least 64 columns. Depends on shapes only.
inline int64_t ColBlock(int64_t row_blocks, int64_t n) {
  if (row_blocks >= 8 || n <= 64) return n;
  const int64_t want = std::min<int64_t>(CeilDiv(8, row_blocks), CeilDiv(n, 64));
  return std::min(n, RoundUp(CeilDiv(n, want), 16));
}

// A block size near `target` that splits n evenly (a multiple of 16).
inline int64_t EvenBlock(int64_t n, int64_t target) {
  const int64_t k = CeilDiv(n, target);
  return std::min(n, RoundUp(CeilDiv(n, k), 16));
}

template <typename T>
void EpilogueRows(const Epilogue<T>& e, T* Y, int64_t ldy, int64_t r0,
                  int64_t r1, int64_t c0, int64_t c1) {
  const int64_t n = c1 - c0;
  using K = typename Epilogue<T>::Kind;
  switch (e.kind) {
    case K::kNone:
    case K::kLayerNormGrad:
      return;
    case K::kBias:
      for (int64_t r = r0; r < r1; ++r) {
        AddBiasResidual(Y + r * ldy + c0, e.bias + c0, nullptr, n);
      }
      return;
    case K::kBiasResidual:
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t rr = e.res_period > 0 ? r % e.res_period : r;
        AddBiasResidual(Y + r * ldy + c0, e.bias ? e.bias + c0 : nullptr,
                        e.res + rr * e.res_ld + c0, n);
      }
      return;
    case K::kBiasGelu:
      for (int64_t r = r0; r < r1; ++r) {
        AddBiasGelu(Y + r * ldy + c0, e.bias ? e.bias + c0 : nullptr,
                    e.gelu + r * e.gelu_ld + c0, n);
      }
      return;
    case K::kGeluGrad:
      for (int64_t r = r0; r < r1; ++r) {
        GeluBackward(e.pre + r * e.pre_ld + c0, Y + r * ldy + c0, n);
      }
      return;
  }
}

// Rows [r0, r1) of a LayerNorm backward whose dL/dy rows are dy; the partial
// sums of dL/dg, dL/db go to partial[0, D) and partial[D, 2D).
template <typename T>
void LayerNormGradRows(int64_t r0, int64_t r1, int64_t D, const T* dy,
                       int64_t lddy, const T* x, int64_t ldx, const T* g,
                       const T* mean, const T* rstd, T* dx, int64_t lddx,
                       bool dx_accumulate, T* partial) {
  std::memset(static_cast<void*>(partial), 0, sizeof(T) * 2 * D);
  for (int64_t r = r0; r < r1; ++r) {
    LayerNormBackwardRow(dy + r * lddy, x + r * ldx, g, mean[r], rstd[r],
                         dx + r * lddx, dx_accumulate, partial, partial + D, D);
  }
}

// dg (+)= sum of partial[b][0, D), db (+)= sum of partial[b][D, 2D), in
// block order.
template <typename T>
void ReducePartials(int64_t blocks, int64_t D, const T* partial, T* dg, T* db,
                    bool accumulate) {
  for (int64_t j = 0; j < D; ++j) {
    T sg = 0, sb = 0;
    for (int64_t b = 0; b < blocks; ++b) {
      sg += partial[b * 2 * D + j];
      sb += partial[b * 2 * D + D + j];
    }
    if (dg != nullptr) dg[j] = accumulate ? dg[j] + sg : sg;
    if (db != nullptr) db[j] = accumulate ? db[j] + sb : sb;
  }
}

}  // namespace

template <typename T>
void LinearForward(ThreadPool& pool, int64_t M, int64_t N, int64_t K,
                   const T* X, int64_t ldx, const T* W, T* Y, int64_t ldy,
                   const Epilogue<T>& epi) {
  if (M <= 0 || N <= 0) return;
  const int64_t rb = RowBlock(M), nrb = CeilDiv(M, rb);
  const int64_t cb = ColBlock(nrb, N), ncb = CeilDiv(N, cb);
  auto part = [&](int64_t p, int) {
    const int64_t r0 = (p / ncb) * rb, r1 = std::min(M, r0 + rb);
    const int64_t c0 = (p % ncb) * cb, c1 = std::min(N, c0 + cb);
    Gemm(false, true, r1 - r0, c1 - c0, K, T(1), X + r0 * ldx, ldx, W + c0 * K,
         K, T(0), Y + r0 * ldy + c0, ldy);
    EpilogueRows(epi, Y, ldy, r0, r1, c0, c1);
  };
  ParallelParts(pool, nrb * ncb, part);
}

template <typename T>
void LinearBackward(ThreadPool& pool, const LinearGrad<T>& g) {
  const int64_t M = g.M, N = g.N, K = g.K;
  if (M <= 0 || N <= 0 || K <= 0) return;
  using EK = typename Epilogue<T>::Kind;
  const bool ln = g.dX != nullptr && g.epi.kind == EK::kLayerNormGrad;

  // dW[N, K] = dY^T X: blocks of about 384 x 768.
  const int64_t wbn = EvenBlock(N, 384), wbk = EvenBlock(K, 768);
  const int64_t wnn = CeilDiv(N, wbn), wnk = CeilDiv(K, wbk);
  auto dw_part = [&](int64_t p, int) {
    const int64_t n0 = (p / wnk) * wbn, n1 = std::min(N, n0 + wbn);
    const int64_t k0 = (p % wnk) * wbk, k1 = std::min(K, k0 + wbk);
    Gemm(true, false, n1 - n0, k1 - k0, M, T(1), g.dY + n0, g.lddy, g.X + k0,
         g.ldx, g.accumulate ? T(1) : T(0), g.dW + n0 * K + k0, K);
  };
  // dX[M, K] = dY W, row blocks (whole rows for the LayerNorm epilogue).
  const int64_t rb = RowBlock(M), nrb = CeilDiv(M, rb);
  const int64_t xcb = ln ? K : ColBlock(nrb, K), xncb = CeilDiv(K, xcb);
  auto dx_part = [&](int64_t p, int) {
    const int64_t blk = p / xncb;
    const int64_t r0 = blk * rb, r1 = std::min(M, r0 + rb);
    const int64_t c0 = (p % xncb) * xcb, c1 = std::min(K, c0 + xcb);
    Gemm(false, false, r1 - r0, c1 - c0, N, T(1), g.dY + r0 * g.lddy, g.lddy,
         g.W + c0, K, g.dx_accumulate ? T(1) : T(0), g.dX + r0 * g.lddx + c0,
         g.lddx);
    if (ln) {
      const Epilogue<T>& e = g.epi;
      LayerNormGradRows(r0, r1, K, g.dX, g.lddx, e.ln_x, e.ln_x_ld, e.ln_g,
                        e.ln_mean, e.ln_rstd, e.ln_dx, e.ln_dx_ld,
                        e.ln_dx_accumulate, e.ln_partial + blk * 2 * K);
    } else {
      EpilogueRows(g.epi, g.dX, g.lddx, r0, r1, c0, c1);
    }
  };
  // db[N] = column sums of dY, chunks of 256 columns, rows in order.
  const int64_t bcb = 256, bnc = CeilDiv(N, bcb);
  auto db_part = [&](int64_t p, int) {
    const int64_t c0 = p * bcb, c1 = std::min(N, c0 + bcb);
    T* out = g.db + c0;
    if (!g.accumulate) std::memset(static_cast<void*>(out), 0, sizeof(T) * (c1 - c0));
    for (int64_t r = 0; r < M; ++r) AddTo(g.dY + r * g.lddy + c0, out, c1 - c0);
  };
  RunJobs(pool, {Job{g.dW != nullptr ? wnn * wnk : 0, dw_part},
                 Job{g.dX != nullptr ? nrb * xncb : 0, dx_part},
                 Job{g.db != nullptr ? bnc : 0, db_part}});
  if (ln) {
    ReducePartials(nrb, K, g.epi.ln_partial, g.epi.ln_dg, g.epi.ln_db,
                   g.epi.ln_param_accumulate);
  }
}

template <typename T>
void LayerNormForward(ThreadPool& pool, int64_t M, int64_t D, const T* x,
                      int64_t ldx, const T* g, const T* b, T* y, int64_t ldy,
                      T* mean, T* rstd, double eps) {
  const int64_t rb = RowBlock(M);
  auto part = [&](int64_t p, int) {
    const int64_t r1 = std::min(M, (p + 1) * rb);
    for (int64_t r = p * rb; r < r1; ++r) {
      LayerNormRow(x + r * ldx, g, b, y + r * ldy, D, eps, mean + r, rstd + r);
    }
  };
  ParallelParts(pool, CeilDiv(M, rb), part);
}

template <typename T>
void LayerNormBackward(ThreadPool& pool, int64_t M, int64_t D, const T* dy,
                       int64_t lddy, const T* x, int64_t ldx, const T* g,
                       const T* mean, const T* rstd, T* dx, int64_t lddx,
                       bool dx_accumulate, T* dg, T* db, bool param_accumulate,
                       T* partial) {
  const int64_t rb = RowBlock(M), nrb = CeilDiv(M, rb);
  auto part = [&](int64_t p, int) {
    LayerNormGradRows(p * rb, std::min(M, (p + 1) * rb), D, dy, lddy, x, ldx, g,
                      mean, rstd, dx, lddx, dx_accumulate, partial + p * 2 * D);
  };
  ParallelParts(pool, nrb, part);
  ReducePartials(nrb, D, partial, dg, db, param_accumulate);
}

template <typename T>
void AttentionForward(ThreadPool& pool, int64_t B, int64_t S, int64_t D,
                      int64_t H, const T* qkv, const T* mask, T* P, T* out) {
  const int64_t dh = D / H, ld = 3 * D;
  const T scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(dh)));
  auto part = [&](int64_t p, int) {
    const int64_t b = p / H, h = p % H;
    const T* q = qkv + b * S * ld + h * dh;
    T* pm = P + p * S * S;
    Gemm(false, true, S, S, dh, scale, q, ld, q + D, ld, T(0), pm, S);
    const T* mk = mask != nullptr ? mask + b * S : nullptr;
    for (int64_t i = 0; i < S; ++i) SoftmaxRow(pm + i * S, mk, S);
    Gemm(false, false, S, dh, S, T(1), pm, S, q + 2 * D, ld, T(0),
         out + b * S * D + h * dh, D);
  };
  ParallelParts(pool, B * H, part);
}

template <typename T>
void AttentionBackward(ThreadPool& pool, int64_t B, int64_t S, int64_t D,
                       int64_t H, const T* qkv, const T* P, const T* dout,
                       T* dqkv, T* scratch) {
  const int64_t dh = D / H, ld = 3 * D;
  const T scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(dh)));
  auto part = [&](int64_t p, int worker) {
    const int64_t b = p / H, h = p % H;
    const T* q = qkv + b * S * ld + h * dh;
    const T* k = q + D;
    const T* v = q + 2 * D;
    T* dq = dqkv + b * S * ld + h * dh;
    T* dk = dq + D;
    T* dv = dq + 2 * D;
    const T* pm = P + p * S * S;
    const T* dO = dout + b * S * D + h * dh;
    T* dp = scratch + static_cast<int64_t>(worker) * S * S;
    Gemm(false, true, S, S, dh, T(1), dO, D, v, ld, T(0), dp, S);   // dP = dO V^T
    Gemm(true, false, S, dh, S, T(1), pm, S, dO, D, T(0), dv, ld);  // dV = P^T dO
    for (int64_t i = 0; i < S; ++i) SoftmaxBackwardRow(pm + i * S, dp + i * S, scale, S);
    Gemm(false, false, S, dh, S, T(1), dp, S, k, ld, T(0), dq, ld);  // dQ = dS K
    Gemm(true, false, S, dh, S, T(1), dp, S, q, ld, T(0), dk, ld);   // dK = dS^T Q
  };
  ParallelParts(pool, B * H, part);
}

template <typename T>
void L2NormalizeForward(int64_t B, int64_t E, const T* f, T* y, T* norm) {
  for (int64_t i = 0; i < B; ++i) {
    const T* fi = f + i * E;
    const double n = std::sqrt(SumSquares(fi, E));
    norm[i] = static_cast<T>(n);
    const T inv = n > 0 ? static_cast<T>(1.0 / n) : T(0);
    for (int64_t k = 0; k < E; ++k) y[i * E + k] = fi[k] * inv;
  }
}

template <typename T>
void L2NormalizeBackward(int64_t B, int64_t E, const T* y, const T* norm,
                         const T* dy, T* df) {
  for (int64_t i = 0; i < B; ++i) {
    const T* yi = y + i * E;
    const T* dyi = dy + i * E;
    const T dot = Dot(yi, dyi, E);
    const T inv = norm[i] > 0 ? T(1) / norm[i] : T(0);
    for (int64_t k = 0; k < E; ++k) df[i * E + k] = (dyi[k] - yi[k] * dot) * inv;
  }
}

template <typename T>
void ParallelZero(ThreadPool& pool, T* x, int64_t n) {
  constexpr int64_t kChunk = int64_t{1} << 18;
  auto part = [&](int64_t p, int) {
    const int64_t i0 = p * kChunk, i1 = std::min(n, i0 + kChunk);
    std::memset(static_cast<void*>(x + i0), 0, sizeof(T) * (i1 - i0));
  };
  ParallelParts(pool, CeilDiv(n, kChunk), part);
}

#define SIGLIP_MODEL_OPS_INSTANTIATE(T)                                        \
  template void LinearForward<T>(ThreadPool&, int64_t, int64_t, int64_t,       \
                                 const T*, int64_t, const T*, T*, int64_t,     \
                                 const Epilogue<T>&);                          \
  template void LinearBackward<T>(ThreadPool&, const LinearGrad<T>&);          \
  template void LayerNormForward<T>(ThreadPool&, int64_t, int64_t, const T*,   \
                                    int64_t, const T*, const T*, T*, int64_t,  \
                                    T*, T*, double);                           \
  template void LayerNormBackward<T>(                                          \
      ThreadPool&, int64_t, int64_t, const T*, int64_t, const T*, int64_t,     \
      const T*, const T*, const T*, T*, int64_t, bool, T*, T*, bool, T*);      \
  template void AttentionForward<T>(ThreadPool&, int64_t, int64_t, int64_t,    \
                                    int64_t, const T*, const T*, T*, T*);      \
  template void AttentionBackward<T>(ThreadPool&, int64_t, int64_t, int64_t,   \
                                     int64_t, const T*, const T*, const T*,    \
                                     T*, T*);                                  \
  template void L2NormalizeForward<T>(int64_t, int64_t, const T*, T*, T*);     \
  template void L2NormalizeBackward<T>(int64_t, int64_t, const T*, const T*,   \
                                       const T*, T*);                          \
  template void ParallelZero<T>(ThreadPool&, T*, int64_t);

SIGLIP_MODEL_OPS_INSTANTIATE(float)
SIGLIP_MODEL_OPS_INSTANTIATE(double)
#undef SIGLIP_MODEL_OPS_INSTANTIATE

}  // namespace model
}  // namespace siglip
