// loss_test.cc: both losses of siglip.h in SIGLIP_F64 against the naive
// double reference of reference.h (tight: ~1e-12 of the sum of absolute
// terms), over sizes that are multiples of no tile, every kind of positives,
// accumulation, forward-only calls and a sharded (ring-like) evaluation.
#include "reference.h"

namespace siglip_test {
namespace {

constexpr double kF64Rtol = 1e-12;

struct Shape {
  int64_t n, m, d;
};

std::ostream& operator<<(std::ostream& os, const Shape& s) {
  return os << s.n << "x" << s.m << "x" << s.d;
}

// Sizes that are multiples of no tile size (and a few that are).
const Shape kShapes[] = {
    {1, 1, 1},     {2, 2, 2},     {3, 5, 7},     {5, 3, 1},    {1, 300, 17},
    {300, 1, 17},  {17, 17, 129}, {64, 64, 64},  {65, 63, 31}, {128, 96, 48},
    {257, 131, 33}, {131, 257, 8}, {600, 600, 96},
};

class ShapeTest : public ::testing::TestWithParam<Shape> {
 protected:
  static void SetUpTestSuite() { pool_ = MakePool(2).release(); }
  static void TearDownTestSuite() {
    siglip_pool_destroy(pool_);
    pool_ = nullptr;
  }
  static siglip_pool* pool_;
};
siglip_pool* ShapeTest::pool_ = nullptr;

uint64_t Seed(const Shape& s) { return 1000003 * s.n + 1009 * s.m + s.d; }

TEST_P(ShapeTest, SigmoidDiagonal) {
  const Shape s = GetParam();
  // Diagonal with n != m is allowed for the sigmoid loss (the first min(n,m)
  // pairs are positives).
  Problem p = MakeProblem(s.n, s.m, s.d, Seed(s), std::log(10.0), -10.0);
  ExpectMatchesReference(Call<double>(pool_, Kind::kSigmoid, p),
                         ComputeReference(Kind::kSigmoid, p), kF64Rtol, Dims(p));
}

TEST_P(ShapeTest, SigmoidBalancedLogits) {
  const Shape s = GetParam();
  Problem p = MakeProblem(s.n, s.m, s.d, Seed(s) + 1, std::log(3.0), 0.5);
  ExpectMatchesReference(Call<double>(pool_, Kind::kSigmoid, p),
                         ComputeReference(Kind::kSigmoid, p), kF64Rtol, Dims(p));
}

TEST_P(ShapeTest, SigmoidLabels) {
  const Shape s = GetParam();
  Problem p = MakeProblem(s.n, s.m, s.d, Seed(s) + 2, std::log(10.0), -5.0);
  SetLabels(p, std::max<int64_t>(1, std::min(s.n, s.m) / 2), Seed(s));
  ExpectMatchesReference(Call<double>(pool_, Kind::kSigmoid, p),
                         ComputeReference(Kind::kSigmoid, p), kF64Rtol, Dims(p));
}

TEST_P(ShapeTest, SoftmaxDiagonalOrLabels) {
  const Shape s = GetParam();
  Problem p = MakeProblem(s.n, s.m, s.d, Seed(s) + 3, std::log(10.0), 0.0);
  // The diagonal needs n == m for the softmax loss; labels otherwise.
  if (s.n != s.m) SetLabels(p, std::min(s.n, s.m), Seed(s) + 4);
  ExpectMatchesReference(Call<double>(pool_, Kind::kSoftmax, p),
                         ComputeReference(Kind::kSoftmax, p), kF64Rtol, Dims(p));
}

TEST_P(ShapeTest, SoftmaxLabelsWithDuplicates) {
  const Shape s = GetParam();
  Problem p = MakeProblem(s.n, s.m, s.d, Seed(s) + 5, std::log(20.0), 0.0);
  SetLabels(p, std::max<int64_t>(1, std::min(s.n, s.m) / 3), Seed(s) + 6);
  ExpectMatchesReference(Call<double>(pool_, Kind::kSoftmax, p),
                         ComputeReference(Kind::kSoftmax, p), kF64Rtol, Dims(p));
}

TEST_P(ShapeTest, ForwardOnlyGivesTheSameLoss) {
  const Shape s = GetParam();
  for (Kind kind : {Kind::kSigmoid, Kind::kSoftmax}) {
    Problem p = MakeProblem(s.n, s.m, s.d, Seed(s) + 7, std::log(10.0), -10.0);
    if (kind == Kind::kSoftmax && s.n != s.m) SetLabels(p, std::min(s.n, s.m), 3);
    CallOptions fwd;
    fwd.forward_only = true;
    const Result full = Call<double>(pool_, kind, p);
    const Result f64 = Call<double>(pool_, kind, p, fwd);
    EXPECT_NEAR(f64.loss, full.loss, 1e-14 * std::fabs(full.loss) + 1e-15)
        << KindName(kind) << " " << Dims(p);
    // siglip.h: forward only, the sigmoid loss still gives dt' and db; the
    // softmax loss sets them to 0.
    if (kind == Kind::kSigmoid) {
      EXPECT_NEAR(f64.dt_prime, full.dt_prime, 1e-13 * std::fabs(full.dt_prime) + 1e-15)
          << Dims(p);
      EXPECT_NEAR(f64.dbias, full.dbias, 1e-13 * std::fabs(full.dbias) + 1e-15)
          << Dims(p);
    } else {
      EXPECT_EQ(f64.dt_prime, 0.0) << Dims(p);
      EXPECT_EQ(f64.dbias, 0.0) << Dims(p);
    }
    const Problem pf = RoundedToFloat(p);
    const Result full32 = Call<float>(pool_, kind, pf);
    const Result f32 = Call<float>(pool_, kind, pf, fwd);
    EXPECT_NEAR(f32.loss, full32.loss, 1e-6 * std::fabs(full32.loss) + 1e-7)
        << KindName(kind) << " " << Dims(p);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, ShapeTest, ::testing::ValuesIn(kShapes),
                         [](const ::testing::TestParamInfo<Shape>& info) {
                           std::ostringstream s;
                           s << info.param.n << "x" << info.param.m << "x"
                             << info.param.d;
                           return s.str();
                         });

class LossTest : public ::testing::Test {
 protected:
  void SetUp() override { pool_ = MakePool(2); }
  Pool pool_;
};

TEST_F(LossTest, SigmoidLabelsSeveralCaptionsPerImage) {
  // 37 images, 3 captions each (111 texts), shuffled; plus a text whose label
  // no image has (a pure negative) and an image with no caption.
  Problem p = MakeProblem(38, 112, 19, 42, std::log(10.0), -10.0);
  p.positives = SIGLIP_POS_LABELS;
  for (int64_t i = 0; i < 38; ++i) p.img_labels.push_back(i);
  for (int64_t j = 0; j < 111; ++j) p.txt_labels.push_back((j * 13) % 37);
  p.txt_labels.push_back(-5);
  ExpectMatchesReference(Call<double>(pool_.get(), Kind::kSigmoid, p),
                         ComputeReference(Kind::kSigmoid, p), kF64Rtol, Dims(p));
}

TEST_F(LossTest, SoftmaxLabelsSeveralCaptionsPerImage) {
  Problem p = MakeProblem(37, 111, 19, 43, std::log(10.0), 0.0);
  p.positives = SIGLIP_POS_LABELS;
  for (int64_t i = 0; i < 37; ++i) p.img_labels.push_back(i * 1000003);
  for (int64_t j = 0; j < 111; ++j) p.txt_labels.push_back(((j * 13) % 37) * 1000003);
  ExpectMatchesReference(Call<double>(pool_.get(), Kind::kSoftmax, p),
                         ComputeReference(Kind::kSoftmax, p), kF64Rtol, Dims(p));
}

// Labels are int64: values that agree in their low 32 bits, or that are the
// extremes of int64, must still be told apart.
TEST_F(LossTest, LabelsDifferingOnlyInHighBits) {
  const int64_t big = int64_t(1) << 32;
  const std::vector<int64_t> img = {0,   big,           2 * big, -big, INT64_MAX,
                                    INT64_MIN, big + 1, 1,       -1,   7};
  const std::vector<int64_t> txt = {big,  0,  INT64_MIN, 2 * big, -1, INT64_MAX,
                                    -big, 1,  big + 1,   7,       3 * big};
  for (Kind kind : {Kind::kSigmoid, Kind::kSoftmax}) {
    Problem p = MakeProblem(static_cast<int64_t>(img.size()),
                            static_cast<int64_t>(txt.size()) - (kind == Kind::kSoftmax),
                            6, 54, std::log(10.0), -10.0);
    p.positives = SIGLIP_POS_LABELS;
    p.img_labels = img;
    p.txt_labels.assign(txt.begin(), txt.begin() + p.m);
    ExpectMatchesReference(Call<double>(pool_.get(), kind, p),
                           ComputeReference(kind, p), kF64Rtol,
                           std::string(KindName(kind)) + " f64 " + Dims(p));
    const Problem pf = RoundedToFloat(p);
    ExpectMatchesReference(Call<float>(pool_.get(), kind, pf),
                           ComputeReference(kind, pf), 1e-5,
                           std::string(KindName(kind)) + " f32 " + Dims(p), true, 1e-2);
  }
}

// Negative offsets are not forbidden by siglip.h: either refused, or the
// positives are where the formula puts them.
TEST_F(LossTest, SigmoidNegativeOffsets) {
  Problem p = MakeProblem(50, 40, 8, 55, std::log(10.0), -10.0);
  p.row_offset = -7;
  p.col_offset = -2;  // positives at j = i - 5
  const CallResult r = CallTyped<double>(pool_.get(), Kind::kSigmoid, p, CallOptions());
  if (r.rc == SIGLIP_OK) {
    ExpectMatchesReference(r.out, ComputeReference(Kind::kSigmoid, p), kF64Rtol,
                           Dims(p) + " offsets -7,-2");
  } else {
    EXPECT_EQ(r.rc, SIGLIP_EINVAL) << r.err;
  }
}

TEST_F(LossTest, SigmoidAllPairsPositive) {
  Problem p = MakeProblem(70, 50, 9, 44, std::log(10.0), -10.0);
  p.positives = SIGLIP_POS_LABELS;
  p.img_labels.assign(70, 1);
  p.txt_labels.assign(50, 1);
  ExpectMatchesReference(Call<double>(pool_.get(), Kind::kSigmoid, p),
                         ComputeReference(Kind::kSigmoid, p), kF64Rtol, Dims(p));
}

TEST_F(LossTest, SoftmaxAllPairsPositive) {
  Problem p = MakeProblem(70, 50, 9, 45, std::log(10.0), 0.0);
  p.positives = SIGLIP_POS_LABELS;
  p.img_labels.assign(70, -1);
  p.txt_labels.assign(50, -1);
  ExpectMatchesReference(Call<double>(pool_.get(), Kind::kSoftmax, p),
                         ComputeReference(Kind::kSoftmax, p), kF64Rtol, Dims(p));
}

TEST_F(LossTest, SigmoidDiagonalWithOffsets) {
  struct Off {
    int64_t n, m, row, col;
  };
  const Off offs[] = {
      {40, 70, 100, 75},  // positives at j = i + 25
      {70, 40, 0, 30},    // j = i - 30
      {33, 33, 5, 5},     // the plain diagonal
      {33, 33, 0, 1000},  // no positive at all
      {129, 257, 64, 0},  // j = i + 64, crosses tile edges
  };
  for (const Off& o : offs) {
    Problem p = MakeProblem(o.n, o.m, 24, 46 + o.row, std::log(10.0), -10.0);
    p.row_offset = o.row;
    p.col_offset = o.col;
    p.norm = 1000;
    ExpectMatchesReference(Call<double>(pool_.get(), Kind::kSigmoid, p),
                           ComputeReference(Kind::kSigmoid, p), kF64Rtol,
                           Dims(p) + " offsets " + std::to_string(o.row) + "," +
                               std::to_string(o.col));
  }
}

TEST_F(LossTest, SigmoidNoPositives) {
  for (Shape s : {Shape{1, 1, 1}, Shape{45, 77, 13}, Shape{300, 200, 40}}) {
    Problem p = MakeProblem(s.n, s.m, s.d, 47, std::log(10.0), -10.0);
    p.positives = SIGLIP_POS_NONE;
    p.norm = 4096;
    ExpectMatchesReference(Call<double>(pool_.get(), Kind::kSigmoid, p),
                           ComputeReference(Kind::kSigmoid, p), kF64Rtol, Dims(p));
    // A NONE block equals a diagonal block whose offsets put no pair on it.
    Problem q = p;
    q.positives = SIGLIP_POS_DIAGONAL;
    q.row_offset = 0;
    q.col_offset = 1 << 20;
    const Result a = Call<double>(pool_.get(), Kind::kSigmoid, p);
    const Result b = Call<double>(pool_.get(), Kind::kSigmoid, q);
    EXPECT_NEAR(a.loss, b.loss, 1e-14 * a.loss);
  }
}

TEST_F(LossTest, SoftmaxIgnoresNormAndBias) {
  Problem p = MakeProblem(50, 50, 12, 48, std::log(10.0), 0.0);
  const Result a = Call<double>(pool_.get(), Kind::kSoftmax, p);
  p.norm = 7.5;
  p.bias = -10;
  const Result b = Call<double>(pool_.get(), Kind::kSoftmax, p);
  EXPECT_NEAR(a.loss, b.loss, 1e-13 * std::fabs(a.loss));
  EXPECT_NEAR(a.dt_prime, b.dt_prime, 1e-12 * std::fabs(a.dt_prime) + 1e-15);
  EXPECT_EQ(b.dbias, 0.0);
  EXPECT_TRUE(VectorsClose(b.dimg, a.dimg, std::vector<double>(a.dimg.size(), 0),
                           0, 0, 1e-13));
}

// accumulate = 1 adds the gradients to the buffers; the scalars are still
// overwritten with this call's contribution.
TEST_F(LossTest, AccumulateAddsToBuffers) {
  for (Kind kind : {Kind::kSigmoid, Kind::kSoftmax}) {
    for (Shape s : {Shape{3, 3, 5}, Shape{257, 257, 33}}) {
      Problem p = MakeProblem(s.n, s.m, s.d, 49, std::log(10.0), -10.0);
      Rng rng(50);
      CallOptions acc;
      acc.accumulate = true;
      acc.dimg_init = RandomRows(s.n, s.d, rng, 0.3, false);
      acc.dtxt_init = RandomRows(s.m, s.d, rng, 0.3, false);
      Reference ref = ComputeReference(kind, p);
      for (size_t q = 0; q < ref.dimg.size(); ++q) {
        ref.dimg[q] += acc.dimg_init[q];
        ref.dimg_scale[q] += std::fabs(acc.dimg_init[q]);
      }
      for (size_t q = 0; q < ref.dtxt.size(); ++q) {
        ref.dtxt[q] += acc.dtxt_init[q];
        ref.dtxt_scale[q] += std::fabs(acc.dtxt_init[q]);
      }
      ExpectMatchesReference(Call<double>(pool_.get(), kind, p, acc), ref,
                             kF64Rtol, std::string(KindName(kind)) + " f64 " + Dims(p));
      // float: the initial contents as float, 1e-5.
      const Problem pf = RoundedToFloat(p);
      Reference reff = ComputeReference(kind, pf);
      for (size_t q = 0; q < reff.dimg.size(); ++q) {
        const double init = static_cast<float>(acc.dimg_init[q]);
        reff.dimg[q] += init;
        reff.dimg_scale[q] += std::fabs(init);
      }
      for (size_t q = 0; q < reff.dtxt.size(); ++q) {
        const double init = static_cast<float>(acc.dtxt_init[q]);
        reff.dtxt[q] += init;
        reff.dtxt_scale[q] += std::fabs(init);
      }
      ExpectMatchesReference(Call<float>(pool_.get(), kind, pf, acc), reff, 1e-5,
                             std::string(KindName(kind)) + " f32 " + Dims(p),
                             true, 1e-2);
    }
  }
}

// The paper's chunked evaluation: K shards of b rows; block (r, c) is the
// sigmoid loss of image shard r against text shard c with offsets r*b, c*b
// and norm = the global B. Summing the blocks (accumulating the gradients)
// must give the unsharded loss.
TEST_F(LossTest, ShardedBlocksSumToTheWholeBatch) {
  const int64_t B = 96, K = 4, b = B / K, d = 40;
  const Problem whole = MakeProblem(B, B, d, 51, std::log(10.0), -10.0);
  const Result want = Call<double>(pool_.get(), Kind::kSigmoid, whole);
  std::vector<double> dimg(B * d, 0), dtxt(B * d, 0);
  double loss = 0, dt = 0, db = 0;
  for (int64_t r = 0; r < K; ++r) {
    for (int64_t c = 0; c < K; ++c) {
      Problem blk;
      blk.n = b;
      blk.m = b;
      blk.d = d;
      blk.img.assign(whole.img.begin() + r * b * d, whole.img.begin() + (r + 1) * b * d);
      blk.txt.assign(whole.txt.begin() + c * b * d, whole.txt.begin() + (c + 1) * b * d);
      // Diagonal blocks hold the positives; off-diagonal blocks are
      // negatives only: said with POS_NONE, or with the diagonal and the
      // shards' global offsets (which then put no pair on the diagonal).
      blk.positives = r == c ? SIGLIP_POS_DIAGONAL : SIGLIP_POS_NONE;
      if ((r + c) % 2 == 1 || (r == c && r % 2 == 1)) {
        blk.positives = SIGLIP_POS_DIAGONAL;
        blk.row_offset = r * b;
        blk.col_offset = c * b;
      }
      blk.t_prime = whole.t_prime;
      blk.bias = whole.bias;
      blk.norm = static_cast<double>(B);
      CallOptions acc;
      acc.accumulate = true;
      acc.dimg_init.assign(dimg.begin() + r * b * d, dimg.begin() + (r + 1) * b * d);
      acc.dtxt_init.assign(dtxt.begin() + c * b * d, dtxt.begin() + (c + 1) * b * d);
      const Result got = Call<double>(pool_.get(), Kind::kSigmoid, blk, acc);
      ASSERT_EQ(got.dimg.size(), static_cast<size_t>(b * d));
      std::copy(got.dimg.begin(), got.dimg.end(), dimg.begin() + r * b * d);
      std::copy(got.dtxt.begin(), got.dtxt.end(), dtxt.begin() + c * b * d);
      loss += got.loss;
      dt += got.dt_prime;
      db += got.dbias;
    }
  }
  EXPECT_NEAR(loss, want.loss, 1e-13 * want.loss);
  EXPECT_NEAR(dt, want.dt_prime, 1e-12 * (std::fabs(want.dt_prime) + 1));
  EXPECT_NEAR(db, want.dbias, 1e-12 * (std::fabs(want.dbias) + 1));
  const Reference ref = ComputeReference(Kind::kSigmoid, whole);
  EXPECT_TRUE(VectorsClose(dimg, want.dimg, ref.dimg_scale, 1e-12));
  EXPECT_TRUE(VectorsClose(dtxt, want.dtxt, ref.dtxt_scale, 1e-12));
}

// Grids of full-size tiles (256 for float, 192 for double in today's kernels)
// with a partial last tile, and more row-blocks than column-blocks.
TEST_F(LossTest, LargeGridsWithPartialTiles) {
  const Shape shapes[] = {{2100, 1999, 7}, {1601, 1700, 5}};
  for (const Shape& s : shapes) {
    Problem p = MakeProblem(s.n, s.m, s.d, Seed(s), std::log(10.0), -10.0);
    const Problem pf = RoundedToFloat(p);
    ExpectMatchesReference(Call<double>(pool_.get(), Kind::kSigmoid, p),
                           ComputeReference(Kind::kSigmoid, p), kF64Rtol,
                           "sigmoid f64 " + Dims(p));
    ExpectMatchesReference(Call<float>(pool_.get(), Kind::kSigmoid, pf),
                           ComputeReference(Kind::kSigmoid, pf), 1e-5,
                           "sigmoid f32 " + Dims(p), true, 1e-2);
    SetLabels(p, 500, 7);
    const Problem plf = RoundedToFloat(p);
    ExpectMatchesReference(Call<double>(pool_.get(), Kind::kSoftmax, p),
                           ComputeReference(Kind::kSoftmax, p), kF64Rtol,
                           "softmax f64 " + Dims(p));
    ExpectMatchesReference(Call<float>(pool_.get(), Kind::kSoftmax, plf),
                           ComputeReference(Kind::kSoftmax, plf), 1e-5,
                           "softmax f32 " + Dims(p), true, 1e-2);
  }
}

// Gradients are a pure function of their inputs: two calls agree exactly,
// and overwriting calls ignore what the buffers held (CallTyped fills them
// with garbage first).
TEST_F(LossTest, RepeatedCallsAgreeExactly) {
  Problem p = MakeProblem(200, 150, 50, 52);
  for (Kind kind : {Kind::kSigmoid, Kind::kSoftmax}) {
    if (kind == Kind::kSoftmax) SetLabels(p, 50, 53);
    const Result a = Call<double>(pool_.get(), kind, p);
    const Result b = Call<double>(pool_.get(), kind, p);
    EXPECT_EQ(a.loss, b.loss);
    EXPECT_EQ(a.dt_prime, b.dt_prime);
    EXPECT_EQ(a.dbias, b.dbias);
    EXPECT_EQ(a.dimg, b.dimg);
    EXPECT_EQ(a.dtxt, b.dtxt);
  }
}

}  // namespace
}  // namespace siglip_test
