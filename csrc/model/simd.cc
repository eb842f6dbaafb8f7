// simd.cc: Highway implementations of simd.h, compiled once per SIMD target
// (foreach_target.h re-includes this file) and dispatched at run time.
//
// Each kernel is one templated body run over full vectors and then over the
// tail with one-lane vectors, so the tail computes exactly what the body does.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "csrc/model/simd.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "hwy/contrib/math/math-inl.h"

#include <cmath>
#include <limits>

#include "csrc/model/simd.h"

HWY_BEFORE_NAMESPACE();
namespace siglip {
namespace model {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Runs body(d, i) over full vectors of d, then body(d1, i) over the tail.
template <typename T, class F>
HWY_INLINE void ForEachLane(int64_t n, const F& body) {
  const hn::ScalableTag<T> d;
  const hn::CappedTag<T, 1> d1;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  int64_t i = 0;
  for (; i + N <= n; i += N) body(d, i);
  for (; i < n; ++i) body(d1, i);
}

// Sum over lanes of a reduction run by ForEachLane: one accumulator for the
// wide body and one for the tail, combined at the end.
template <typename T, class F>
HWY_INLINE T SumLanes(int64_t n, const F& term) {
  const hn::ScalableTag<T> d;
  const hn::CappedTag<T, 1> d1;
  const int64_t N = static_cast<int64_t>(hn::Lanes(d));
  auto acc0 = hn::Zero(d);
  auto acc1 = hn::Zero(d);
  int64_t i = 0;
  for (; i + 2 * N <= n; i += 2 * N) {
    acc0 = hn::Add(acc0, term(d, i));
    acc1 = hn::Add(acc1, term(d, i + N));
  }
  for (; i + N <= n; i += N) acc0 = hn::Add(acc0, term(d, i));
  T s = hn::GetLane(hn::SumOfLanes(d, hn::Add(acc0, acc1)));
  for (; i < n; ++i) s += hn::GetLane(term(d1, i));
  return s;
}

template <class D>
HWY_INLINE hn::Vec<D> GeluTanh(D d, hn::Vec<D> x) {
  using T = hn::TFromD<D>;
  const auto c = hn::Set(d, T(0.7978845608028654));  // sqrt(2 / pi)
  const auto k = hn::Set(d, T(0.044715));
  const auto half = hn::Set(d, T(0.5));
  const auto one = hn::Set(d, T(1));
  const auto u = hn::Mul(hn::Mul(c, x), hn::MulAdd(hn::Mul(k, x), x, one));
  const auto t = hn::Tanh(d, u);
  return hn::Mul(hn::Mul(half, x), hn::Add(one, t));
}

template <class D>
HWY_INLINE hn::Vec<D> GeluTanhGrad(D d, hn::Vec<D> x) {
  using T = hn::TFromD<D>;
  const auto c = hn::Set(d, T(0.7978845608028654));
  const auto k = hn::Set(d, T(0.044715));
  const auto k3 = hn::Set(d, T(3 * 0.044715));
  const auto half = hn::Set(d, T(0.5));
  const auto one = hn::Set(d, T(1));
  const auto x2 = hn::Mul(x, x);
  const auto u = hn::Mul(hn::Mul(c, x), hn::MulAdd(k, x2, one));
  const auto t = hn::Tanh(d, u);
  const auto sech2 = hn::NegMulAdd(t, t, one);            // 1 - t^2
  const auto du = hn::Mul(c, hn::MulAdd(k3, x2, one));     // du/dx
  const auto a = hn::Mul(half, hn::Add(one, t));           // 0.5 (1 + t)
  return hn::MulAdd(hn::Mul(half, x), hn::Mul(sech2, du), a);
}

template <typename T>
void AddBiasResidualT(T* HWY_RESTRICT y, const T* HWY_RESTRICT bias,
                      const T* HWY_RESTRICT res, int64_t n) {
  if (bias != nullptr && res != nullptr) {
    ForEachLane<T>(n, [&](auto d, int64_t i) {
      hn::StoreU(hn::Add(hn::LoadU(d, y + i),
                         hn::Add(hn::LoadU(d, bias + i), hn::LoadU(d, res + i))),
                 d, y + i);
    });
  } else if (bias != nullptr || res != nullptr) {
    const T* a = bias != nullptr ? bias : res;
    ForEachLane<T>(n, [&](auto d, int64_t i) {
      hn::StoreU(hn::Add(hn::LoadU(d, y + i), hn::LoadU(d, a + i)), d, y + i);
    });
  }
}

template <typename T>
void AddBiasGeluT(T* HWY_RESTRICT pre, const T* HWY_RESTRICT bias,
                  T* HWY_RESTRICT g, int64_t n) {
  ForEachLane<T>(n, [&](auto d, int64_t i) {
    auto x = hn::LoadU(d, pre + i);
    if (bias != nullptr) {
      x = hn::Add(x, hn::LoadU(d, bias + i));
      hn::StoreU(x, d, pre + i);
    }
    hn::StoreU(GeluTanh(d, x), d, g + i);
  });
}

template <typename T>
void GeluBackwardT(const T* HWY_RESTRICT pre, T* HWY_RESTRICT dd, int64_t n) {
  ForEachLane<T>(n, [&](auto d, int64_t i) {
    hn::StoreU(hn::Mul(hn::LoadU(d, dd + i), GeluTanhGrad(d, hn::LoadU(d, pre + i))),
               d, dd + i);
  });
}

template <typename T>
void SoftmaxRowT(T* HWY_RESTRICT s, const T* HWY_RESTRICT mask, int64_t n) {
  if (mask != nullptr) {
    ForEachLane<T>(n, [&](auto d, int64_t i) {
      hn::StoreU(hn::Add(hn::LoadU(d, s + i), hn::LoadU(d, mask + i)), d, s + i);
    });
  }
  T mx = -std::numeric_limits<T>::infinity();
  {
    const hn::ScalableTag<T> d;
    const int64_t N = static_cast<int64_t>(hn::Lanes(d));
    auto vm = hn::Set(d, mx);
    int64_t i = 0;
    for (; i + N <= n; i += N) vm = hn::Max(vm, hn::LoadU(d, s + i));
    mx = hn::GetLane(hn::MaxOfLanes(d, vm));
    for (; i < n; ++i) mx = s[i] > mx ? s[i] : mx;
  }
  if (!(mx > -std::numeric_limits<T>::infinity())) {  // every key masked
    for (int64_t i = 0; i < n; ++i) s[i] = T(0);
    return;
  }
  const T sum = SumLanes<T>(n, [&](auto d, int64_t i) {
    const auto e = hn::Exp(d, hn::Sub(hn::LoadU(d, s + i), hn::Set(d, mx)));
    hn::StoreU(e, d, s + i);
    return e;
  });
  const T inv = T(1) / sum;
  ForEachLane<T>(n, [&](auto d, int64_t i) {
    hn::StoreU(hn::Mul(hn::LoadU(d, s + i), hn::Set(d, inv)), d, s + i);
  });
}

template <typename T>
T DotT(const T* HWY_RESTRICT a, const T* HWY_RESTRICT b, int64_t n) {
  return SumLanes<T>(n, [&](auto d, int64_t i) {
    return hn::Mul(hn::LoadU(d, a + i), hn::LoadU(d, b + i));
  });
}

template <typename T>
void SoftmaxBackwardRowT(const T* HWY_RESTRICT p, T* HWY_RESTRICT dp, T scale,
                         int64_t n) {
  const T dot = DotT<T>(p, dp, n);
  ForEachLane<T>(n, [&](auto d, int64_t i) {
    const auto pv = hn::LoadU(d, p + i);
    const auto g = hn::Sub(hn::LoadU(d, dp + i), hn::Set(d, dot));
    hn::StoreU(hn::Mul(hn::Set(d, scale), hn::Mul(pv, g)), d, dp + i);
  });
}

template <typename T>
void LayerNormRowT(const T* HWY_RESTRICT x, const T* HWY_RESTRICT g,
                   const T* HWY_RESTRICT b, T* HWY_RESTRICT y, int64_t n,
                   double eps, T* mean_out, T* rstd_out) {
  const T mean = SumLanes<T>(n, [&](auto d, int64_t i) { return hn::LoadU(d, x + i); }) /
                 static_cast<T>(n);
  const T var = SumLanes<T>(n, [&](auto d, int64_t i) {
                  const auto c = hn::Sub(hn::LoadU(d, x + i), hn::Set(d, mean));
                  return hn::Mul(c, c);
                }) /
                static_cast<T>(n);
  const T rstd = static_cast<T>(1.0 / std::sqrt(static_cast<double>(var) + eps));
  ForEachLane<T>(n, [&](auto d, int64_t i) {
    const auto xh = hn::Mul(hn::Sub(hn::LoadU(d, x + i), hn::Set(d, mean)),
                            hn::Set(d, rstd));
    hn::StoreU(hn::MulAdd(xh, hn::LoadU(d, g + i), hn::LoadU(d, b + i)), d, y + i);
  });
  *mean_out = mean;
  *rstd_out = rstd;
}

template <typename T>
void LayerNormBackwardRowT(const T* HWY_RESTRICT dy, const T* HWY_RESTRICT x,
                           const T* HWY_RESTRICT g, T mean, T rstd,
                           T* HWY_RESTRICT dx, bool accumulate, T* HWY_RESTRICT dg,
                           T* HWY_RESTRICT db, int64_t n) {
  // Pass 1: a = mean(g dy), c = mean(g dy xhat); dg += dy xhat; db += dy.
  T sum_a = 0, sum_c = 0;
  {
    const hn::ScalableTag<T> d;
    const hn::CappedTag<T, 1> d1;
    const int64_t N = static_cast<int64_t>(hn::Lanes(d));
    auto acc_a = hn::Zero(d), acc_c = hn::Zero(d);
    auto step = [&](auto dd, int64_t i, auto& aa, auto& ac) {
      const auto dyv = hn::LoadU(dd, dy + i);
      const auto xh = hn::Mul(hn::Sub(hn::LoadU(dd, x + i), hn::Set(dd, mean)),
                              hn::Set(dd, rstd));
      const auto gdy = hn::Mul(hn::LoadU(dd, g + i), dyv);
      aa = hn::Add(aa, gdy);
      ac = hn::MulAdd(gdy, xh, ac);
      hn::StoreU(hn::MulAdd(dyv, xh, hn::LoadU(dd, dg + i)), dd, dg + i);
      hn::StoreU(hn::Add(hn::LoadU(dd, db + i), dyv), dd, db + i);
    };
    int64_t i = 0;
    for (; i + N <= n; i += N) step(d, i, acc_a, acc_c);
    sum_a = hn::GetLane(hn::SumOfLanes(d, acc_a));
    sum_c = hn::GetLane(hn::SumOfLanes(d, acc_c));
    for (; i < n; ++i) {
      auto a1 = hn::Zero(d1), c1 = hn::Zero(d1);
      step(d1, i, a1, c1);
      sum_a += hn::GetLane(a1);
      sum_c += hn::GetLane(c1);
    }
  }
  const T a = sum_a / static_cast<T>(n);
  const T c = sum_c / static_cast<T>(n);
  ForEachLane<T>(n, [&](auto d, int64_t i) {
    const auto xh = hn::Mul(hn::Sub(hn::LoadU(d, x + i), hn::Set(d, mean)),
                            hn::Set(d, rstd));
    const auto gdy = hn::Mul(hn::LoadU(d, g + i), hn::LoadU(d, dy + i));
    // rstd * (gdy - a - xh * c)
    auto v = hn::Mul(hn::Set(d, rstd),
                     hn::NegMulAdd(xh, hn::Set(d, c), hn::Sub(gdy, hn::Set(d, a))));
    if (accumulate) v = hn::Add(v, hn::LoadU(d, dx + i));
    hn::StoreU(v, d, dx + i);
  });
}

template <typename T>
void AxpyT(T a, const T* HWY_RESTRICT x, T* HWY_RESTRICT y, int64_t n) {
  ForEachLane<T>(n, [&](auto d, int64_t i) {
    hn::StoreU(hn::MulAdd(hn::Set(d, a), hn::LoadU(d, x + i), hn::LoadU(d, y + i)),
               d, y + i);
  });
}

template <typename T>
void AddToT(const T* HWY_RESTRICT x, T* HWY_RESTRICT y, int64_t n) {
  ForEachLane<T>(n, [&](auto d, int64_t i) {
    hn::StoreU(hn::Add(hn::LoadU(d, x + i), hn::LoadU(d, y + i)), d, y + i);
  });
}

template <typename T>
double SumSquaresT(const T* HWY_RESTRICT x, int64_t n) {
  // Blocks of 1024 summed in T lanes, the block sums in double.
  double s = 0;
  for (int64_t b = 0; b < n; b += 1024) {
    const int64_t k = n - b < 1024 ? n - b : 1024;
    const T* xb = x + b;
    s += static_cast<double>(SumLanes<T>(k, [&](auto d, int64_t i) {
      const auto v = hn::LoadU(d, xb + i);
      return hn::Mul(v, v);
    }));
  }
  return s;
}

template <typename T>
void AdamWSegmentT(T* HWY_RESTRICT p, const T* HWY_RESTRICT g, T* HWY_RESTRICT m,
                   T* HWY_RESTRICT v, int64_t n, double clip, double beta1,
                   double beta2, double step_size, double bc2_rsqrt, double eps,
                   double decay) {
  ForEachLane<T>(n, [&](auto d, int64_t i) {
    const auto gv = hn::Mul(hn::LoadU(d, g + i), hn::Set(d, T(clip)));
    const auto mv = hn::MulAdd(hn::Set(d, T(beta1)), hn::LoadU(d, m + i),
                               hn::Mul(hn::Set(d, T(1 - beta1)), gv));
    const auto vv = hn::MulAdd(hn::Set(d, T(beta2)), hn::LoadU(d, v + i),
                               hn::Mul(hn::Set(d, T(1 - beta2)), hn::Mul(gv, gv)));
    hn::StoreU(mv, d, m + i);
    hn::StoreU(vv, d, v + i);
    const auto denom =
        hn::MulAdd(hn::Sqrt(vv), hn::Set(d, T(bc2_rsqrt)), hn::Set(d, T(eps)));
    auto pv = hn::LoadU(d, p + i);
    pv = hn::Mul(pv, hn::Set(d, T(1 - decay)));
    pv = hn::NegMulAdd(hn::Set(d, T(step_size)), hn::Div(mv, denom), pv);
    hn::StoreU(pv, d, p + i);
  });
}

// Non-template entry points, one per type, for HWY_EXPORT.
#define SIGLIP_MODEL_SIMD_DEFS(T, S)                                          \
  void AddBiasResidual##S(T* y, const T* bias, const T* res, int64_t n) {    \
    AddBiasResidualT<T>(y, bias, res, n);                                     \
  }                                                                           \
  void AddBiasGelu##S(T* pre, const T* bias, T* g, int64_t n) {              \
    AddBiasGeluT<T>(pre, bias, g, n);                                         \
  }                                                                           \
  void GeluBackward##S(const T* pre, T* d, int64_t n) {                      \
    GeluBackwardT<T>(pre, d, n);                                              \
  }                                                                           \
  void SoftmaxRow##S(T* s, const T* mask, int64_t n) {                       \
    SoftmaxRowT<T>(s, mask, n);                                               \
  }                                                                           \
  void SoftmaxBackwardRow##S(const T* p, T* dp, T scale, int64_t n) {        \
    SoftmaxBackwardRowT<T>(p, dp, scale, n);                                  \
  }                                                                           \
  void LayerNormRow##S(const T* x, const T* g, const T* b, T* y, int64_t n,  \
                       double eps, T* mean, T* rstd) {                        \
    LayerNormRowT<T>(x, g, b, y, n, eps, mean, rstd);                         \
  }                                                                           \
  void LayerNormBackwardRow##S(const T* dy, const T* x, const T* g, T mean,  \
                               T rstd, T* dx, bool accumulate, T* dg, T* db, \
                               int64_t n) {                                   \
    LayerNormBackwardRowT<T>(dy, x, g, mean, rstd, dx, accumulate, dg, db,   \
                             n);                                              \
  }                                                                           \
  T Dot##S(const T* a, const T* b, int64_t n) { return DotT<T>(a, b, n); }   \
  void Axpy##S(T a, const T* x, T* y, int64_t n) { AxpyT<T>(a, x, y, n); }   \
  void AddTo##S(const T* x, T* y, int64_t n) { AddToT<T>(x, y, n); }         \
  double SumSquares##S(const T* x, int64_t n) { return SumSquaresT<T>(x, n); } \
  void AdamWSegment##S(T* p, const T* g, T* m, T* v, int64_t n, double clip, \
                       double beta1, double beta2, double step_size,         \
                       double bc2_rsqrt, double eps, double decay) {          \
    AdamWSegmentT<T>(p, g, m, v, n, clip, beta1, beta2, step_size,           \
                     bc2_rsqrt, eps, decay);                                  \
  }

