// softmax_loss.cc: the CLIP softmax loss, the paper's baseline, without ever
// storing the n x m logit matrix (see loss_kernels.h for tiles and rounds).
//
// The math. With t = exp(t'), l_ij = t <x_i, y_j> (no bias), P(i) the
// positives of image i and P(j) those of text j (the diagonal, or equal
// labels), row and column log-sum-exps R_i = LSE_j l_ij, C_j = LSE_i l_ij:
//   L = 1/2 [ (1/n) sum_i (R_i - mean_{j in P(i)} l_ij)
//           + (1/m) sum_j (C_j - mean_{i in P(j)} l_ij) ]
//   G_ij = dL/dl_ij = 1/2 [ exp(l_ij - R_i)/n + exp(l_ij - C_j)/m
//                           - [ij positive] (1/(|P(i)| n) + 1/(|P(j)| m)) ]
//   dL/dx_i = t sum_j G_ij y_j,  dL/dy_j = t sum_i G_ij x_i,
//   dL/dt'  = sum_ij G_ij l_ij.
// G needs R and C, which need the whole matrix: so two passes. Pass 1 keeps
// an online log-sum-exp (running max and sum of exp) per row and per column,
// merged tile by tile; pass 2 recomputes each tile's logits, forms G in place
// and runs the two gradient GEMMs. Four GEMMs in all.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "blas.h"
#include "epilogue.h"
#include "loss_kernels.h"

