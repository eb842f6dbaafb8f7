// simd.h: the element-wise kernels of the towers (the work between and
// after the GEMMs), vectorised with Highway and dispatched at run time to the
// widest SIMD target the CPU has. Every function works on one row (or one
// contiguous segment) and has a float and a double overload; callers split
// rows over the thread pool.
#ifndef SIGLIP_CSRC_MODEL_SIMD_H_
#define SIGLIP_CSRC_MODEL_SIMD_H_

#include <cstdint>

namespace siglip {
namespace model {

#define SIGLIP_MODEL_SIMD_DECLS(T)                                            \
  /* y += bias + res (either may be null). */                                \
  void AddBiasResidual(T* y, const T* bias, const T* res, int64_t n);        \
  /* pre += bias (bias may be null); g = gelu_tanh(pre). */                  \
  void AddBiasGelu(T* pre, const T* bias, T* g, int64_t n);                  \
  /* d *= gelu_tanh'(pre). */                                                \
  void GeluBackward(const T* pre, T* d, int64_t n);                          \
  /* s <- softmax(s + mask) in place; mask (0 or -inf per key) may be null. \
   * A row whose keys are all masked becomes zeros. */                       \
  void SoftmaxRow(T* s, const T* mask, int64_t n);                           \
  /* dp <- scale * p * (dp - <p, dp>). */                                    \
  void SoftmaxBackwardRow(const T* p, T* dp, T scale, int64_t n);            \
  /* y = (x - mean) * rstd * g + b; writes mean and rstd. */                 \
  void LayerNormRow(const T* x, const T* g, const T* b, T* y, int64_t n,     \
                    double eps, T* mean, T* rstd);                           \
  /* dx (= or +=) rstd (g dy - mean(g dy) - xhat mean(g dy xhat));          \
   * dg += dy xhat; db += dy. */                                             \
  void LayerNormBackwardRow(const T* dy, const T* x, const T* g, T mean,     \
                            T rstd, T* dx, bool accumulate, T* dg, T* db,    \
                            int64_t n);                                      \
  /* <a, b>, accumulated in T lanes. */                                      \
  T Dot(const T* a, const T* b, int64_t n);                                  \
  /* y += a x. */                                                            \
  void Axpy(T a, const T* x, T* y, int64_t n);                               \
  /* y += x. */                                                              \
  void AddTo(const T* x, T* y, int64_t n);                                   \
  /* sum of squares, in double. */                                           \
  double SumSquares(const T* x, int64_t n);                                  \
  /* One AdamW segment (see adamw.h for the coefficients). */                \
  void AdamWSegment(T* p, const T* g, T* m, T* v, int64_t n, double clip,    \
                    double beta1, double beta2, double step_size,            \
                    double bc2_rsqrt, double eps, double decay);

SIGLIP_MODEL_SIMD_DECLS(float)
SIGLIP_MODEL_SIMD_DECLS(double)

#undef SIGLIP_MODEL_SIMD_DECLS

// The Highway target chosen for this CPU, e.g. "AVX3" (static string).
const char* SimdTarget();

}  // namespace model
}  // namespace siglip

#endif  // SIGLIP_CSRC_MODEL_SIMD_H_
