// threads_test.cc: results do not depend on the number of threads, on
// scheduling, or on other callers sharing the pool.
//
// threadpool.h promises that kernels reduce per-task results in a fixed
// order, so 1, 2, 3 and 4 threads must give bit-identical outputs.
#include <thread>

#include "reference.h"

namespace siglip_test {
namespace {

struct Named {
  std::string name;
  Kind kind;
  Problem p;
};

std::vector<Named> Cases() {
  std::vector<Named> v;
  v.push_back({"sigmoid_600x600x96", Kind::kSigmoid, MakeProblem(600, 600, 96, 91)});
  v.push_back({"sigmoid_257x131x33", Kind::kSigmoid,
               MakeProblem(257, 131, 33, 92, std::log(3.0), 0.3)});
  {
    Problem p = MakeProblem(131, 257, 20, 93);
    SetLabels(p, 40, 94);
    v.push_back({"sigmoid_labels_131x257x20", Kind::kSigmoid, p});
  }
  v.push_back({"softmax_600x600x96", Kind::kSoftmax,
               MakeProblem(600, 600, 96, 95, std::log(10.0), 0.0)});
  {
    Problem p = MakeProblem(257, 131, 33, 96, std::log(10.0), 0.0);
    SetLabels(p, 100, 97);
    v.push_back({"softmax_labels_257x131x33", Kind::kSoftmax, p});
  }
  return v;
}

template <typename T>
::testing::AssertionResult BitIdentical(const Result& a, const Result& b) {
  auto same = [](double x, double y) {
    // The outputs went through T; compare T's bits.
    T tx = static_cast<T>(x), ty = static_cast<T>(y);
    return std::memcmp(&tx, &ty, sizeof(T)) == 0;
  };
  auto same_scalar = [](double x, double y) {
    return std::memcmp(&x, &y, sizeof(double)) == 0;
  };
  if (!same_scalar(a.loss, b.loss))
    return ::testing::AssertionFailure() << "loss " << a.loss << " vs " << b.loss;
  if (!same_scalar(a.dt_prime, b.dt_prime))
    return ::testing::AssertionFailure()
           << "dt_prime " << a.dt_prime << " vs " << b.dt_prime;
  if (!same_scalar(a.dbias, b.dbias))
    return ::testing::AssertionFailure() << "dbias " << a.dbias << " vs " << b.dbias;
  if (a.dimg.size() != b.dimg.size() || a.dtxt.size() != b.dtxt.size())
    return ::testing::AssertionFailure() << "sizes differ";
  for (size_t q = 0; q < a.dimg.size(); ++q)
    if (!same(a.dimg[q], b.dimg[q]))
      return ::testing::AssertionFailure()
             << "dimg[" << q << "] " << a.dimg[q] << " vs " << b.dimg[q];
  for (size_t q = 0; q < a.dtxt.size(); ++q)
    if (!same(a.dtxt[q], b.dtxt[q]))
      return ::testing::AssertionFailure()
             << "dtxt[" << q << "] " << a.dtxt[q] << " vs " << b.dtxt[q];
  return ::testing::AssertionSuccess();
}

template <typename T>
void CheckThreadCounts() {
  Pool pools[4] = {MakePool(1), MakePool(2), MakePool(3), MakePool(4)};
  for (int t = 0; t < 4; ++t) EXPECT_EQ(siglip_pool_threads(pools[t].get()), t + 1);
  for (const Named& c : Cases()) {
    const Problem p = std::is_same<T, float>::value ? RoundedToFloat(c.p) : c.p;
    const Result one = Call<T>(pools[0].get(), c.kind, p);
    for (int t = 1; t < 4; ++t) {
      const Result r = Call<T>(pools[t].get(), c.kind, p);
      EXPECT_TRUE(BitIdentical<T>(one, r))
          << c.name << (std::is_same<T, float>::value ? " f32" : " f64") << ": "
          << (t + 1) << " threads vs 1";
      // And again on the same pool (dynamic task claiming must not matter).
      const Result again = Call<T>(pools[t].get(), c.kind, p);
      EXPECT_TRUE(BitIdentical<T>(r, again))
          << c.name << ": two calls on a pool of " << (t + 1) << " threads";
    }
    CallOptions fwd;
    fwd.forward_only = true;
    const Result f1 = Call<T>(pools[0].get(), c.kind, p, fwd);
    const Result f3 = Call<T>(pools[2].get(), c.kind, p, fwd);
    EXPECT_EQ(f1.loss, f3.loss) << c.name << " forward only, 3 threads vs 1";
  }
}

TEST(Threads, BitIdenticalAcrossThreadCountsF32) { CheckThreadCounts<float>(); }
TEST(Threads, BitIdenticalAcrossThreadCountsF64) { CheckThreadCounts<double>(); }

// siglip.h: "A pool may be shared by several callers: calls on one pool are
// serialised." Four callers at once on one pool, and four pools at once.
TEST(Threads, ConcurrentCallersOnOneSharedPool) {
  Pool shared = MakePool(2);
  const Problem p = RoundedToFloat(MakeProblem(300, 300, 64, 98));
  const Result want = Call<float>(shared.get(), Kind::kSigmoid, p);
  const Result want_sm = Call<float>(shared.get(), Kind::kSoftmax, p);
  std::vector<Result> got(8);
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c)
    callers.emplace_back([&, c] {
      got[2 * c] = Call<float>(shared.get(), Kind::kSigmoid, p);
      got[2 * c + 1] = Call<float>(shared.get(), Kind::kSoftmax, p);
    });
  for (auto& t : callers) t.join();
  for (int c = 0; c < 4; ++c) {
    EXPECT_TRUE(BitIdentical<float>(want, got[2 * c])) << "caller " << c;
    EXPECT_TRUE(BitIdentical<float>(want_sm, got[2 * c + 1])) << "caller " << c;
  }
}

TEST(Threads, ConcurrentPools) {
  const Problem p = MakeProblem(200, 200, 48, 99);
  Pool ref_pool = MakePool(1);
  const Result want = Call<double>(ref_pool.get(), Kind::kSigmoid, p);
  std::vector<Result> got(4);
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c)
    callers.emplace_back([&, c] {
      Pool pool = MakePool(1 + c % 2);
      for (int rep = 0; rep < 3; ++rep)
        got[c] = Call<double>(pool.get(), Kind::kSigmoid, p);
    });
  for (auto& t : callers) t.join();
  for (int c = 0; c < 4; ++c)
    EXPECT_TRUE(BitIdentical<double>(want, got[c])) << "caller " << c;
}

TEST(Threads, PoolLifecycle) {
  for (int rep = 0; rep < 20; ++rep) {
    Pool p = MakePool(1 + rep % 4);
    EXPECT_EQ(siglip_pool_threads(p.get()), 1 + rep % 4);
  }
  Pool all = MakePool(0);
  EXPECT_GE(siglip_pool_threads(all.get()), 1);
  Pool neg = MakePool(-3);
  EXPECT_EQ(siglip_pool_threads(neg.get()), siglip_pool_threads(all.get()));
  siglip_pool_destroy(nullptr);  // allowed
}

}  // namespace
}  // namespace siglip_test
