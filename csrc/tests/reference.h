// reference.h: the independent reference of the C++ tests.
//
// The losses of siglip.h re-derived in plain loops (no BLAS, no tiles, no
// threads), templated on the accumulation type so that the extreme-parameter
// tests can use long double. Nothing here is copied from the kernels: the
// kernels are held against this file, and this file is held against finite
// differences of itself (gradcheck_test.cc).
//
//   sigmoid:  l_ij = exp(t') <x_i, y_j> + b,  z_ij = +1 (positive) or -1,
//             L = (1/norm) sum_ij softplus(-z_ij l_ij),
//             G_ij = dL/dl_ij = (sigmoid(l_ij) - [z_ij = +1]) / norm.
//   softmax:  l_ij = exp(t') <x_i, y_j>  (no bias; it would cancel anyway),
//             L = 1/2 [ (1/n) sum_i (LSE_j l_ij - mean_{j in P(i)} l_ij)
//                     + (1/m) sum_j (LSE_i l_ij - mean_{i in P(j)} l_ij) ],
//             G_ij = 1/(2n) (softmax_row_i(l)_j - [j in P(i)] / |P(i)|)
//                  + 1/(2m) (softmax_col_j(l)_i - [i in P(j)] / |P(j)|).
//   both:     dL/dx_i = t sum_j G_ij y_j,  dL/dy_j = t sum_i G_ij x_i,
//             dL/dt'  = sum_ij G_ij (l_ij - b),  dL/db = sum_ij G_ij.
#ifndef SIGLIP_CSRC_TESTS_REFERENCE_H_
#define SIGLIP_CSRC_TESTS_REFERENCE_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "siglip.h"

namespace siglip_test {

enum class Kind { kSigmoid, kSoftmax };

inline const char* KindName(Kind k) {
  return k == Kind::kSigmoid ? "sigmoid" : "softmax";
}

// One loss problem, held in double (float calls round the inputs first).
struct Problem {
  int64_t n = 0, m = 0, d = 0;
  std::vector<double> img, txt;  // n x d, m x d, row-major
  siglip_positives positives = SIGLIP_POS_DIAGONAL;
  std::vector<int64_t> img_labels, txt_labels;
  int64_t row_offset = 0, col_offset = 0;
  double t_prime = std::log(10.0);
  double bias = -10.0;
  double norm = 0;  // 0: n

  double Norm() const { return norm > 0 ? norm : static_cast<double>(n); }
};

// Deterministic, portable uniform numbers in [-1, 1) (the standard
// distributions differ between library implementations; the engine does not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  double Uniform() {
    return static_cast<double>(engine_() >> 11) * 0x1.0p-52 - 1.0;
  }
  uint64_t Next() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

// rows x d matrix of random rows; unit L2 norm each (as the towers give)
// when `unit`, then multiplied by `scale`.
inline std::vector<double> RandomRows(int64_t rows, int64_t d, Rng& rng,
                                      double scale = 1.0, bool unit = true) {
  std::vector<double> v(static_cast<size_t>(rows * d));
  for (int64_t i = 0; i < rows; ++i) {
    double ss = 0;
    for (int64_t k = 0; k < d; ++k) {
      double x = rng.Uniform();
      if (x == 0) x = 0.5;
      v[i * d + k] = x;
      ss += x * x;
    }
    double f = unit ? scale / std::sqrt(ss) : scale;
    for (int64_t k = 0; k < d; ++k) v[i * d + k] *= f;
  }
  return v;
}

// A diagonal problem (n x m, offsets 0) with unit rows.
inline Problem MakeProblem(int64_t n, int64_t m, int64_t d, uint64_t seed,
                           double t_prime = std::log(10.0),
                           double bias = -10.0) {
  Rng rng(seed);
  Problem p;
  p.n = n;
  p.m = m;
  p.d = d;
  p.img = RandomRows(n, d, rng);
  p.txt = RandomRows(m, d, rng);
  p.t_prime = t_prime;
  p.bias = bias;
  return p;
}

