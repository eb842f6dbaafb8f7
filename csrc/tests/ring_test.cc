// ring_test.cc: the chunked (ring) sigmoid loss of siglip_dist.h equals the
// unsharded loss: in-process shards (K = 1, 2, 3, 4, 7, uneven and empty last
// shards, diagonal and label positives, both directions) in SIGLIP_F64 to
// 1e-12 and in SIGLIP_F32 to 1e-5 of the reference's scales; and the Gloo
// communicator with ranks in threads of this process (ring loss, all-reduce,
// gathers, a rank that never joins, shards that disagree).
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

#include "reference.h"
#include "siglip_dist.h"

namespace siglip_test {
namespace {

constexpr double kF64Rtol = 1e-12;
constexpr double kF32Rtol = 1e-5;

template <typename T>
constexpr siglip_dtype DTypeOf() {
  return std::is_same<T, float>::value ? SIGLIP_F32 : SIGLIP_F64;
}

siglip_loss_input InputOf(const Problem& p, const void* img, const void* txt) {
  siglip_loss_input in;
  std::memset(&in, 0, sizeof in);
  in.n = p.n;
  in.m = p.m;
  in.d = p.d;
  in.img = img;
  in.txt = txt;
  in.positives = p.positives;
  in.img_labels = p.img_labels.empty() ? nullptr : p.img_labels.data();
  in.txt_labels = p.txt_labels.empty() ? nullptr : p.txt_labels.data();
  in.row_offset = p.row_offset;
  in.col_offset = p.col_offset;
  in.t_prime = p.t_prime;
  in.bias = p.bias;
  in.norm = p.Norm();
  return in;
}

// The in-process ring on p with K shards.
template <typename T>
Result RingCall(siglip_pool* pool, const Problem& p, int K, bool bidirectional,
                siglip_ring_stats* stats = nullptr) {
  std::vector<T> img(p.img.begin(), p.img.end()), txt(p.txt.begin(), p.txt.end());
  std::vector<T> dimg(p.n * p.d, T(777)), dtxt(p.m * p.d, T(-555));  // garbage
  siglip_loss_input in = InputOf(p, img.data(), txt.data());
  siglip_loss_output out;
  std::memset(&out, 0, sizeof out);
  out.dimg = dimg.data();
  out.dtxt = dtxt.data();
  siglip_ring_options opt{};
  opt.bidirectional = bidirectional ? 1 : 0;
  char err[512] = {0};
  const int rc = siglip_ring_sigmoid_loss_local(pool, DTypeOf<T>(), K, &in, &opt,
                                                &out, stats, err, sizeof err);
  EXPECT_EQ(rc, SIGLIP_OK) << err;
  Result r;
  r.loss = out.loss;
  r.dt_prime = out.dt_prime;
  r.dbias = out.dbias;
  r.dimg.assign(dimg.begin(), dimg.end());
  r.dtxt.assign(dtxt.begin(), dtxt.end());
  return r;
}

struct Case {
  std::string name;
  Problem p;
};

std::vector<Case> Cases() {
  std::vector<Case> v;
  // n = m, sizes that no K divides evenly (the last shard is smaller).
  v.push_back({"diag_37x37x19", MakeProblem(37, 37, 19, 301)});
  v.push_back({"diag_130x130x24", MakeProblem(130, 130, 24, 302, std::log(3.0), 0.5)});
  {
    Problem p = MakeProblem(45, 38, 17, 303);
    SetLabels(p, 12, 304);
    v.push_back({"labels_45x38x17", p});
  }
  {
    Problem p = MakeProblem(64, 64, 8, 305);
    SetLabels(p, 64, 306);  // a permutation of the diagonal
    v.push_back({"labels_64x64x8", p});
  }
  // K = 7 over 5 rows: shards of 1 row and empty ones.
  v.push_back({"diag_5x5x3", MakeProblem(5, 5, 3, 307)});
  {
    Problem p = MakeProblem(30, 30, 6, 308);
    p.row_offset = 2;  // positives off the main diagonal
    v.push_back({"diag_offset_30x30x6", p});
  }
  return v;
}

class RingTest : public ::testing::Test {
 protected:
  void SetUp() override { pool_ = MakePool(2); }
  Pool pool_;
};

TEST_F(RingTest, InProcessEqualsUnshardedF64) {
  for (const Case& c : Cases()) {
    const Reference ref = ComputeReference(Kind::kSigmoid, c.p);
    const Result whole = Call<double>(pool_.get(), Kind::kSigmoid, c.p);
    for (int K : {1, 2, 3, 4, 7}) {
      for (bool bidir : {false, true}) {
        const std::string what = c.name + " K=" + std::to_string(K) +
                                 (bidir ? " bidirectional" : "");
        const Result got = RingCall<double>(pool_.get(), c.p, K, bidir);
        ExpectMatchesReference(got, ref, kF64Rtol, what + " vs reference");
        // And against the unsharded kernel directly.
        SCOPED_TRACE(what + " vs unsharded");
        EXPECT_TRUE(ScalarClose(got.loss, whole.loss, ref.loss_scale, kF64Rtol));
        EXPECT_TRUE(ScalarClose(got.dt_prime, whole.dt_prime, ref.dt_prime_scale,
                                kF64Rtol, 1e-300));
        EXPECT_TRUE(ScalarClose(got.dbias, whole.dbias, ref.dbias_scale, kF64Rtol,
                                1e-300));
        EXPECT_TRUE(VectorsClose(got.dimg, whole.dimg, ref.dimg_scale, kF64Rtol));
        EXPECT_TRUE(VectorsClose(got.dtxt, whole.dtxt, ref.dtxt_scale, kF64Rtol));
      }
    }
  }
}

TEST_F(RingTest, InProcessEqualsUnshardedF32) {
  for (const Case& c : Cases()) {
    const Problem pf = RoundedToFloat(c.p);
    const Reference ref = ComputeReference(Kind::kSigmoid, pf);
    for (int K : {1, 2, 3, 4, 7}) {
      for (bool bidir : {false, true}) {
        const Result got = RingCall<float>(pool_.get(), pf, K, bidir);
        ExpectMatchesReference(got, ref, kF32Rtol,
                               c.name + " f32 K=" + std::to_string(K) +
                                   (bidir ? " bidirectional" : ""),
                               true, 1e-2);
      }
    }
  }
}

// Results do not depend on thread scheduling: two runs agree bit for bit.
TEST_F(RingTest, InProcessIsDeterministic) {
  const Problem p = RoundedToFloat(MakeProblem(97, 97, 33, 310));
  const Result a = RingCall<float>(pool_.get(), p, 4, false);
  const Result b = RingCall<float>(pool_.get(), p, 4, false);
  EXPECT_EQ(a.loss, b.loss);
  EXPECT_EQ(a.dimg, b.dimg);
  EXPECT_EQ(a.dtxt, b.dtxt);
}

TEST_F(RingTest, AccumulateAddsToTheBuffers) {
  const Problem p = MakeProblem(23, 23, 7, 311);
  const Result once = RingCall<double>(pool_.get(), p, 3, false);
  std::vector<double> img(p.img), txt(p.txt), dimg(p.n * p.d, 1.0), dtxt(p.m * p.d, 2.0);
  siglip_loss_input in = InputOf(p, img.data(), txt.data());
  siglip_loss_output out;
  std::memset(&out, 0, sizeof out);
  out.dimg = dimg.data();
  out.dtxt = dtxt.data();
  out.accumulate = 1;
  char err[256] = {0};
  ASSERT_EQ(siglip_ring_sigmoid_loss_local(pool_.get(), SIGLIP_F64, 3, &in, nullptr,
                                           &out, nullptr, err, sizeof err),
            SIGLIP_OK)
      << err;
  for (size_t q = 0; q < dimg.size(); ++q) EXPECT_NEAR(dimg[q], once.dimg[q] + 1.0, 1e-13);
  for (size_t q = 0; q < dtxt.size(); ++q) EXPECT_NEAR(dtxt[q], once.dtxt[q] + 2.0, 1e-13);
}

TEST_F(RingTest, StatsCountStepsAndBytes) {
  const Problem p = MakeProblem(40, 40, 8, 312);
  siglip_ring_stats st;
  RingCall<float>(pool_.get(), p, 4, false, &st);
  EXPECT_EQ(st.steps, 4);
  // Y(1..3) (header + 10 rows of 8 floats) and G(1..4) (header + 10 x 8),
  // plus two all-gathers (shard info, scalars) of 3 messages each.
  EXPECT_GE(st.bytes_sent, 3 * (32 + 320) + 4 * (32 + 320));
  EXPECT_GE(st.total_seconds, st.compute_seconds);
  RingCall<float>(pool_.get(), p, 4, true, &st);
  EXPECT_EQ(st.steps, 3);  // ceil(3/2) + 1
}

TEST_F(RingTest, BadArguments) {
  const Problem p = MakeProblem(4, 4, 3, 313);
  std::vector<float> img(p.img.begin(), p.img.end()), txt(p.txt.begin(), p.txt.end());
  std::vector<float> dimg(12), dtxt(12);
  siglip_loss_input in = InputOf(p, img.data(), txt.data());
  siglip_loss_output out;
  std::memset(&out, 0, sizeof out);
  out.dimg = dimg.data();
  out.dtxt = dtxt.data();
  char err[256] = {0};
  EXPECT_EQ(siglip_ring_sigmoid_loss_local(pool_.get(), SIGLIP_F32, 0, &in, nullptr,
                                           &out, nullptr, err, sizeof err),
            SIGLIP_EINVAL);
  EXPECT_NE(std::string(err).find("shards"), std::string::npos) << err;
  out.dtxt = nullptr;
  EXPECT_EQ(siglip_ring_sigmoid_loss_local(pool_.get(), SIGLIP_F32, 2, &in, nullptr,
                                           &out, nullptr, err, sizeof err),
            SIGLIP_EINVAL);
  EXPECT_NE(std::string(err).find("gradient"), std::string::npos) << err;
  out.dtxt = dtxt.data();
  in.d = 0;
  EXPECT_EQ(siglip_ring_sigmoid_loss_local(pool_.get(), SIGLIP_F32, 2, &in, nullptr,
                                           &out, nullptr, err, sizeof err),
            SIGLIP_EINVAL);
  in.d = 3;
  in.positives = SIGLIP_POS_LABELS;  // without labels
  EXPECT_EQ(siglip_ring_sigmoid_loss_local(pool_.get(), SIGLIP_F32, 2, &in, nullptr,
                                           &out, nullptr, err, sizeof err),
            SIGLIP_EINVAL);
  EXPECT_NE(std::string(err).find("labels"), std::string::npos) << err;
}

// ---------------------------------------------------------------------------
// Gloo: ranks in threads of this process, meeting in a fresh directory.

std::string FreshDir() {
  const char* tmp = getenv("TEST_TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/siglip-ring-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  const char* d = mkdtemp(buf.data());
  EXPECT_NE(d, nullptr);
  return d ? d : "";
}

struct CommDeleter {
  void operator()(siglip_comm* c) const { siglip_comm_destroy(c); }
};
using Comm = std::unique_ptr<siglip_comm, CommDeleter>;

// Runs fn(rank) for `ranks` of `size` ranks (the others never start) in
// threads; each gets a communicator or the creation error.
struct RankOutcome {
  int rc = -1;
  std::string err;
  double seconds = 0;
  int failed_rank = -2;
};

using RankFn = std::function<void(int rank, Comm& comm, RankOutcome* o)>;

std::vector<RankOutcome> RunRanks(int size, const std::vector<int>& ranks,
                                  int64_t timeout_ms, const RankFn& fn) {
  const std::string dir = FreshDir();
  std::vector<RankOutcome> outcomes(static_cast<size_t>(size));
  std::vector<std::thread> threads;
  for (int r : ranks) {
    threads.emplace_back([&, r] {
      const auto t0 = std::chrono::steady_clock::now();
      siglip_comm_options o;
      std::memset(&o, 0, sizeof o);
      o.rank = r;
      o.size = size;
      o.rendezvous = dir.c_str();
      o.run_id = "ring_test";
      o.timeout_ms = timeout_ms;
      siglip_comm* c = nullptr;
      char err[512] = {0};
      RankOutcome& out = outcomes[r];
      out.rc = siglip_comm_create(&o, &c, err, sizeof err);
      out.err = err;
      Comm comm(c);
      if (out.rc == SIGLIP_OK) fn(r, comm, &out);
      if (comm) out.failed_rank = siglip_comm_failed_rank(comm.get());
      out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    });
  }
  for (auto& t : threads) t.join();
  return outcomes;
}

TEST(GlooRingTest, RanksInThreadsEqualUnsharded) {
  Problem p = MakeProblem(29, 29, 11, 320);
  Problem pl = MakeProblem(26, 31, 11, 321);
  SetLabels(pl, 9, 322);
  for (const Problem* prob : {&p, &pl}) {
    const Reference ref = ComputeReference(Kind::kSigmoid, *prob);
    for (int K : {2, 3}) {
      for (bool bidir : {false, true}) {
        std::vector<double> dimg(prob->n * prob->d), dtxt(prob->m * prob->d);
        std::vector<Result> scal(K);
        std::vector<int> all;
        for (int r = 0; r < K; ++r) all.push_back(r);
        auto outcomes = RunRanks(K, all, 20000, [&](int r, Comm& comm, RankOutcome* o) {
          siglip_comm* c = comm.get();
          Pool pool = MakePool(1);
          const auto ir = std::make_pair(std::min<int64_t>(prob->n, r * ((prob->n + K - 1) / K)),
                                         std::min<int64_t>(prob->n, (r + 1) * ((prob->n + K - 1) / K)));
          const auto tr = std::make_pair(std::min<int64_t>(prob->m, r * ((prob->m + K - 1) / K)),
                                         std::min<int64_t>(prob->m, (r + 1) * ((prob->m + K - 1) / K)));
          siglip_loss_input in = InputOf(*prob, prob->img.data() + ir.first * prob->d,
                                         prob->txt.data() + tr.first * prob->d);
          in.n = ir.second - ir.first;
          in.m = tr.second - tr.first;
          if (!prob->img_labels.empty()) {
            in.img_labels = prob->img_labels.data() + ir.first;
            in.txt_labels = prob->txt_labels.data() + tr.first;
          }
          in.norm = 0;  // the global number of images
          siglip_loss_output out;
          std::memset(&out, 0, sizeof out);
          out.dimg = dimg.data() + ir.first * prob->d;
          out.dtxt = dtxt.data() + tr.first * prob->d;
          siglip_ring_options opt{};
          opt.bidirectional = bidir;
          char err[512] = {0};
          o->rc = siglip_ring_sigmoid_loss(pool.get(), c, SIGLIP_F64, &in, &opt, &out,
                                           nullptr, err, sizeof err);
          o->err = err;
          scal[r].loss = out.loss;
          scal[r].dt_prime = out.dt_prime;
          scal[r].dbias = out.dbias;
        });
        Result got = scal[0];
        got.dimg = dimg;
        got.dtxt = dtxt;
        for (int r = 0; r < K; ++r) {
          ASSERT_EQ(outcomes[r].rc, SIGLIP_OK) << "rank " << r << ": " << outcomes[r].err;
          EXPECT_EQ(scal[r].loss, scal[0].loss) << "every rank gets the same bits";
        }
        ExpectMatchesReference(got, ref, kF64Rtol,
                               Dims(*prob) + " K=" + std::to_string(K) +
                                   (bidir ? " bidirectional" : ""));
      }
    }
  }
}

TEST(GlooRingTest, AllReduceGatherBarrier) {
  const int K = 3;
  const size_t count = 7000003;  // several pieces of 4 MiB per rank, odd sizes
  std::vector<int> all = {0, 1, 2};
  auto outcomes = RunRanks(K, all, 20000, [&](int r, Comm& comm, RankOutcome* o) {
    siglip_comm* c = comm.get();
    char err[512] = {0};
    std::vector<float> f(count);
    for (size_t i = 0; i < count; ++i) f[i] = static_cast<float>((i % 97) * (r + 1));
    o->rc = siglip_comm_allreduce_sum(c, SIGLIP_F32, f.data(), static_cast<int64_t>(count),
                                      err, sizeof err);
    if (o->rc != SIGLIP_OK) {
      o->err = err;
      return;
    }
    for (size_t i = 0; i < count; ++i) {
      if (f[i] != static_cast<float>((i % 97) * 6)) {
        o->rc = 99;
        o->err = "allreduce f32 wrong at " + std::to_string(i);
        return;
      }
    }
    std::vector<double> dd = {1.5 * r, -2.0, 3.25};
    o->rc = siglip_comm_allreduce_sum(c, SIGLIP_F64, dd.data(), 3, err, sizeof err);
    if (o->rc != SIGLIP_OK || dd[0] != 4.5 || dd[1] != -6 || dd[2] != 9.75) {
      o->rc = o->rc ? o->rc : 98;
      o->err = std::string("allreduce f64: ") + err;
      return;
    }
    // Gatherv: rank q gives q + 1 bytes of value q.
    std::vector<int64_t> sizes = {1, 2, 3};
    std::vector<char> mine(static_cast<size_t>(r + 1), static_cast<char>(r));
    std::vector<char> got(6, 9);
    o->rc = siglip_comm_gatherv(c, 1, mine.data(), sizes.data(), r == 1 ? got.data() : nullptr,
                                err, sizeof err);
    if (o->rc != SIGLIP_OK) {
      o->err = err;
      return;
    }
    if (r == 1 && got != std::vector<char>({0, 1, 1, 2, 2, 2})) {
      o->rc = 97;
      o->err = "gatherv wrong";
      return;
    }
    int64_t me = 10 + r, everyone[3] = {0, 0, 0};
    o->rc = siglip_comm_allgather(c, &me, everyone, sizeof me, err, sizeof err);
    if (o->rc == SIGLIP_OK && (everyone[0] != 10 || everyone[2] != 12)) o->rc = 96;
    if (o->rc == SIGLIP_OK) o->rc = siglip_comm_barrier(c, err, sizeof err);
    o->err = err;
  });
  for (int r = 0; r < K; ++r) {
    EXPECT_EQ(outcomes[r].rc, SIGLIP_OK) << "rank " << r << ": " << outcomes[r].err;
  }
}

// A rank that never starts: the others fail within the timeout, naming it.
TEST(GlooRingTest, RankThatNeverJoinsIsNamed) {
  auto outcomes = RunRanks(3, {0, 2}, 1000, [](int, Comm&, RankOutcome*) {});
  for (int r : {0, 2}) {
    EXPECT_EQ(outcomes[r].rc, SIGLIP_EPEER) << outcomes[r].err;
    EXPECT_NE(outcomes[r].err.find("rank 1 did not join"), std::string::npos)
        << outcomes[r].err;
    EXPECT_LT(outcomes[r].seconds, 5.0);
  }
}

// Shards that disagree on d: every rank reports the same bad-argument error,
// and the communicator stays usable.
TEST(GlooRingTest, ShardsThatDisagreeAreReported) {
  auto outcomes = RunRanks(2, {0, 1}, 10000, [](int r, Comm& comm, RankOutcome* o) {
    siglip_comm* c = comm.get();
    Pool pool = MakePool(1);
    const int64_t d = r == 0 ? 4 : 5;
    std::vector<float> x(3 * d, 0.1f), g1(3 * d), g2(3 * d);
    siglip_loss_input in;
    std::memset(&in, 0, sizeof in);
    in.n = in.m = 3;
    in.d = d;
    in.img = in.txt = x.data();
    in.t_prime = 1;
    siglip_loss_output out;
    std::memset(&out, 0, sizeof out);
    out.dimg = g1.data();
    out.dtxt = g2.data();
    char err[512] = {0};
    o->rc = siglip_ring_sigmoid_loss(pool.get(), c, SIGLIP_F32, &in, nullptr, &out, nullptr,
                                     err, sizeof err);
    o->err = err;
    if (o->rc == SIGLIP_EINVAL && siglip_comm_barrier(c, err, sizeof err) != SIGLIP_OK) {
      o->rc = 95;
      o->err = std::string("barrier after the error: ") + err;
    }
  });
  for (int r : {0, 1}) {
    EXPECT_EQ(outcomes[r].rc, SIGLIP_EINVAL) << outcomes[r].err;
    EXPECT_NE(outcomes[r].err.find("shards disagree on the width d"), std::string::npos)
        << outcomes[r].err;
  }
}

// A rank that leaves mid-way (destroys its communicator instead of joining
// the ring): its peers fail quickly with SIGLIP_EPEER naming it.
TEST(GlooRingTest, RankThatLeavesIsNamed) {
  auto outcomes = RunRanks(3, {0, 1, 2}, 5000, [](int r, Comm& comm, RankOutcome* o) {
    char err[512] = {0};
    if (r == 1) {
      // Wait for the others to be blocked in the all-reduce, then leave.
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      comm.reset();  // closes its connections
      o->rc = SIGLIP_OK;
      return;
    }
    float v[4] = {1, 2, 3, 4};
    o->rc = siglip_comm_allreduce_sum(comm.get(), SIGLIP_F32, v, 4, err, sizeof err);
    o->err = err;
  });
  for (int r : {0, 2}) {
    EXPECT_EQ(outcomes[r].rc, SIGLIP_EPEER) << outcomes[r].err;
    EXPECT_NE(outcomes[r].err.find("rank 1"), std::string::npos) << outcomes[r].err;
    EXPECT_EQ(outcomes[r].failed_rank, 1);
    EXPECT_LT(outcomes[r].seconds, 4.0);
  }
}

}  // namespace
}  // namespace siglip_test
