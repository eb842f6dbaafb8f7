// precision_test.cc: float against double, and extreme parameters.
//
// SIGLIP_F32 must agree with the double reference (on the same float-rounded
// inputs) to ~1e-5 relative. With t' = log(1e4), b = +-1e4 and large
// |<x, y>| every output must be finite and equal to a reference computed in
// long double with stable formulas.
#include "reference.h"

namespace siglip_test {
namespace {

class PrecisionTest : public ::testing::Test {
 protected:
  void SetUp() override { pool_ = MakePool(2); }
  Pool pool_;
};

struct Named {
  std::string name;
  Kind kind;
  Problem p;
};

std::vector<Named> FloatCases() {
  std::vector<Named> v;
  v.push_back({"sigmoid_diag_paper_init", Kind::kSigmoid,
               MakeProblem(100, 100, 64, 61, std::log(10.0), -10.0)});
  v.push_back({"sigmoid_diag_257x131x33", Kind::kSigmoid,
               MakeProblem(257, 131, 33, 62, std::log(10.0), -10.0)});
  v.push_back({"sigmoid_trained_t", Kind::kSigmoid,
               MakeProblem(300, 300, 96, 63, std::log(100.0), -12.0)});
  {
    Problem p = MakeProblem(150, 220, 40, 64, std::log(10.0), -3.0);
    SetLabels(p, 60, 65);
    v.push_back({"sigmoid_labels", Kind::kSigmoid, p});
  }
  v.push_back({"softmax_diag", Kind::kSoftmax,
               MakeProblem(100, 100, 64, 66, std::log(10.0), 0.0)});
  v.push_back({"softmax_diag_large_t", Kind::kSoftmax,
               MakeProblem(300, 300, 96, 67, std::log(100.0), 0.0)});
  {
    Problem p = MakeProblem(150, 220, 40, 68, std::log(30.0), 0.0);
    SetLabels(p, 60, 69);
    v.push_back({"softmax_labels", Kind::kSoftmax, p});
  }
  return v;
}

TEST_F(PrecisionTest, FloatAgreesWithDouble) {
  for (const Named& c : FloatCases()) {
    const Problem pf = RoundedToFloat(c.p);
    const Reference ref = ComputeReference<double>(c.kind, pf);
    const Result f32 = Call<float>(pool_.get(), c.kind, pf);
    // Against the reference: 1e-5 of the scale of each entry, with a floor of
    // 1e-2 of the largest scale for entries that are sums of cancelling terms.
    ExpectMatchesReference(f32, ref, 1e-5, c.name + " f32 vs reference " + Dims(pf),
                           true, 1e-2);
    // And against the kernel's own double result.
    const Result f64 = Call<double>(pool_.get(), c.kind, pf);
    ExpectMatchesReference(f32, [&] {
      Reference r = ref;
      r.loss = f64.loss;
      r.dt_prime = f64.dt_prime;
      r.dbias = f64.dbias;
      r.dimg = f64.dimg;
      r.dtxt = f64.dtxt;
      return r;
    }(), 1e-5, c.name + " f32 vs f64 kernel", true, 1e-2);
  }
}

// Extreme parameters and inputs. `same` makes text j a copy of image j for
// j < min(n, m), so that the positives sit right at l = t + b.
Problem Extreme(int64_t n, int64_t m, int64_t d, uint64_t seed, double t_prime,
                double bias, double scale, bool same) {
  Rng rng(seed);
  Problem p;
  p.n = n;
  p.m = m;
  p.d = d;
  p.img = RandomRows(n, d, rng, scale);
  p.txt = RandomRows(m, d, rng, scale);
  if (same)
    for (int64_t j = 0; j < std::min(n, m); ++j)
      std::copy(p.img.begin() + j * d, p.img.begin() + (j + 1) * d,
                p.txt.begin() + j * d);
  p.t_prime = t_prime;
  p.bias = bias;
  return p;
}

std::vector<Named> ExtremeCases() {
  const double big_t = std::log(1e4);
  std::vector<Named> v;
  for (double b : {-1e4, 1e4}) {
    const std::string bs = b < 0 ? "_bneg" : "_bpos";
    v.push_back({"sigmoid_t1e4" + bs, Kind::kSigmoid,
                 Extreme(67, 67, 32, 71, big_t, b, 1.0, false)});
    v.push_back({"sigmoid_t1e4_same" + bs, Kind::kSigmoid,
                 Extreme(67, 45, 32, 72, big_t, b, 1.0, true)});
    // |<x, y>| up to 1e4: logits up to ~1e8.
    v.push_back({"sigmoid_t1e4_large_xy" + bs, Kind::kSigmoid,
                 Extreme(40, 50, 16, 73, big_t, b, 100.0, false)});
    Problem lab = Extreme(50, 40, 16, 74, big_t, b, 30.0, true);
    SetLabels(lab, 10, 75);
    v.push_back({"sigmoid_t1e4_labels" + bs, Kind::kSigmoid, lab});
  }
  v.push_back({"sigmoid_large_xy_b0", Kind::kSigmoid,
               Extreme(40, 50, 16, 76, big_t, 0.0, 100.0, false)});
  // |<x, y>| up to 1e6: logits up to 1e10, whose float ulp (1024) is far
  // beyond exp's range: an exponent l - max that is not clamped at 0
  // overflows.
  v.push_back({"sigmoid_t1e4_huge_xy", Kind::kSigmoid,
               Extreme(40, 50, 16, 83, big_t, -1e4, 1000.0, true)});
  v.push_back({"softmax_t1e4_huge_xy", Kind::kSoftmax,
               Extreme(45, 45, 16, 84, big_t, 0.0, 1000.0, false)});
  v.push_back({"softmax_t1e4_huge_xy_same", Kind::kSoftmax,
               Extreme(45, 45, 16, 85, big_t, 0.0, 1000.0, true)});
  v.push_back({"softmax_t1e4", Kind::kSoftmax,
               Extreme(67, 67, 32, 77, big_t, 0.0, 1.0, false)});
  v.push_back({"softmax_t1e4_same", Kind::kSoftmax,
               Extreme(67, 67, 32, 78, big_t, 0.0, 1.0, true)});
  v.push_back({"softmax_t1e4_large_xy", Kind::kSoftmax,
               Extreme(45, 45, 16, 79, big_t, 0.0, 100.0, false)});
  {
    Problem lab = Extreme(50, 40, 16, 80, big_t, 0.0, 30.0, false);
    SetLabels(lab, 10, 81);
    v.push_back({"softmax_t1e4_labels", Kind::kSoftmax, lab});
  }
  return v;
}

// A first-order bound on the loss error caused by relative errors of size
// `rel` in every logit: |dL| <= sum_ij |G_ij| |dl_ij| with
// |dl_ij| <= rel (t |<x_i, y_j>| + |b|); the reference's dt' and db scales are
// sum |G t <x, y>| and sum |G|. Near-saturated logits of size 1e4 are
// otherwise ill-conditioned in float.
double LossConditioning(const Reference& ref, const Problem& p, double rel) {
  const double b = std::fabs(p.bias);
  return rel * (ref.dt_prime_scale + b * (ref.dbias_scale > 0
                                              ? ref.dbias_scale
                                              : 0));
}

TEST_F(PrecisionTest, ExtremeParametersDouble) {
  for (const Named& c : ExtremeCases()) {
    const Reference ref = ComputeReference<long double>(c.kind, c.p);
    ASSERT_TRUE(AllFinite(ref)) << c.name;
    const Result got = Call<double>(pool_.get(), c.kind, c.p);
    EXPECT_TRUE(AllFinite(got)) << c.name << " " << Dims(c.p);
    SCOPED_TRACE(c.name + " f64 " + Dims(c.p));
    const double loss_tol = 1e-12 * ref.loss_scale + LossConditioning(ref, c.p, 1e-13);
    EXPECT_TRUE(ScalarClose(got.loss, ref.loss, 0, 0, loss_tol)) << "loss";
    ExpectMatchesReference(got, [&] {
      Reference r = ref;  // the loss is checked above
      r.loss = got.loss;
      return r;
    }(), 1e-10, "gradients");
    CallOptions fwd;
    fwd.forward_only = true;
    const Result f = Call<double>(pool_.get(), c.kind, c.p, fwd);
    EXPECT_TRUE(std::isfinite(f.loss)) << "forward only";
    EXPECT_TRUE(ScalarClose(f.loss, ref.loss, 0, 0, loss_tol)) << "forward only";
  }
}

TEST_F(PrecisionTest, ExtremeParametersFloat) {
  for (const Named& c : ExtremeCases()) {
    const Problem pf = RoundedToFloat(c.p);
    const Reference ref = ComputeReference<long double>(c.kind, pf);
    const Result got = Call<float>(pool_.get(), c.kind, pf);
    EXPECT_TRUE(AllFinite(got)) << c.name << " " << Dims(pf);
    SCOPED_TRACE(c.name + " f32 " + Dims(pf));
    // Logits of size 1e4..1e8 carry float rounding of 1e-3..10 in absolute
    // terms: the loss to 1e-5 plus that conditioning (~30 float ulps per
    // logit), the gradients to 1e-2 of their largest entry (which still
    // catches overflow, NaN and wrong saturation).
    EXPECT_TRUE(ScalarClose(got.loss, ref.loss, 0, 0,
                            1e-5 * ref.loss_scale + LossConditioning(ref, pf, 2e-6)))
        << "loss";
    EXPECT_TRUE(ScalarClose(got.dbias, ref.dbias, ref.dbias_scale, 1e-2, 1e-300))
        << "dbias";
    EXPECT_TRUE(ScalarClose(got.dt_prime, ref.dt_prime, ref.dt_prime_scale, 1e-2,
                            1e-300))
        << "dt_prime";
    EXPECT_TRUE(VectorsClose(got.dimg, ref.dimg, ref.dimg_scale, 1e-2, 1.0))
        << "dimg";
    EXPECT_TRUE(VectorsClose(got.dtxt, ref.dtxt, ref.dtxt_scale, 1e-2, 1.0))
        << "dtxt";
  }
}

// The extreme saturation limits, in closed form: with b = -1e4, unit rows and
// every |<x_i, y_j>| < 0.99, every pair has l < -100: negatives add e^l < 1e-43
// to the loss, positives -l; so
//   L = (1/n) sum_i (1e4 - 1e4 <x_i, y_i>)   and   dL/db = -1.
TEST_F(PrecisionTest, SaturatedClosedForm) {
  Problem p = Extreme(64, 64, 8, 82, std::log(1e4), -1e4, 1.0, false);
  for (int64_t i = 0; i < p.n; ++i)
    for (int64_t j = 0; j < p.m; ++j) {
      double s = 0;
      for (int64_t k = 0; k < p.d; ++k) s += p.img[i * p.d + k] * p.txt[j * p.d + k];
      ASSERT_LT(std::fabs(s), 0.99) << "test data: pick another seed";
    }
  double want = 0;
  for (int64_t i = 0; i < p.n; ++i) {
    double s = 0;
    for (int64_t k = 0; k < p.d; ++k) s += p.img[i * p.d + k] * p.txt[i * p.d + k];
    want += 1e4 - 1e4 * s;
  }
  want /= p.n;
  const Result got = Call<double>(pool_.get(), Kind::kSigmoid, p);
  EXPECT_NEAR(got.loss, want, 1e-11 * want);
  EXPECT_NEAR(got.dbias, -1.0, 1e-12);
}

}  // namespace
}  // namespace siglip_test