// Gives p labels in [0, classes) such that every image and every text has at
// least one positive (every class occurs on both sides; classes <= n, m),
// shuffled. Several texts per image and several images per text occur when
// classes < m or classes < n.
inline void SetLabels(Problem& p, int64_t classes, uint64_t seed) {
  Rng rng(seed);
  auto make = [&](int64_t count) {
    std::vector<int64_t> l(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) l[i] = (i * 7 + 3) % classes + 100;
    for (int64_t i = count - 1; i > 0; --i) {
      int64_t j = static_cast<int64_t>(rng.Next() % static_cast<uint64_t>(i + 1));
      std::swap(l[i], l[j]);
    }
    return l;
  };
  p.positives = SIGLIP_POS_LABELS;
  p.img_labels = make(p.n);
  p.txt_labels = make(p.m);
}

inline bool IsPositive(const Problem& p, int64_t i, int64_t j) {
  switch (p.positives) {
    case SIGLIP_POS_DIAGONAL:
      return i + p.row_offset == j + p.col_offset;
    case SIGLIP_POS_LABELS:
      return p.img_labels[i] == p.txt_labels[j];
    case SIGLIP_POS_NONE:
      return false;
  }
  return false;
}

// Values of one loss call, in double.
struct Result {
  double loss = 0, dt_prime = 0, dbias = 0;
  std::vector<double> dimg, dtxt;
};

// The reference also gives, for each output, the sum of the absolute values
// of the terms it is a sum of: the scale against which rounding errors of a
// correct implementation are measured (cancellation-aware tolerances).
struct Reference : Result {
  double loss_scale = 0, dt_prime_scale = 0, dbias_scale = 0;
  std::vector<double> dimg_scale, dtxt_scale;
};

template <typename R>
R StableSigmoid(R x) {
  if (x >= 0) return R(1) / (R(1) + std::exp(-x));
  R e = std::exp(x);
  return e / (R(1) + e);
}

template <typename R>
R Softplus(R u) {
  return std::max(u, R(0)) + std::log1p(std::exp(-std::fabs(u)));
}

