// epilogue.cc: Highway implementations of epilogue.h, compiled once per SIMD
// target (foreach_target.h re-includes this file) and dispatched at run time.
//
// Every function has a vector main loop over full vectors and a tail that
// runs the same templated body with one-lane vectors, so the tail computes
// exactly what the body computes.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "csrc/epilogue.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/contrib/math/math-inl.h"

#include "epilogue.h"

HWY_BEFORE_NAMESPACE();
namespace siglip {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// ---------------------------------------------------------------------------
// Sigmoid loss. With u = -z l (u = l for a negative, -l for a positive):
//   loss term  softplus(u) = max(u, 0) + log1p(e),   e = exp(-|l|)
//   sigmoid(u) = 1 / (1 + e) if u >= 0, else e / (1 + e)
//   g = sigmoid(l) - [positive] = sigmoid(u) for a negative, -sigmoid(u) for a
//   positive (since sigmoid(l) - 1 = -sigmoid(-l)).
// exp only ever sees -|l| <= 0, so nothing overflows for any finite l, and
// log1p of a value in [0, 1] is accurate, so no term loses precision.
template <class D, class DL, typename T, typename L>
HWY_INLINE void SigmoidStep(D d, DL dl, T* HWY_RESTRICT s,
                            const L* HWY_RESTRICT labels, size_t i,
                            hn::Vec<D> t, hn::Vec<D> b, hn::Vec<D> scale,
                            hn::Vec<DL> row_label, bool with_labels,
                            bool write_grad, hn::Vec<D>& acc_loss,
                            hn::Vec<D>& acc_g, hn::Vec<D>& acc_gs) {
  const auto zero = hn::Zero(d);
  const auto one = hn::Set(d, T(1));
  const auto sv = hn::LoadU(d, s + i);
  const auto l = hn::MulAdd(t, sv, b);
  auto pos = hn::Lt(one, zero);  // all false
  if (with_labels) {
    pos = hn::RebindMask(d, hn::Eq(hn::LoadU(dl, labels + i), row_label));
  }
  const auto u = hn::IfThenElse(pos, hn::Neg(l), l);
  const auto e = hn::Exp(d, hn::Neg(hn::Abs(l)));
  const auto loss = hn::Add(hn::Max(u, zero), hn::Log1p(d, e));
  const auto inv = hn::Div(one, hn::Add(one, e));
  const auto sig_u = hn::IfThenElse(hn::Ge(u, zero), inv, hn::Mul(e, inv));
  const auto g = hn::IfThenElse(pos, hn::Neg(sig_u), sig_u);
  acc_loss = hn::Add(acc_loss, loss);
  acc_g = hn::Add(acc_g, g);
  acc_gs = hn::MulAdd(g, sv, acc_gs);
  if (write_grad) hn::StoreU(hn::Mul(g, scale), d, s + i);
}

template <typename T, typename L>
HWY_INLINE void SigmoidRowImpl(T* HWY_RESTRICT s, int64_t count, T t, T b,
                               T grad_scale, const L* HWY_RESTRICT labels,
                               L row_label, bool write_grad,
                               SigmoidSums* sums) {
  const hn::ScalableTag<T> d;
  const hn::RebindToSigned<decltype(d)> dl;
  const hn::CappedTag<T, 1> d1;
  const hn::RebindToSigned<decltype(d1)> dl1;
  const bool with_labels = labels != nullptr;
  const size_t n = static_cast<size_t>(count);
  const size_t N = hn::Lanes(d);

  auto acc_loss = hn::Zero(d), acc_g = hn::Zero(d), acc_gs = hn::Zero(d);
  size_t i = 0;
  for (; i + N <= n; i += N) {
    SigmoidStep(d, dl, s, labels, i, hn::Set(d, t), hn::Set(d, b),
                hn::Set(d, grad_scale), hn::Set(dl, row_label), with_labels,
                write_grad, acc_loss, acc_g, acc_gs);
  }
  auto acc_loss1 = hn::Zero(d1), acc_g1 = hn::Zero(d1), acc_gs1 = hn::Zero(d1);
  for (; i < n; ++i) {
    SigmoidStep(d1, dl1, s, labels, i, hn::Set(d1, t), hn::Set(d1, b),
                hn::Set(d1, grad_scale), hn::Set(dl1, row_label), with_labels,
                write_grad, acc_loss1, acc_g1, acc_gs1);
  }
  sums->loss += static_cast<double>(hn::GetLane(hn::SumOfLanes(d, acc_loss))) +
                static_cast<double>(hn::GetLane(acc_loss1));
  sums->g += static_cast<double>(hn::GetLane(hn::SumOfLanes(d, acc_g))) +
             static_cast<double>(hn::GetLane(acc_g1));
  sums->gs += static_cast<double>(hn::GetLane(hn::SumOfLanes(d, acc_gs))) +
              static_cast<double>(hn::GetLane(acc_gs1));
}

void SigmoidRowF32(float* s, int64_t count, float t, float b, float grad_scale,
                   const int32_t* labels, int32_t row_label, bool write_grad,
                   SigmoidSums* sums) {
  SigmoidRowImpl(s, count, t, b, grad_scale, labels, row_label, write_grad,
                 sums);
}
void SigmoidRowF64(double* s, int64_t count, double t, double b,
                   double grad_scale, const int64_t* labels, int64_t row_label,
                   bool write_grad, SigmoidSums* sums) {
  SigmoidRowImpl(s, count, t, b, grad_scale, labels, row_label, write_grad,
                 sums);
}

// ---------------------------------------------------------------------------
// Softmax pass 1. Row statistics: the max dot product of the row, then
// sum exp(t (s - max)); two sweeps over a row that sits in L1. The exponent
// is a product of t and a difference that is <= 0 and exactly 0 for the
// max, whatever FMAs the compiler forms (see epilogue.h).
template <typename T>
HWY_INLINE void SoftmaxRowStatsImpl(const T* HWY_RESTRICT s, int64_t count,
                                    T t, T* max_out, T* sumexp_out) {
  const hn::ScalableTag<T> d;
  const hn::CappedTag<T, 1> d1;
  const size_t n = static_cast<size_t>(count);
  const size_t N = hn::Lanes(d);
  auto vmax = hn::Set(d, s[0]);
  size_t i = 0;
  for (; i + N <= n; i += N) vmax = hn::Max(vmax, hn::LoadU(d, s + i));
  T mx = hn::GetLane(hn::MaxOfLanes(d, vmax));
  for (; i < n; ++i) mx = s[i] > mx ? s[i] : mx;
  const auto tv = hn::Set(d, t), mv = hn::Set(d, mx);
  const auto tv1 = hn::Set(d1, t), mv1 = hn::Set(d1, mx);
  auto acc = hn::Zero(d);
  auto acc1 = hn::Zero(d1);
  for (i = 0; i + N <= n; i += N) {
    acc = hn::Add(acc, hn::Exp(d, hn::Mul(tv, hn::Sub(hn::LoadU(d, s + i), mv))));
  }
  for (; i < n; ++i) {
    acc1 = hn::Add(acc1,
                   hn::Exp(d1, hn::Mul(tv1, hn::Sub(hn::LoadU(d1, s + i), mv1))));
  }
  *max_out = mx;
  *sumexp_out = hn::GetLane(hn::SumOfLanes(d, acc)) + hn::GetLane(acc1);
}

// Column statistics of a tile, vectorised across columns: a sweep for the
// column maxima, then one for the sums of exp(t (s - column max)).
template <class D, typename T>
HWY_INLINE void SoftmaxColStatsStrip(D d, const T* HWY_RESTRICT s,
                                     int64_t rows, int64_t ld, size_t c, T t,
                                     T* col_max, T* col_sumexp) {
  auto vmax = hn::LoadU(d, s + c);
  for (int64_t r = 1; r < rows; ++r) {
    vmax = hn::Max(vmax, hn::LoadU(d, s + r * ld + c));
  }
  const auto tv = hn::Set(d, t);
  auto acc = hn::Zero(d);
  for (int64_t r = 0; r < rows; ++r) {
    acc = hn::Add(
        acc, hn::Exp(d, hn::Mul(tv, hn::Sub(hn::LoadU(d, s + r * ld + c), vmax))));
  }
  hn::StoreU(vmax, d, col_max + c);
  hn::StoreU(acc, d, col_sumexp + c);
}

template <typename T>
HWY_INLINE void SoftmaxColStatsImpl(const T* HWY_RESTRICT s, int64_t rows,
                                    int64_t cols, int64_t ld, T t,
                                    T* col_max, T* col_sumexp) {
  const hn::ScalableTag<T> d;
  const hn::CappedTag<T, 1> d1;
  const size_t n = static_cast<size_t>(cols);
  const size_t N = hn::Lanes(d);
  size_t c = 0;
  for (; c + N <= n; c += N) {
    SoftmaxColStatsStrip(d, s, rows, ld, c, t, col_max, col_sumexp);
  }
  for (; c < n; ++c) {
    SoftmaxColStatsStrip(d1, s, rows, ld, c, t, col_max, col_sumexp);
  }
}

// ---------------------------------------------------------------------------
// Softmax pass 2: the gradient of the logits, see epilogue.h. The exponents
// t (s - max) - logsum are <= 0 in exact arithmetic; rounding can push them
// an ulp above, so they are clamped at 0.
template <class D, class DL, typename T, typename L>
HWY_INLINE void SoftmaxGradStep(D d, DL dl, T* HWY_RESTRICT s,
                                const T* HWY_RESTRICT col_max,
                                const T* HWY_RESTRICT col_logsum,
                                const L* HWY_RESTRICT labels,
                                const T* HWY_RESTRICT col_pos_w, size_t i,
                                hn::Vec<D> t, hn::Vec<D> row_max,
                                hn::Vec<D> row_logsum, hn::Vec<D> row_w,
                                hn::Vec<D> col_w, hn::Vec<DL> row_label,
                                hn::Vec<D> row_pos_w, bool with_labels,
                                hn::Vec<D>& acc_gl) {
  const auto half = hn::Set(d, T(0.5));
  const auto zero = hn::Zero(d);
  const auto sv = hn::LoadU(d, s + i);
  const auto l = hn::Mul(t, sv);
  const auto e_row = hn::MulSub(t, hn::Sub(sv, row_max), row_logsum);
  const auto e_col = hn::MulSub(t, hn::Sub(sv, hn::LoadU(d, col_max + i)),
                                hn::LoadU(d, col_logsum + i));
  const auto p_row = hn::Exp(d, hn::Min(e_row, zero));
  const auto p_col = hn::Exp(d, hn::Min(e_col, zero));
  auto g = hn::MulAdd(p_row, row_w, hn::Mul(p_col, col_w));
  if (with_labels) {
    const auto pos =
        hn::RebindMask(d, hn::Eq(hn::LoadU(dl, labels + i), row_label));
    const auto w = hn::Add(row_pos_w, hn::LoadU(d, col_pos_w + i));
    g = hn::Sub(g, hn::IfThenElseZero(pos, w));
  }
  g = hn::Mul(g, half);
  acc_gl = hn::MulAdd(g, l, acc_gl);
  hn::StoreU(hn::Mul(g, t), d, s + i);
}

template <typename T, typename L>
HWY_INLINE double SoftmaxGradRowImpl(T* HWY_RESTRICT s, int64_t count, T t,
                                     T row_max, T row_logsum,
                                     const T* HWY_RESTRICT col_max,
                                     const T* HWY_RESTRICT col_logsum,
                                     T row_w, T col_w,
                                     const L* HWY_RESTRICT labels, L row_label,
                                     T row_pos_w,
                                     const T* HWY_RESTRICT col_pos_w) {
  const hn::ScalableTag<T> d;
  const hn::RebindToSigned<decltype(d)> dl;
  const hn::CappedTag<T, 1> d1;
  const hn::RebindToSigned<decltype(d1)> dl1;
  const bool with_labels = labels != nullptr;
  const size_t n = static_cast<size_t>(count);
  const size_t N = hn::Lanes(d);
  auto acc = hn::Zero(d);
  auto acc1 = hn::Zero(d1);
  size_t i = 0;
  for (; i + N <= n; i += N) {
    SoftmaxGradStep(d, dl, s, col_max, col_logsum, labels, col_pos_w, i,
                    hn::Set(d, t), hn::Set(d, row_max), hn::Set(d, row_logsum),
                    hn::Set(d, row_w), hn::Set(d, col_w), hn::Set(dl, row_label),
                    hn::Set(d, row_pos_w), with_labels, acc);
  }
  for (; i < n; ++i) {
    SoftmaxGradStep(d1, dl1, s, col_max, col_logsum, labels, col_pos_w, i,
                    hn::Set(d1, t), hn::Set(d1, row_max),
                    hn::Set(d1, row_logsum), hn::Set(d1, row_w),
                    hn::Set(d1, col_w), hn::Set(dl1, row_label),
                    hn::Set(d1, row_pos_w), with_labels, acc1);
  }
  return static_cast<double>(hn::GetLane(hn::SumOfLanes(d, acc))) +
         static_cast<double>(hn::GetLane(acc1));
}

void SoftmaxRowStatsF32(const float* s, int64_t count, float t, float* mx,
                        float* se) {
  SoftmaxRowStatsImpl(s, count, t, mx, se);
}
void SoftmaxRowStatsF64(const double* s, int64_t count, double t, double* mx,
                        double* se) {
  SoftmaxRowStatsImpl(s, count, t, mx, se);
}
void SoftmaxColStatsF32(const float* s, int64_t rows, int64_t cols, int64_t ld,
                        float t, float* mx, float* se) {
  SoftmaxColStatsImpl(s, rows, cols, ld, t, mx, se);
}
void SoftmaxColStatsF64(const double* s, int64_t rows, int64_t cols,
                        int64_t ld, double t, double* mx, double* se) {
  SoftmaxColStatsImpl(s, rows, cols, ld, t, mx, se);
}
double SoftmaxGradRowF32(float* s, int64_t count, float t, float row_max,
                         float row_logsum, const float* col_max,
                         const float* col_logsum, float row_w, float col_w,
                         const int32_t* labels, int32_t row_label,
                         float row_pos_w, const float* col_pos_w) {
  return SoftmaxGradRowImpl(s, count, t, row_max, row_logsum, col_max,
                            col_logsum, row_w, col_w, labels, row_label,
                            row_pos_w, col_pos_w);
}
double SoftmaxGradRowF64(double* s, int64_t count, double t, double row_max,
                         double row_logsum, const double* col_max,
                         const double* col_logsum, double row_w, double col_w,
                         const int64_t* labels, int64_t row_label,
                         double row_pos_w, const double* col_pos_w) {
  return SoftmaxGradRowImpl(s, count, t, row_max, row_logsum, col_max,
                            col_logsum, row_w, col_w, labels, row_label,
                            row_pos_w, col_pos_w);
}

const char* TargetNameOfThisTarget() { return hwy::TargetName(HWY_TARGET); }

}  // namespace HWY_NAMESPACE
}  // namespace siglip
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace siglip {

HWY_EXPORT(SigmoidRowF32);
HWY_EXPORT(SigmoidRowF64);
HWY_EXPORT(SoftmaxRowStatsF32);
HWY_EXPORT(SoftmaxRowStatsF64);
HWY_EXPORT(SoftmaxColStatsF32);
HWY_EXPORT(SoftmaxColStatsF64);
HWY_EXPORT(SoftmaxGradRowF32);
HWY_EXPORT(SoftmaxGradRowF64);
HWY_EXPORT(TargetNameOfThisTarget);

void SigmoidRow(float* s, int64_t count, float t, float b, float grad_scale,
                const int32_t* col_labels, int32_t row_label, bool write_grad,
                SigmoidSums* sums) {
  HWY_DYNAMIC_DISPATCH(SigmoidRowF32)(s, count, t, b, grad_scale, col_labels,
                                      row_label, write_grad, sums);
}
void SigmoidRow(double* s, int64_t count, double t, double b,
                double grad_scale, const int64_t* col_labels,
                int64_t row_label, bool write_grad, SigmoidSums* sums) {
  HWY_DYNAMIC_DISPATCH(SigmoidRowF64)(s, count, t, b, grad_scale, col_labels,
                                      row_label, write_grad, sums);
}
void SoftmaxRowStats(const float* s, int64_t count, float t, float* max_out,
                     float* sumexp_out) {
  HWY_DYNAMIC_DISPATCH(SoftmaxRowStatsF32)(s, count, t, max_out, sumexp_out);
}
void SoftmaxRowStats(const double* s, int64_t count, double t,
                     double* max_out, double* sumexp_out) {
  HWY_DYNAMIC_DISPATCH(SoftmaxRowStatsF64)(s, count, t, max_out, sumexp_out);
}
void SoftmaxColStats(const float* s, int64_t rows, int64_t cols, int64_t ld,
                     float t, float* col_max, float* col_sumexp) {
  HWY_DYNAMIC_DISPATCH(SoftmaxColStatsF32)(s, rows, cols, ld, t, col_max,
                                           col_sumexp);
}
void SoftmaxColStats(const double* s, int64_t rows, int64_t cols, int64_t ld,
                     double t, double* col_max, double* col_sumexp) {
  HWY_DYNAMIC_DISPATCH(SoftmaxColStatsF64)(s, rows, cols, ld, t, col_max,
                                           col_sumexp);
}
double SoftmaxGradRow(float* s, int64_t count, float t, float row_max,
                      float row_logsum, const float* col_max,
                      const float* col_logsum, float row_w, float col_w,
                      const int32_t* col_labels, int32_t row_label,
                      float row_pos_w, const float* col_pos_w) {
  return HWY_DYNAMIC_DISPATCH(SoftmaxGradRowF32)(
      s, count, t, row_max, row_logsum, col_max, col_logsum, row_w, col_w,
      col_labels, row_label, row_pos_w, col_pos_w);
}
double SoftmaxGradRow(double* s, int64_t count, double t, double row_max,
                      double row_logsum, const double* col_max,
                      const double* col_logsum, double row_w, double col_w,
                      const int64_t* col_labels, int64_t row_label,
                      double row_pos_w, const double* col_pos_w) {
  return HWY_DYNAMIC_DISPATCH(SoftmaxGradRowF64)(
      s, count, t, row_max, row_logsum, col_max, col_logsum, row_w, col_w,
      col_labels, row_label, row_pos_w, col_pos_w);
}
const char* EpilogueTarget() {
  return HWY_DYNAMIC_DISPATCH(TargetNameOfThisTarget)();
}

}  // namespace siglip
#endif  // HWY_ONCE