namespace siglip {

// An online log-sum-exp of l = t s, kept in terms of the dot products: the
// largest s seen so far and the sum of exp(t (s - max)). Keeping the max as
// a dot product (not a logit) makes the exponent t (s - max) exactly 0 for
// the largest element, however the compiler contracts the arithmetic: with
// t = 1e4 and |l| ~ 1e9, a fused t s - t max leaves a residual of hundreds.
struct OnlineLse {
  double max = -std::numeric_limits<double>::infinity();
  double sum = 0;
  void Merge(double other_max, double other_sum, double t) {
    if (other_sum == 0) return;
    if (sum == 0) {
      max = other_max;
      sum = other_sum;
      return;
    }
    const double m = std::max(max, other_max);
    sum = sum * std::exp(t * (max - m)) + other_sum * std::exp(t * (other_max - m));
    max = m;
  }
  // LSE of the logits.
  double Value(double t) const { return t * max + std::log(sum); }
};

template <typename T>
LossScalars SoftmaxLoss(ThreadPool& pool, const LossArgs<T>& a,
                        const LossGrads<T>& grads) {
  CheckLossArgs("softmax loss", a, grads);
  using L = typename LabelOf<T>::type;
  const int64_t n = a.n, m = a.m, d = a.d;
  const bool by_labels = a.positives == SIGLIP_POS_LABELS;
  if (a.positives == SIGLIP_POS_NONE) {
    throw std::invalid_argument(
        "softmax loss: every image needs a positive text (positives = none)");
  }
  if (!by_labels && (n != m || a.row_offset != 0 || a.col_offset != 0)) {
    throw std::invalid_argument(
        "softmax loss: without labels the positives are the diagonal, so n "
        "must equal m (n = " + std::to_string(n) + ", m = " +
        std::to_string(m) + ") and the offsets must be 0");
  }

  // Positives per row and per column: 1 on the diagonal, else counted.
  std::vector<L> row_labels, col_labels;
  std::vector<double> row_count(n, 1.0), col_count(m, 1.0);
  if (by_labels) {
    RemapLabels(a.img_labels, n, a.txt_labels, m, &row_labels, &col_labels);
    std::unordered_map<int64_t, double> txt_per_label, img_per_label;
    for (int64_t j = 0; j < m; ++j) txt_per_label[col_labels[j]] += 1;
    for (int64_t i = 0; i < n; ++i) {
      if (row_labels[i] >= 0) img_per_label[row_labels[i]] += 1;
    }
    for (int64_t i = 0; i < n; ++i) {
      if (row_labels[i] < 0) {
        throw std::invalid_argument(
            "softmax loss: image " + std::to_string(i) + " (label " +
            std::to_string(a.img_labels[i]) + ") has no text with its label");
      }
      row_count[i] = txt_per_label[row_labels[i]];
    }
    for (int64_t j = 0; j < m; ++j) {
      auto it = img_per_label.find(col_labels[j]);
      if (it == img_per_label.end()) {
        throw std::invalid_argument(
            "softmax loss: text " + std::to_string(j) + " (label " +
            std::to_string(a.txt_labels[j]) + ") has no image with its label");
      }
      col_count[j] = it->second;
    }
  }

  const Tiling tl = MakeTiling(n, m, kMaxTile<T>);
  const auto rounds = DiagonalRounds(tl.qr, tl.qc);
  const double t_d = std::exp(a.t_prime);
  const T t = static_cast<T>(t_d);
  auto scratch = AllocTiles<T>(pool.threads(), tl.br * tl.ld);
  // Per worker: a tile's column maxima and sums.
  auto col_scratch = AllocTiles<T>(pool.threads(), 2 * tl.ld);
  auto logits = [&](int64_t bi, int64_t bj, T* S) {
    Gemm(false, true, tl.Rows(bi), tl.Cols(bj), d, T(1),
         a.img + tl.RowBegin(bi) * d, d, a.txt + tl.ColBegin(bj) * d, d, T(0),
         S, tl.ld);
  };

  // Pass 1: online log-sum-exps and the sums of the positive logits.
  std::vector<OnlineLse> row_lse(n), col_lse(m);
  std::vector<double> row_pos(n, 0.0), col_pos(m, 0.0);
  auto stats_tile = [&](int64_t bi, int64_t bj, int worker) {
    const int64_t r0 = tl.RowBegin(bi), rows = tl.Rows(bi);
    const int64_t c0 = tl.ColBegin(bj), cols = tl.Cols(bj);
    T* S = scratch.get() + static_cast<int64_t>(worker) * tl.br * tl.ld;
    logits(bi, bj, S);
    for (int64_t r = 0; r < rows; ++r) {
      const T* srow = S + r * tl.ld;
      T mx, se;
      SoftmaxRowStats(srow, cols, t, &mx, &se);
      row_lse[r0 + r].Merge(mx, se, t_d);
      if (by_labels) {
        const L lab = row_labels[r0 + r];
        for (int64_t c = 0; c < cols; ++c) {
          if (col_labels[c0 + c] == lab) {
            const double l = static_cast<double>(t * srow[c]);
            row_pos[r0 + r] += l;
            col_pos[c0 + c] += l;
          }
        }
      } else {
        const int64_t pc = r0 + r - c0;
        if (pc >= 0 && pc < cols) {
          const double l = static_cast<double>(t * srow[pc]);
          row_pos[r0 + r] += l;
          col_pos[c0 + pc] += l;
        }
      }
    }
    T* cmax = col_scratch.get() + static_cast<int64_t>(worker) * 2 * tl.ld;
    T* csum = cmax + tl.ld;
    SoftmaxColStats(S, rows, cols, tl.ld, t, cmax, csum);
    for (int64_t c = 0; c < cols; ++c) {
      col_lse[c0 + c].Merge(cmax[c], csum[c], t_d);
    }
  };
  for (const auto& round : rounds) {
    pool.ParallelFor(static_cast<int64_t>(round.size()),
                     [&](int64_t task, int worker) {
                       stats_tile(round[task].first, round[task].second, worker);
                     });
  }

  double row_term = 0, col_term = 0;
  // For pass 2, each log-sum-exp as (max dot product, log sum), see OnlineLse.
  std::vector<T> row_max(n), row_logsum(n), col_max(m), col_logsum(m);
  std::vector<T> row_pos_w(n), col_pos_w(m);
  for (int64_t i = 0; i < n; ++i) {
    const double lse = row_lse[i].Value(t_d);
    row_max[i] = static_cast<T>(row_lse[i].max);
    row_logsum[i] = static_cast<T>(std::log(row_lse[i].sum));
    row_term += lse - row_pos[i] / row_count[i];
    row_pos_w[i] = static_cast<T>(1.0 / (row_count[i] * static_cast<double>(n)));
  }
  for (int64_t j = 0; j < m; ++j) {
    const double lse = col_lse[j].Value(t_d);
    col_max[j] = static_cast<T>(col_lse[j].max);
    col_logsum[j] = static_cast<T>(std::log(col_lse[j].sum));
    col_term += lse - col_pos[j] / col_count[j];
    col_pos_w[j] = static_cast<T>(1.0 / (col_count[j] * static_cast<double>(m)));
  }
  LossScalars out;
  out.loss = 0.5 * (row_term / static_cast<double>(n) +
                    col_term / static_cast<double>(m));
  if (grads.dimg == nullptr) return out;  // forward only: no dL/dt'

  // Pass 2: G in place of each tile's logits, then the gradient GEMMs.
  const T row_w = static_cast<T>(1.0 / static_cast<double>(n));
  const T col_w = static_cast<T>(1.0 / static_cast<double>(m));
  std::vector<double> dt_sums(static_cast<size_t>(tl.qr * tl.qc), 0.0);
  auto grad_tile = [&](int64_t bi, int64_t bj, int worker) {
    const int64_t r0 = tl.RowBegin(bi), rows = tl.Rows(bi);
    const int64_t c0 = tl.ColBegin(bj), cols = tl.Cols(bj);
    T* S = scratch.get() + static_cast<int64_t>(worker) * tl.br * tl.ld;
    logits(bi, bj, S);
    double dt = 0;
    for (int64_t r = 0; r < rows; ++r) {
      T* srow = S + r * tl.ld;
      const int64_t i = r0 + r;
      if (by_labels) {
        dt += SoftmaxGradRow(srow, cols, t, row_max[i], row_logsum[i],
                             col_max.data() + c0, col_logsum.data() + c0,
                             row_w, col_w, col_labels.data() + c0,
                             row_labels[i], row_pos_w[i],
                             col_pos_w.data() + c0);
        continue;
      }
      const int64_t pc = i - c0;
      const bool has_pos = pc >= 0 && pc < cols;
      const T l_pos = has_pos ? t * srow[pc] : T(0);
      dt += SoftmaxGradRow(srow, cols, t, row_max[i], row_logsum[i],
                           col_max.data() + c0, col_logsum.data() + c0, row_w,
                           col_w, nullptr, L(0), T(0), nullptr);
      if (has_pos) {
        // The diagonal positive: G -= 1/2 (1/(|P(i)| n) + 1/(|P(j)| m)).
        const T w = T(0.5) * (row_pos_w[i] + col_pos_w[c0 + pc]);
        srow[pc] -= t * w;
        dt -= static_cast<double>(w) * static_cast<double>(l_pos);
      }
    }
    dt_sums[static_cast<size_t>(bi * tl.qc + bj)] = dt;
    Gemm(false, false, rows, d, cols, T(1), S, tl.ld, a.txt + c0 * d, d, T(1),
         grads.dimg + r0 * d, d);
    Gemm(true, false, cols, d, rows, T(1), S, tl.ld, a.img + r0 * d, d, T(1),
         grads.dtxt + c0 * d, d);
  };
  if (!grads.accumulate) ZeroGradients(pool, grads.dimg, n, grads.dtxt, m, d);
  for (const auto& round : rounds) {
    pool.ParallelFor(static_cast<int64_t>(round.size()),
                     [&](int64_t task, int worker) {
                       grad_tile(round[task].first, round[task].second, worker);
                     });
  }
  for (double s : dt_sums) out.dt_prime += s;
  return out;
}

template LossScalars SoftmaxLoss<float>(ThreadPool&, const LossArgs<float>&,
                                        const LossGrads<float>&);
template LossScalars SoftmaxLoss<double>(ThreadPool&, const LossArgs<double>&,
                                         const LossGrads<double>&);

}  // namespace siglip