// The reference loss and gradients, accumulated in R.
template <typename R = double>
Reference ComputeReference(Kind kind, const Problem& p) {
  const int64_t n = p.n, m = p.m, d = p.d;
  const R t = std::exp(static_cast<R>(p.t_prime));
  const R b = kind == Kind::kSigmoid ? static_cast<R>(p.bias) : R(0);
  std::vector<R> s(static_cast<size_t>(n * m));  // <x_i, y_j>
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j) {
      R acc = 0;
      for (int64_t k = 0; k < d; ++k)
        acc += static_cast<R>(p.img[i * d + k]) * static_cast<R>(p.txt[j * d + k]);
      s[i * m + j] = acc;
    }
  std::vector<R> g(static_cast<size_t>(n * m));  // dL/dl_ij
  // |G_ij| before cancellation: the softmax G is a difference of a
  // probability and a positive's weight, so its rounding error scales with
  // the sum of their magnitudes (for the sigmoid G this is just |G_ij|).
  std::vector<R> gabs(static_cast<size_t>(n * m));
  R loss = 0, loss_scale = 0;
  if (kind == Kind::kSigmoid) {
    const R norm = static_cast<R>(p.Norm());
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j) {
        const R l = t * s[i * m + j] + b;
        const bool pos = IsPositive(p, i, j);
        loss += Softplus(pos ? -l : l);
        // sigmoid(l) - 1 = -sigmoid(-l), without cancellation.
        g[i * m + j] = (pos ? -StableSigmoid(-l) : StableSigmoid(l)) / norm;
        gabs[i * m + j] = std::fabs(g[i * m + j]);
      }
    loss /= norm;
    loss_scale = loss;  // all terms are >= 0
  } else {
    std::vector<R> row_lse(n), col_lse(m), row_mean(n), col_mean(m);
    std::vector<int64_t> row_pos(n, 0), col_pos(m, 0);
    for (int64_t i = 0; i < n; ++i) {
      R mx = -std::numeric_limits<R>::infinity();
      for (int64_t j = 0; j < m; ++j) mx = std::max(mx, t * s[i * m + j]);
      R sum = 0, possum = 0;
      for (int64_t j = 0; j < m; ++j) {
        const R l = t * s[i * m + j];
        sum += std::exp(l - mx);
        if (IsPositive(p, i, j)) {
          possum += l;
          ++row_pos[i];
        }
      }
      row_lse[i] = mx + std::log(sum);
      row_mean[i] = row_pos[i] ? possum / static_cast<R>(row_pos[i]) : R(NAN);
    }
    for (int64_t j = 0; j < m; ++j) {
      R mx = -std::numeric_limits<R>::infinity();
      for (int64_t i = 0; i < n; ++i) mx = std::max(mx, t * s[i * m + j]);
      R sum = 0, possum = 0;
      for (int64_t i = 0; i < n; ++i) {
        const R l = t * s[i * m + j];
        sum += std::exp(l - mx);
        if (IsPositive(p, i, j)) {
          possum += l;
          ++col_pos[j];
        }
      }
      col_lse[j] = mx + std::log(sum);
      col_mean[j] = col_pos[j] ? possum / static_cast<R>(col_pos[j]) : R(NAN);
    }
    const R hn = R(1) / (R(2) * static_cast<R>(n));
    const R hm = R(1) / (R(2) * static_cast<R>(m));
    for (int64_t i = 0; i < n; ++i) {
      loss += hn * (row_lse[i] - row_mean[i]);
      loss_scale += hn * (std::fabs(row_lse[i]) + std::fabs(row_mean[i]));
    }
    for (int64_t j = 0; j < m; ++j) {
      loss += hm * (col_lse[j] - col_mean[j]);
      loss_scale += hm * (std::fabs(col_lse[j]) + std::fabs(col_mean[j]));
    }
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < m; ++j) {
        const R l = t * s[i * m + j];
        const bool pos = IsPositive(p, i, j);
        const R pr = std::exp(l - row_lse[i]), pc = std::exp(l - col_lse[j]);
        const R wr = pos ? R(1) / static_cast<R>(row_pos[i]) : R(0);
        const R wc = pos ? R(1) / static_cast<R>(col_pos[j]) : R(0);
        g[i * m + j] = hn * (pr - wr) + hm * (pc - wc);
        gabs[i * m + j] = hn * (pr + wr) + hm * (pc + wc);
      }
  }

  Reference ref;
  ref.loss = static_cast<double>(loss);
  ref.loss_scale = static_cast<double>(loss_scale);
  R dt = 0, dts = 0, db = 0, dbs = 0;
  for (int64_t q = 0; q < n * m; ++q) {
    dt += g[q] * t * s[q];
    dts += gabs[q] * std::fabs(t * s[q]);
    db += g[q];
    dbs += gabs[q];
  }
  ref.dt_prime = static_cast<double>(dt);
  ref.dt_prime_scale = static_cast<double>(dts);
  if (kind == Kind::kSigmoid) {
    ref.dbias = static_cast<double>(db);
    ref.dbias_scale = static_cast<double>(dbs);
  }
  ref.dimg.assign(n * d, 0);
  ref.dimg_scale.assign(n * d, 0);
  ref.dtxt.assign(m * d, 0);
  ref.dtxt_scale.assign(m * d, 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < d; ++k) {
      R acc = 0, sc = 0;
      for (int64_t j = 0; j < m; ++j) {
        const R y = static_cast<R>(p.txt[j * d + k]);
        acc += g[i * m + j] * y;
        sc += gabs[i * m + j] * std::fabs(y);
      }
      ref.dimg[i * d + k] = static_cast<double>(t * acc);
      ref.dimg_scale[i * d + k] = static_cast<double>(t * sc);
    }
  for (int64_t j = 0; j < m; ++j)
    for (int64_t k = 0; k < d; ++k) {
      R acc = 0, sc = 0;
      for (int64_t i = 0; i < n; ++i) {
        const R x = static_cast<R>(p.img[i * d + k]);
        acc += g[i * m + j] * x;
        sc += gabs[i * m + j] * std::fabs(x);
      }
      ref.dtxt[j * d + k] = static_cast<double>(t * acc);
      ref.dtxt_scale[j * d + k] = static_cast<double>(t * sc);
    }
  return ref;
}