SIGLIP_MODEL_SIMD_DEFS(float, F32)
SIGLIP_MODEL_SIMD_DEFS(double, F64)
#undef SIGLIP_MODEL_SIMD_DEFS

const char* TargetName() { return hwy::TargetName(HWY_TARGET); }

}  // namespace HWY_NAMESPACE
}  // namespace model
}  // namespace siglip
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace siglip {
namespace model {

#define SIGLIP_MODEL_SIMD_EXPORTS(S) \
  HWY_EXPORT(AddBiasResidual##S);    \
  HWY_EXPORT(AddBiasGelu##S);        \
  HWY_EXPORT(GeluBackward##S);       \
  HWY_EXPORT(SoftmaxRow##S);         \
  HWY_EXPORT(SoftmaxBackwardRow##S); \
  HWY_EXPORT(LayerNormRow##S);       \
  HWY_EXPORT(LayerNormBackwardRow##S); \
  HWY_EXPORT(Dot##S);                \
  HWY_EXPORT(Axpy##S);               \
  HWY_EXPORT(AddTo##S);              \
  HWY_EXPORT(SumSquares##S);         \
  HWY_EXPORT(AdamWSegment##S);

SIGLIP_MODEL_SIMD_EXPORTS(F32)
SIGLIP_MODEL_SIMD_EXPORTS(F64)
HWY_EXPORT(TargetName);

#define SIGLIP_MODEL_SIMD_PUBLIC(T, S)                                        \
  void AddBiasResidual(T* y, const T* bias, const T* res, int64_t n) {       \
    HWY_DYNAMIC_DISPATCH(AddBiasResidual##S)(y, bias, res, n);                \
  }                                                                           \
  void AddBiasGelu(T* pre, const T* bias, T* g, int64_t n) {                 \
    HWY_DYNAMIC_DISPATCH(AddBiasGelu##S)(pre, bias, g, n);                    \
  }                                                                           \
  void GeluBackward(const T* pre, T* d, int64_t n) {                         \
    HWY_DYNAMIC_DISPATCH(GeluBackward##S)(pre, d, n);                         \
  }                                                                           \
  void SoftmaxRow(T* s, const T* mask, int64_t n) {                          \
    HWY_DYNAMIC_DISPATCH(SoftmaxRow##S)(s, mask, n);                          \
  }                                                                           \
  void SoftmaxBackwardRow(const T* p, T* dp, T scale, int64_t n) {           \
    HWY_DYNAMIC_DISPATCH(SoftmaxBackwardRow##S)(p, dp, scale, n);             \
  }                                                                           \
  void LayerNormRow(const T* x, const T* g, const T* b, T* y, int64_t n,     \
                    double eps, T* mean, T* rstd) {                           \
    HWY_DYNAMIC_DISPATCH(LayerNormRow##S)(x, g, b, y, n, eps, mean, rstd);    \
  }                                                                           \
  void LayerNormBackwardRow(const T* dy, const T* x, const T* g, T mean,     \
                            T rstd, T* dx, bool accumulate, T* dg, T* db,    \
                            int64_t n) {                                      \
    HWY_DYNAMIC_DISPATCH(LayerNormBackwardRow##S)(dy, x, g, mean, rstd, dx,   \
                                                  accumulate, dg, db, n);     \
  }                                                                           \
  T Dot(const T* a, const T* b, int64_t n) {                                 \
    return HWY_DYNAMIC_DISPATCH(Dot##S)(a, b, n);                             \
  }                                                                           \
  void Axpy(T a, const T* x, T* y, int64_t n) {                              \
    HWY_DYNAMIC_DISPATCH(Axpy##S)(a, x, y, n);                                \
  }                                                                           \
  void AddTo(const T* x, T* y, int64_t n) {                                  \
    HWY_DYNAMIC_DISPATCH(AddTo##S)(x, y, n);                                  \
  }                                                                           \
  double SumSquares(const T* x, int64_t n) {                                 \
    return HWY_DYNAMIC_DISPATCH(SumSquares##S)(x, n);                         \
  }                                                                           \
  void AdamWSegment(T* p, const T* g, T* m, T* v, int64_t n, double clip,    \
                    double beta1, double beta2, double step_size,            \
                    double bc2_rsqrt, double eps, double decay) {             \
    HWY_DYNAMIC_DISPATCH(AdamWSegment##S)(p, g, m, v, n, clip, beta1, beta2,  \
                                          step_size, bc2_rsqrt, eps, decay);  \
  }

SIGLIP_MODEL_SIMD_PUBLIC(float, F32)
SIGLIP_MODEL_SIMD_PUBLIC(double, F64)
#undef SIGLIP_MODEL_SIMD_PUBLIC

const char* SimdTarget() { return HWY_DYNAMIC_DISPATCH(TargetName)(); }

}  // namespace model
}  // namespace siglip
#endif  // HWY_ONCE
