// epilogue.h: the element-wise work between the GEMMs of the loss kernels.
//
// Each function works on one row (or one tile) of logit dot products
// s_ij = <x_i, y_j> held in the scratch tile that the logits GEMM wrote, and
// is vectorised with Highway; the SIMD target (AVX2, AVX-512, NEON, ...) is
// chosen once at run time (dynamic dispatch), so the same binary runs
// everywhere at the width the CPU has.
//
// Labels are dense small integers of the element's width (int32 for float,
// int64 for double): the kernels remap the caller's int64 labels once per
// call, so a SIMD compare of labels has as many lanes as the data.
#ifndef SIGLIP_CSRC_EPILOGUE_H_
#define SIGLIP_CSRC_EPILOGUE_H_

#include <cstdint>

namespace siglip {

// Sums over a row segment, always accumulated in double by the caller.
struct SigmoidSums {
  double loss = 0;  // sum of softplus(-z l)
  double g = 0;     // sum of sigmoid(l) - [z = +1]
  double gs = 0;    // sum of (sigmoid(l) - [z = +1]) * s
};

// The sigmoid loss on one row segment of `count` logit dot products s[c].
//   l = t s + b; z = +1 where col_labels[c] == row_label (when col_labels is
//   not null), else z = -1 for every element.
// Adds sum softplus(-z l), sum g and sum g s to *sums, where
// g = sigmoid(l) - [z = +1]. If write_grad, s[c] is replaced by
// grad_scale * g (grad_scale = t / norm, so the gradient GEMMs need no scaling).
// Stable for any finite t, b, s: softplus(u) = max(u, 0) + log1p(exp(-|u|)).
void SigmoidRow(float* s, int64_t count, float t, float b, float grad_scale,
                const int32_t* col_labels, int32_t row_label, bool write_grad,
                SigmoidSums* sums);
void SigmoidRow(double* s, int64_t count, double t, double b,
                double grad_scale, const int64_t* col_labels,
                int64_t row_label, bool write_grad, SigmoidSums* sums);

// Softmax pass 1, rows: for a row of `count` dot products, the maximum dot
// product s_max and sum exp(t (s - s_max)). The max is kept as a dot product,
// not a logit, so that the exponent of the largest element is exactly 0
// whatever the compiler contracts into FMAs.
void SoftmaxRowStats(const float* s, int64_t count, float t, float* max_out,
                     float* sumexp_out);
void SoftmaxRowStats(const double* s, int64_t count, double t,
                     double* max_out, double* sumexp_out);

// Softmax pass 1, columns: for a rows x cols tile (row stride ld), the maximum
// dot product of each column and the sum of exp(t (s - that maximum)).
void SoftmaxColStats(const float* s, int64_t rows, int64_t cols, int64_t ld,
                     float t, float* col_max, float* col_sumexp);
void SoftmaxColStats(const double* s, int64_t rows, int64_t cols, int64_t ld,
                     double t, double* col_max, double* col_sumexp);

// Softmax pass 2 on one row segment: with l = t s and the log-sum-exps given
// as R = t row_max + row_logsum and C_c = t col_max[c] + col_logsum[c],
//   G = 1/2 [ exp(l - R) * row_w + exp(l - C_c) * col_w
//             - [positive] * (row_pos_w + col_pos_w[c]) ]
// with l - R computed as t (s - row_max) - row_logsum (see SoftmaxRowStats).
// where row_w = 1/n, col_w = 1/m and the positive weights are 1/(|P| n),
// 1/(|P| m). Positives are where col_labels[c] == row_label (when col_labels
// is not null; the diagonal case is fixed up by the caller). Writes t * G to
// s[c] and returns sum G * l (for dL/dt').
double SoftmaxGradRow(float* s, int64_t count, float t, float row_max,
                      float row_logsum, const float* col_max,
                      const float* col_logsum, float row_w, float col_w,
                      const int32_t* col_labels, int32_t row_label,
                      float row_pos_w, const float* col_pos_w);
double SoftmaxGradRow(double* s, int64_t count, double t, double row_max,
                      double row_logsum, const double* col_max,
                      const double* col_logsum, double row_w, double col_w,
                      const int64_t* col_labels, int64_t row_label,
                      double row_pos_w, const double* col_pos_w);

// The SIMD target Highway chose for this CPU, e.g. "AVX3" (static string).
const char* EpilogueTarget();

}  // namespace siglip

#endif  // SIGLIP_CSRC_EPILOGUE_H_