// ---------------------------------------------------------------------------
// Calling the C ABI.

struct PoolDeleter {
  void operator()(siglip_pool* p) const { siglip_pool_destroy(p); }
};
using Pool = std::unique_ptr<siglip_pool, PoolDeleter>;

inline Pool MakePool(int threads) {
  siglip_pool* p = nullptr;
  char err[256] = {0};
  int rc = siglip_pool_create(threads, &p, err, sizeof err);
  EXPECT_EQ(rc, SIGLIP_OK) << err;
  EXPECT_NE(p, nullptr);
  return Pool(p);
}

struct CallOptions {
  bool forward_only = false;
  bool accumulate = false;
  // With accumulate: the gradient buffers' contents before the call.
  std::vector<double> dimg_init, dtxt_init;
};

struct CallResult {
  int rc = -1;
  std::string err;
  Result out;
};

template <typename T>
CallResult CallTyped(siglip_pool* pool, Kind kind, const Problem& p,
                     const CallOptions& o) {
  const siglip_dtype dtype = std::is_same<T, float>::value ? SIGLIP_F32 : SIGLIP_F64;
  std::vector<T> img(p.img.begin(), p.img.end());
  std::vector<T> txt(p.txt.begin(), p.txt.end());
  std::vector<T> dimg(p.n * p.d, T(0)), dtxt(p.m * p.d, T(0));
  if (o.accumulate) {
    if (!o.dimg_init.empty()) dimg.assign(o.dimg_init.begin(), o.dimg_init.end());
    if (!o.dtxt_init.empty()) dtxt.assign(o.dtxt_init.begin(), o.dtxt_init.end());
  } else {
    // Garbage that an overwriting call must not read.
    std::fill(dimg.begin(), dimg.end(), T(12345.0));
    std::fill(dtxt.begin(), dtxt.end(), T(-6789.0));
  }
  siglip_loss_input in;
  std::memset(&in, 0, sizeof in);
  in.n = p.n;
  in.m = p.m;
  in.d = p.d;
  in.img = img.data();
  in.txt = txt.data();
  in.positives = p.positives;
  in.img_labels = p.img_labels.empty() ? nullptr : p.img_labels.data();
  in.txt_labels = p.txt_labels.empty() ? nullptr : p.txt_labels.data();
  in.row_offset = p.row_offset;
  in.col_offset = p.col_offset;
  in.t_prime = p.t_prime;
  in.bias = p.bias;
  in.norm = p.Norm();
  siglip_loss_output out;
  std::memset(&out, 0, sizeof out);
  out.dimg = o.forward_only ? nullptr : dimg.data();
  out.dtxt = o.forward_only ? nullptr : dtxt.data();
  out.accumulate = o.accumulate ? 1 : 0;
  // The scalars must be overwritten.
  out.loss = 1e300;
  out.dt_prime = -1e300;
  out.dbias = 1e300;
  char err[512];
  std::memset(err, 'x', sizeof err);
  err[sizeof err - 1] = 0;
  CallResult r;
  r.rc = kind == Kind::kSigmoid
             ? siglip_sigmoid_loss(pool, dtype, &in, &out, err, sizeof err)
             : siglip_softmax_loss(pool, dtype, &in, &out, err, sizeof err);
  if (r.rc != SIGLIP_OK) {
    r.err = err;
    return r;
  }
  r.out.loss = out.loss;
  r.out.dt_prime = out.dt_prime;
  r.out.dbias = out.dbias;
  if (!o.forward_only) {
    r.out.dimg.assign(dimg.begin(), dimg.end());
    r.out.dtxt.assign(dtxt.begin(), dtxt.end());
  }
  return r;
}

