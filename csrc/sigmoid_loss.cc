// sigmoid_loss.cc: the sigmoid loss, forward and backward in one pass over
// tiles of the logit matrix (see loss_kernels.h for the tiling and schedule).
//
// The math (design.md section 1). With t = exp(t'), l_ij = t <x_i, y_j> + b,
// z_ij = +1 for positives and -1 otherwise, N = norm:
//   L       = (1/N) sum_ij softplus(-z_ij l_ij)
//   G_ij    = dL/dl_ij = (1/N) (sigmoid(l_ij) - [z_ij = +1])
//   dL/dx_i = t sum_j G_ij y_j        dL/dy_j = t sum_i G_ij x_i
//   dL/db   = sum_ij G_ij             dL/dt'  = sum_ij G_ij (l_ij - b)
//                                             = (t/N) sum_ij g_ij s_ij
// where s_ij = <x_i, y_j> and g = N G. G depends on l_ij alone, so each tile
// is finished (loss terms, G, both gradient GEMMs) before the next starts:
// the epilogue overwrites the tile's dot products with (t/N) g, and the
// gradient GEMMs take that tile as it is.
#include <cmath>

#include "blas.h"
#include "epilogue.h"
#include "loss_kernels.h"

namespace siglip {

namespace {

// The one positive of a row on the diagonal, done in scalar code with the
// same formulas as the SIMD epilogue (see epilogue.cc).
template <typename T>
void SigmoidPositive(T* s, T t, T b, T grad_scale, bool write_grad,
                     SigmoidSums* sums) {
  const T sv = *s;
  const T l = std::fma(t, sv, b);
  const T u = -l;
  const T e = std::exp(-std::fabs(l));
  const T loss = std::fmax(u, T(0)) + std::log1p(e);
  const T inv = T(1) / (T(1) + e);
  const T sig_u = u >= 0 ? inv : e * inv;
  const T g = -sig_u;
  sums->loss += loss;
  sums->g += g;
  sums->gs += static_cast<double>(g) * sv;
  if (write_grad) *s = g * grad_scale;
}

}  // namespace

template <typename T>
LossScalars SigmoidLoss(ThreadPool& pool, const LossArgs<T>& a,
                        const LossGrads<T>& grads) {
  CheckLossArgs("sigmoid loss", a, grads);
  using L = typename LabelOf<T>::type;
  std::vector<L> row_labels, col_labels;
  const bool by_labels = a.positives == SIGLIP_POS_LABELS;
  if (by_labels) {
    RemapLabels(a.img_labels, a.n, a.txt_labels, a.m, &row_labels, &col_labels);
  }
  const bool backward = grads.dimg != nullptr;
  const Tiling tl = MakeTiling(a.n, a.m, kMaxTile<T>);
  const T t = static_cast<T>(std::exp(a.t_prime));
  const T b = static_cast<T>(a.bias);
  const T grad_scale = static_cast<T>(std::exp(a.t_prime) / a.norm);
  const int64_t d = a.d;

  auto scratch = AllocTiles<T>(pool.threads(), tl.br * tl.ld);
  std::vector<SigmoidSums> sums(static_cast<size_t>(tl.qr * tl.qc));

  auto tile = [&](int64_t bi, int64_t bj, int worker) {
    const int64_t r0 = tl.RowBegin(bi), rows = tl.Rows(bi);
    const int64_t c0 = tl.ColBegin(bj), cols = tl.Cols(bj);
    T* S = scratch.get() + static_cast<int64_t>(worker) * tl.br * tl.ld;
    // S = X_bi Y_bj^T: the tile's dot products.
    Gemm(false, true, rows, cols, d, T(1), a.img + r0 * d, d, a.txt + c0 * d, d,
         T(0), S, tl.ld);
    SigmoidSums& sm = sums[static_cast<size_t>(bi * tl.qc + bj)];
    for (int64_t r = 0; r < rows; ++r) {
      T* srow = S + r * tl.ld;
      if (by_labels) {
        SigmoidRow(srow, cols, t, b, grad_scale, col_labels.data() + c0,
                   row_labels[r0 + r], backward, &sm);
        continue;
      }
      // Diagonal: the positive of global row i is column i + row_offset -
      // col_offset; in this tile, column pc (if it falls inside).
      int64_t pc = -1;
      if (a.positives == SIGLIP_POS_DIAGONAL) {
        pc = r0 + r + a.row_offset - a.col_offset - c0;
        if (pc >= cols) pc = -1;
      }
      if (pc < 0) {
        SigmoidRow(srow, cols, t, b, grad_scale, nullptr, L(0), backward, &sm);
      } else {
        SigmoidRow(srow, pc, t, b, grad_scale, nullptr, L(0), backward, &sm);
        SigmoidPositive(srow + pc, t, b, grad_scale, backward, &sm);
        SigmoidRow(srow + pc + 1, cols - pc - 1, t, b, grad_scale, nullptr,
                   L(0), backward, &sm);
      }
    }
    if (!backward) return;
    // dX_bi += (t/N) g Y_bj;  dY_bj += (t/N) g^T X_bi.
    Gemm(false, false, rows, d, cols, T(1), S, tl.ld, a.txt + c0 * d, d, T(1),
         grads.dimg + r0 * d, d);
    Gemm(true, false, cols, d, rows, T(1), S, tl.ld, a.img + r0 * d, d, T(1),
         grads.dtxt + c0 * d, d);
  };

  if (!backward) {
    // Nothing is shared between tiles: all of them in one go.
    pool.ParallelFor(tl.qr * tl.qc, [&](int64_t task, int worker) {
      tile(task / tl.qc, task % tl.qc, worker);
    });
  } else {
    if (!grads.accumulate) {
      ZeroGradients(pool, grads.dimg, a.n, grads.dtxt, a.m, d);
    }
    for (const auto& round : DiagonalRounds(tl.qr, tl.qc)) {
      pool.ParallelFor(static_cast<int64_t>(round.size()),
                       [&](int64_t task, int worker) {
                         tile(round[task].first, round[task].second, worker);
                       });
    }
  }

  SigmoidSums total;
  for (const SigmoidSums& s : sums) {
    total.loss += s.loss;
    total.g += s.g;
    total.gs += s.gs;
  }
  LossScalars out;
  out.loss = total.loss / a.norm;
  out.dbias = total.g / a.norm;
  out.dt_prime = std::exp(a.t_prime) / a.norm * total.gs;
  return out;
}

template LossScalars SigmoidLoss<float>(ThreadPool&, const LossArgs<float>&,
                                        const LossGrads<float>&);
template LossScalars SigmoidLoss<double>(ThreadPool&, const LossArgs<double>&,
                                         const LossGrads<double>&);

}  // namespace siglip
