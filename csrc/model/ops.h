// ops.h: the operations of the towers, each forward next to its backward,
// templated on the element type (float for production, double for the
// finite-difference tests). All run on the pool; GEMMs go to single-threaded
// OpenBLAS, one block per task; element-wise work is fused into the GEMM
// epilogues where it touches the block the GEMM just wrote.
//
// Matrices are row-major with explicit row strides (ld*). A linear layer
// follows PyTorch: Y = X W^T + b with W of shape [out, in].
#ifndef SIGLIP_CSRC_MODEL_OPS_H_
#define SIGLIP_CSRC_MODEL_OPS_H_

#include <cstdint>

#include "threadpool.h"

namespace siglip {
namespace model {

// The rows of one task of a row-split GEMM or row-wise op: fixed by M (never
// by the thread count), so results are the same for any number of threads.
inline int64_t RowBlock(int64_t m) {
  return m >= 4096 ? 256 : (m >= 1024 ? 128 : 64);
}
inline int64_t RowBlocks(int64_t m) { return (m + RowBlock(m) - 1) / RowBlock(m); }

// What happens to a block of a GEMM's output right after the GEMM wrote it.
template <typename T>
struct Epilogue {
  enum Kind {
    kNone,
    kBias,          // Y += b
    kBiasResidual,  // Y += b + R[r % res_period]   (b may be null)
    kBiasGelu,      // Y += b (pre-activation, kept); G = gelu_tanh(Y)
    kGeluGrad,      // Y *= gelu_tanh'(pre)    (backward: Y holds dL/dG)
    kLayerNormGrad  // Y holds dL/d(LN output); LN backward into ln_dx
  };
  Kind kind = kNone;
  const T* bias = nullptr;
  const T* res = nullptr;
  int64_t res_ld = 0;
  int64_t res_period = 0;  // 0: no wrap (row r of R for row r of Y)
  T* gelu = nullptr;       // kBiasGelu output
  int64_t gelu_ld = 0;
  const T* pre = nullptr;  // kGeluGrad
  int64_t pre_ld = 0;
  // kLayerNormGrad (the GEMM must cover whole rows): the LN input x, its
  // gain g, the saved row statistics, where dL/dx goes (= or +=), and
  // per-row-block partial sums [RowBlocks(M)][2 * width] of dL/dg, dL/db that
  // the caller reduces (LinearBackward does it into ln_dg, ln_db).
  const T* ln_x = nullptr;
  int64_t ln_x_ld = 0;
  const T* ln_g = nullptr;
  const T* ln_mean = nullptr;
  const T* ln_rstd = nullptr;
  T* ln_dx = nullptr;
  int64_t ln_dx_ld = 0;
  bool ln_dx_accumulate = false;
  T* ln_partial = nullptr;
  T* ln_dg = nullptr;
  T* ln_db = nullptr;
  bool ln_param_accumulate = false;
};

// Y[M,N] = X[M,K] W[N,K]^T, then the epilogue.
template <typename T>
void LinearForward(ThreadPool& pool, int64_t M, int64_t N, int64_t K,
                   const T* X, int64_t ldx, const T* W, T* Y, int64_t ldy,
                   const Epilogue<T>& epi);

// The backward of a linear layer given dY: any of dW (N x K), db (N) and dX
// (M x K) that are not null, in one ParallelFor. The epilogue applies to dX.
template <typename T>
struct LinearGrad {
  int64_t M = 0, N = 0, K = 0;
  const T* dY = nullptr;
  int64_t lddy = 0;
  const T* X = nullptr;  // the layer's input
  int64_t ldx = 0;
  const T* W = nullptr;
  T* dW = nullptr;
  T* db = nullptr;
  bool accumulate = false;  // dW and db: += instead of =
  T* dX = nullptr;
  int64_t lddx = 0;
  bool dx_accumulate = false;
  Epilogue<T> epi;
};

template <typename T>
void LinearBackward(ThreadPool& pool, const LinearGrad<T>& g);

// LayerNorm over rows of width D: y = (x - mean) rstd g + b; saves mean, rstd.
template <typename T>
void LayerNormForward(ThreadPool& pool, int64_t M, int64_t D, const T* x,
                      int64_t ldx, const T* g, const T* b, T* y, int64_t ldy,
                      T* mean, T* rstd, double eps);

// Its backward: dx (= or +=), dg and db (= or +=). partial: scratch of
// RowBlocks(M) * 2 * D elements.
template <typename T>
void LayerNormBackward(ThreadPool& pool, int64_t M, int64_t D, const T* dy,
                       int64_t lddy, const T* x, int64_t ldx, const T* g,
                       const T* mean, const T* rstd, T* dx, int64_t lddx,
                       bool dx_accumulate, T* dg, T* db, bool param_accumulate,
                       T* partial);

// Multi-head self-attention core on B sequences of S tokens: qkv is
// [B*S, 3D] (q | k | v, heads of width D/H side by side); for each sequence
// and head, P = softmax(scale Q K^T + mask) (saved, [B, H, S, S]) and
// out[B*S, D] = P V. mask: [B, S] additive key mask (0 or -inf), or null.
template <typename T>
void AttentionForward(ThreadPool& pool, int64_t B, int64_t S, int64_t D,
                      int64_t H, const T* qkv, const T* mask, T* P, T* out);

// Its backward: dqkv [B*S, 3D] from dout [B*S, D]. scratch: threads * S * S.
template <typename T>
void AttentionBackward(ThreadPool& pool, int64_t B, int64_t S, int64_t D,
                       int64_t H, const T* qkv, const T* P, const T* dout,
                       T* dqkv, T* scratch);

// y = f / |f| row-wise (B rows of E); saves |f|.
template <typename T>
void L2NormalizeForward(int64_t B, int64_t E, const T* f, T* y, T* norm);
// df = (dy - y <y, dy>) / |f|.
template <typename T>
void L2NormalizeBackward(int64_t B, int64_t E, const T* y, const T* norm,
                         const T* dy, T* df);

// Sets n elements to zero, in parallel.
template <typename T>
void ParallelZero(ThreadPool& pool, T* x, int64_t n);

}  // namespace model
}  // namespace siglip

#endif  // SIGLIP_CSRC_MODEL_OPS_H_