// The problem's inputs rounded to float (what a float call sees).
inline Problem RoundedToFloat(Problem p) {
  for (auto& v : p.img) v = static_cast<double>(static_cast<float>(v));
  for (auto& v : p.txt) v = static_cast<double>(static_cast<float>(v));
  return p;
}

// Calls the kernel and fails the test on an error status.
template <typename T>
Result Call(siglip_pool* pool, Kind kind, const Problem& p,
            const CallOptions& o = CallOptions()) {
  CallResult r = CallTyped<T>(pool, kind, p, o);
  EXPECT_EQ(r.rc, SIGLIP_OK) << KindName(kind) << ": " << r.err;
  return r.out;
}

// ---------------------------------------------------------------------------
// Comparisons.

inline std::string Dims(const Problem& p) {
  std::ostringstream s;
  s << "n=" << p.n << " m=" << p.m << " d=" << p.d << " t'=" << p.t_prime
    << " b=" << p.bias << " norm=" << p.Norm() << " positives=" << p.positives;
  return s.str();
}

// |got - want| <= rtol * (scale + floor * max(scale)) + atol.
inline ::testing::AssertionResult VectorsClose(const std::vector<double>& got,
                                               const std::vector<double>& want,
                                               const std::vector<double>& scale,
                                               double rtol, double floor = 1e-3,
                                               double atol = 0) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure()
           << "size " << got.size() << " != " << want.size();
  double smax = 0;
  for (double s : scale) smax = std::max(smax, s);
  int bad = 0;
  double worst = 0;
  std::ostringstream msg;
  for (size_t q = 0; q < got.size(); ++q) {
    const double tol = rtol * (scale[q] + floor * smax) + atol;
    const double e = std::fabs(got[q] - want[q]);
    if (!(e <= tol)) {  // also catches NaN
      if (bad < 5)
        msg << "\n  [" << q << "] got " << got[q] << " want " << want[q]
            << " |diff| " << e << " tol " << tol;
      ++bad;
    }
    if (tol > 0) worst = std::max(worst, e / tol);
  }
  if (bad)
    return ::testing::AssertionFailure()
           << bad << " of " << got.size() << " entries off (worst "
           << worst << " x tol)" << msg.str();
  return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult ScalarClose(double got, double want,
                                              double scale, double rtol,
                                              double atol = 0) {
  const double tol = rtol * scale + atol;
  if (std::fabs(got - want) <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "got " << got << " want " << want << " |diff| "
         << std::fabs(got - want) << " tol " << tol;
}

// Everything the kernel gave, against the reference. `floor` is the fraction
// of the largest scale of a gradient that every entry may be off by rtol of.
inline void ExpectMatchesReference(const Result& got, const Reference& ref,
                                   double rtol, const std::string& what,
                                   bool gradients = true, double floor = 1e-3) {
  SCOPED_TRACE(what);
  EXPECT_TRUE(ScalarClose(got.loss, ref.loss, ref.loss_scale, rtol)) << "loss";
  if (!gradients) return;
  // dt' and db: a floor relative to their scales too.
  EXPECT_TRUE(ScalarClose(got.dt_prime, ref.dt_prime, ref.dt_prime_scale, rtol,
                          1e-300))
      << "dt_prime";
  EXPECT_TRUE(ScalarClose(got.dbias, ref.dbias, ref.dbias_scale, rtol, 1e-300))
      << "dbias";
  EXPECT_TRUE(VectorsClose(got.dimg, ref.dimg, ref.dimg_scale, rtol, floor))
      << "dimg";
  EXPECT_TRUE(VectorsClose(got.dtxt, ref.dtxt, ref.dtxt_scale, rtol, floor))
      << "dtxt";
}

inline bool AllFinite(const Result& r) {
  if (!std::isfinite(r.loss) || !std::isfinite(r.dt_prime) ||
      !std::isfinite(r.dbias))
    return false;
  for (double v : r.dimg)
    if (!std::isfinite(v)) return false;
  for (double v : r.dtxt)
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace siglip_test

#endif  // SIGLIP_CSRC_TESTS_REFERENCE_H_
