// gradcheck_test.cc: double-precision gradients against finite differences.
//
// Every gradient the kernels return in SIGLIP_F64 (dimg, dtxt, dt', db) is
// held against a fourth-order central difference of the loss the same kernel
// returns:  f'(x) ~ (f(x-2h) - 8 f(x-h) + 8 f(x+h) - f(x+2h)) / (12 h),
// truncation error h^4/30 f^(5), rounding error ~ eps |f| / h. With h = 1e-3
// on inputs of size ~0.5 both are ~1e-11 relative, far below the 1e-7 asked.
// The reference of reference.h is held against the same differences first,
// so that a wrong reference cannot make the other tests pass or fail.
#include <functional>
#include <iostream>

#include "reference.h"

namespace siglip_test {
namespace {

constexpr double kStep = 1e-3;
constexpr double kRtol = 1e-7;

double FivePoint(const std::function<double(double)>& f, double x, double h) {
  return (f(x - 2 * h) - 8 * f(x - h) + 8 * f(x + h) - f(x + 2 * h)) / (12 * h);
}

// Gradient of loss(p) in the order: img (n*d), txt (m*d), t', b.
std::vector<double> FiniteDifferences(
    const Problem& p0, const std::function<double(const Problem&)>& loss) {
  std::vector<double> g;
  Problem p = p0;
  auto along = [&](double* slot) {
    const double x0 = *slot;
    g.push_back(FivePoint(
        [&](double x) {
          *slot = x;
          double l = loss(p);
          *slot = x0;
          return l;
        },
        x0, kStep));
  };
  for (auto& v : p.img) along(&v);
  for (auto& v : p.txt) along(&v);
  along(&p.t_prime);
  along(&p.bias);
  return g;
}

std::vector<double> Flatten(const Result& r) {
  std::vector<double> g(r.dimg);
  g.insert(g.end(), r.dtxt.begin(), r.dtxt.end());
  g.push_back(r.dt_prime);
  g.push_back(r.dbias);
  return g;
}

// |fd - g| <= rtol * max(|g|, 1e-3 max|g|) for every entry.
::testing::AssertionResult GradientsAgree(const std::vector<double>& analytic,
                                          const std::vector<double>& fd,
                                          double rtol, double* worst_rel) {
  double gmax = 0;
  for (double v : analytic) gmax = std::max(gmax, std::fabs(v));
  std::vector<double> scale(analytic.size());
  double worst = 0;
  for (size_t q = 0; q < analytic.size(); ++q) {
    scale[q] = std::max(std::fabs(analytic[q]), 1e-3 * gmax);
    worst = std::max(worst, std::fabs(analytic[q] - fd[q]) / scale[q]);
  }
  *worst_rel = worst;
  return VectorsClose(analytic, fd, scale, rtol, /*floor=*/0);
}

struct Case {
  const char* name;
  Kind kind;
  Problem p;
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  // The paper's initial t' = log 10, b = -10.
  cases.push_back({"sigmoid_diag_paper_init", Kind::kSigmoid,
                   MakeProblem(5, 5, 4, 11)});
  // A bias that puts the logits on both sides of 0.
  cases.push_back({"sigmoid_diag_balanced", Kind::kSigmoid,
                   MakeProblem(4, 4, 6, 12, std::log(5.0), -1.5)});
  {
    Problem p = MakeProblem(4, 6, 3, 13, std::log(8.0), -3.0);
    SetLabels(p, 3, 14);
    cases.push_back({"sigmoid_labels_4x6", Kind::kSigmoid, p});
  }
  {
    Problem p = MakeProblem(3, 5, 4, 15, std::log(4.0), -2.0);
    p.row_offset = 6;
    p.col_offset = 4;  // positives at j = i + 2
    p.norm = 12;       // a shard of a 12-image batch
    cases.push_back({"sigmoid_diag_offsets_norm", Kind::kSigmoid, p});
  }
  {
    Problem p = MakeProblem(4, 3, 5, 16, std::log(6.0), 1.0);
    p.positives = SIGLIP_POS_NONE;
    p.norm = 9;
    cases.push_back({"sigmoid_none", Kind::kSigmoid, p});
  }
  cases.push_back({"softmax_diag", Kind::kSoftmax,
                   MakeProblem(5, 5, 4, 17, std::log(10.0), 0.0)});
  {
    Problem p = MakeProblem(4, 6, 3, 18, std::log(7.0), 0.0);
    SetLabels(p, 3, 19);
    cases.push_back({"softmax_labels_4x6", Kind::kSoftmax, p});
  }
  {
    // One image with three captions, others with one: unequal |P(i)|.
    Problem p = MakeProblem(3, 5, 4, 20, std::log(9.0), 0.0);
    p.positives = SIGLIP_POS_LABELS;
    p.img_labels = {7, 8, 9};
    p.txt_labels = {8, 7, 7, 9, 7};
    cases.push_back({"softmax_labels_dup", Kind::kSoftmax, p});
  }
  return cases;
}

TEST(GradCheck, ReferenceAgainstFiniteDifferences) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(std::string(c.name) + " " + Dims(c.p));
    Reference ref = ComputeReference<double>(c.kind, c.p);
    std::vector<double> fd = FiniteDifferences(
        c.p, [&](const Problem& q) { return ComputeReference<double>(c.kind, q).loss; });
    double worst = 0;
    EXPECT_TRUE(GradientsAgree(Flatten(ref), fd, kRtol, &worst));
    std::cout << "[reference] " << c.name << ": worst relative error " << worst
              << "\n";
  }
}

TEST(GradCheck, KernelF64AgainstFiniteDifferences) {
  Pool pool = MakePool(2);
  for (const Case& c : Cases()) {
    SCOPED_TRACE(std::string(c.name) + " " + Dims(c.p));
    Result got = Call<double>(pool.get(), c.kind, c.p);
    ASSERT_EQ(got.dimg.size(), c.p.img.size());
    std::vector<double> fd = FiniteDifferences(c.p, [&](const Problem& q) {
      return Call<double>(pool.get(), c.kind, q).loss;
    });
    double worst = 0;
    EXPECT_TRUE(GradientsAgree(Flatten(got), fd, kRtol, &worst));
    std::cout << "[kernel f64] " << c.name << ": worst relative error " << worst
              << "\n";
    if (c.kind == Kind::kSoftmax) {
      EXPECT_EQ(got.dbias, 0.0);
    }
  }
}

}  // namespace
}  // namespace siglip_test
