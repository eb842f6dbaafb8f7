// errors_test.cc: bad arguments give SIGLIP_EINVAL and a message that names
// the problem; nothing crashes, nothing is written on failure, and short or
// absent message buffers are handled.
#include <regex>

#include "reference.h"

namespace siglip_test {
namespace {

using Fn = int (*)(siglip_pool*, siglip_dtype, const siglip_loss_input*,
                   siglip_loss_output*, char*, size_t);

struct Inputs {
  Problem p;
  std::vector<float> img, txt, dimg, dtxt;
  siglip_loss_input in;
  siglip_loss_output out;

  explicit Inputs(int64_t n = 4, int64_t m = 4, int64_t d = 3) {
    p = MakeProblem(n, m, d, 7);
    img.assign(p.img.begin(), p.img.end());
    txt.assign(p.txt.begin(), p.txt.end());
    dimg.assign(n * d, 42.0f);
    dtxt.assign(m * d, 42.0f);
    std::memset(&in, 0, sizeof in);
    in.n = n;
    in.m = m;
    in.d = d;
    in.img = img.data();
    in.txt = txt.data();
    in.positives = SIGLIP_POS_DIAGONAL;
    in.t_prime = std::log(10.0);
    in.bias = -10;
    in.norm = static_cast<double>(n);
    std::memset(&out, 0, sizeof out);
    out.dimg = dimg.data();
    out.dtxt = dtxt.data();
  }
};

class ErrorsTest : public ::testing::Test {
 protected:
  void SetUp() override { pool_ = MakePool(2); }

  // Runs fn and expects SIGLIP_EINVAL with a message matching `pattern`
  // (case-insensitive ECMAScript regex), and the gradient buffers untouched.
  void ExpectEinval(Fn fn, const char* fn_name, Inputs& s, const char* pattern,
                    const char* what, siglip_dtype dtype = SIGLIP_F32) {
    SCOPED_TRACE(std::string(fn_name) + ": " + what);
    char err[512];
    std::memset(err, 0, sizeof err);
    const int rc = fn(pool_.get(), dtype, &s.in, &s.out, err, sizeof err);
    EXPECT_EQ(rc, SIGLIP_EINVAL) << "message: " << err;
    EXPECT_NE(err[0], 0) << "empty message";
    EXPECT_LT(std::strlen(err), sizeof err);
    EXPECT_TRUE(std::regex_search(
        err, std::regex(pattern, std::regex::ECMAScript | std::regex::icase)))
        << "message \"" << err << "\" does not name the problem (/" << pattern
        << "/)";
    for (float v : s.dimg) {
      if (v != 42.0f) {
        ADD_FAILURE() << "dimg written by a failing call";
        break;
      }
    }
  }

  Pool pool_;
};

const struct {
  Fn fn;
  const char* name;
} kLosses[] = {{siglip_sigmoid_loss, "sigmoid"}, {siglip_softmax_loss, "softmax"}};

TEST_F(ErrorsTest, NullPointers) {
  for (auto l : kLosses) {
    {
      Inputs s;
      s.in.img = nullptr;
      ExpectEinval(l.fn, l.name, s, "img|image", "img NULL");
    }
    {
      Inputs s;
      s.in.txt = nullptr;
      ExpectEinval(l.fn, l.name, s, "txt|text", "txt NULL");
    }
    {
      Inputs s;
      char err[256] = {0};
      EXPECT_EQ(l.fn(pool_.get(), SIGLIP_F32, nullptr, &s.out, err, sizeof err),
                SIGLIP_EINVAL)
          << l.name;
      EXPECT_NE(err[0], 0) << l.name << ": in NULL, empty message";
      std::memset(err, 0, sizeof err);
      EXPECT_EQ(l.fn(pool_.get(), SIGLIP_F32, &s.in, nullptr, err, sizeof err),
                SIGLIP_EINVAL)
          << l.name;
      EXPECT_NE(err[0], 0) << l.name << ": out NULL, empty message";
    }
  }
}

TEST_F(ErrorsTest, BadSizes) {
  for (auto l : kLosses) {
    for (int64_t bad : {int64_t(0), int64_t(-1)}) {
      {
        Inputs s;
        s.in.n = bad;
        ExpectEinval(l.fn, l.name, s, "\\bn\\b|images|rows", "n <= 0");
      }
      {
        Inputs s;
        s.in.m = bad;
        ExpectEinval(l.fn, l.name, s, "\\bm\\b|texts|rows", "m <= 0");
      }
      {
        Inputs s;
        s.in.d = bad;
        ExpectEinval(l.fn, l.name, s, "\\bd\\b|width|dim", "d <= 0");
      }
    }
  }
}

TEST_F(ErrorsTest, BadNorm) {
  // Only the sigmoid loss uses norm (the softmax loss ignores it).
  for (double bad : {0.0, -1.0, double(NAN)}) {
    Inputs s;
    s.in.norm = bad;
    ExpectEinval(siglip_sigmoid_loss, "sigmoid", s, "norm", "norm <= 0 or NaN");
  }
}

TEST_F(ErrorsTest, NonFiniteParameters) {
  for (auto l : kLosses) {
    for (double bad : {double(NAN), double(INFINITY)}) {
      Inputs s;
      s.in.t_prime = bad;
      ExpectEinval(l.fn, l.name, s, "t_prime|t'|temperature|t\\b", "t' NaN or +inf");
    }
  }
  Inputs s;
  s.in.bias = NAN;
  ExpectEinval(siglip_sigmoid_loss, "sigmoid", s, "bias|\\bb\\b", "bias NaN");
}

TEST_F(ErrorsTest, BadDtypeAndPositives) {
  for (auto l : kLosses) {
    {
      Inputs s;
      ExpectEinval(l.fn, l.name, s, "dtype|type", "dtype 7",
                   static_cast<siglip_dtype>(7));
    }
    {
      Inputs s;
      s.in.positives = static_cast<siglip_positives>(9);
      ExpectEinval(l.fn, l.name, s, "positive", "positives 9");
    }
    {
      Inputs s;
      s.in.positives = SIGLIP_POS_LABELS;
      ExpectEinval(l.fn, l.name, s, "label", "labels NULL");
    }
    {
      Inputs s;
      std::vector<int64_t> il = {1, 2, 3, 4};
      s.in.positives = SIGLIP_POS_LABELS;
      s.in.img_labels = il.data();
      ExpectEinval(l.fn, l.name, s, "label", "txt_labels NULL");
    }
    {
      Inputs s;
      std::vector<int64_t> tl = {1, 2, 3, 4};
      s.in.positives = SIGLIP_POS_LABELS;
      s.in.txt_labels = tl.data();
      ExpectEinval(l.fn, l.name, s, "label", "img_labels NULL");
    }
  }
}

TEST_F(ErrorsTest, SoftmaxNeedsAPositiveEverywhere) {
  {
    Inputs s;
    std::vector<int64_t> il = {1, 2, 3, 4}, tl = {1, 2, 3, 3};  // image 3 has none
    s.in.positives = SIGLIP_POS_LABELS;
    s.in.img_labels = il.data();
    s.in.txt_labels = tl.data();
    ExpectEinval(siglip_softmax_loss, "softmax", s, "positive|no text",
                 "an image without a positive");
  }
  {
    Inputs s(4, 5, 3);
    std::vector<int64_t> il = {1, 2, 3, 4}, tl = {1, 2, 3, 4, 5};  // text 4 has none
    s.in.positives = SIGLIP_POS_LABELS;
    s.in.img_labels = il.data();
    s.in.txt_labels = tl.data();
    ExpectEinval(siglip_softmax_loss, "softmax", s, "positive|no image",
                 "a text without a positive");
  }
  {
    Inputs s;
    s.in.positives = SIGLIP_POS_NONE;
    ExpectEinval(siglip_softmax_loss, "softmax", s, "positive", "POS_NONE");
  }
  {
    Inputs s(4, 6, 3);
    ExpectEinval(siglip_softmax_loss, "softmax", s,
                 "\\bn\\b|\\bm\\b|square|diagonal|positive",
                 "diagonal with n != m");
  }
}

TEST_F(ErrorsTest, SigmoidRowsWithoutPositivesAreFine) {
  Inputs s;
  std::vector<int64_t> il = {1, 2, 3, 4}, tl = {5, 6, 7, 8};
  s.in.positives = SIGLIP_POS_LABELS;
  s.in.img_labels = il.data();
  s.in.txt_labels = tl.data();
  char err[256] = {0};
  EXPECT_EQ(siglip_sigmoid_loss(pool_.get(), SIGLIP_F32, &s.in, &s.out, err,
                                sizeof err),
            SIGLIP_OK)
      << err;
}

// One of the two gradient buffers NULL: either the call is refused, or the
// given buffer receives the right gradient. Never a crash.
TEST_F(ErrorsTest, OneGradientBufferNull) {
  for (auto l : kLosses) {
    Inputs full;
    char err[256] = {0};
    ASSERT_EQ(l.fn(pool_.get(), SIGLIP_F32, &full.in, &full.out, err, sizeof err),
              SIGLIP_OK)
        << err;
    Inputs s;
    s.out.dtxt = nullptr;
    const int rc = l.fn(pool_.get(), SIGLIP_F32, &s.in, &s.out, err, sizeof err);
    if (rc == SIGLIP_OK) {
      EXPECT_EQ(s.dimg, full.dimg) << l.name;
    } else {
      EXPECT_EQ(rc, SIGLIP_EINVAL) << l.name << ": " << err;
    }
  }
}

TEST_F(ErrorsTest, ShortAndAbsentMessageBuffers) {
  for (auto l : kLosses) {
    Inputs s;
    s.in.n = 0;
    char small[8];
    std::memset(small, 'x', sizeof small);
    EXPECT_EQ(l.fn(pool_.get(), SIGLIP_F32, &s.in, &s.out, small, sizeof small),
              SIGLIP_EINVAL);
    EXPECT_NE(std::memchr(small, 0, sizeof small), nullptr)
        << l.name << ": message not NUL-terminated within err_len";
    char one = 'x';
    EXPECT_EQ(l.fn(pool_.get(), SIGLIP_F32, &s.in, &s.out, &one, 1), SIGLIP_EINVAL);
    EXPECT_EQ(one, 0) << l.name;
    EXPECT_EQ(l.fn(pool_.get(), SIGLIP_F32, &s.in, &s.out, nullptr, 0),
              SIGLIP_EINVAL)
        << l.name;
  }
}

TEST_F(ErrorsTest, PoolCreateWithoutOutput) {
  char err[256] = {0};
  EXPECT_EQ(siglip_pool_create(2, nullptr, err, sizeof err), SIGLIP_EINVAL);
  EXPECT_NE(err[0], 0);
}

TEST_F(ErrorsTest, NullPoolIsRefusedOrWorks) {
  Inputs s;
  char err[256] = {0};
  const int rc =
      siglip_sigmoid_loss(nullptr, SIGLIP_F32, &s.in, &s.out, err, sizeof err);
  EXPECT_TRUE(rc == SIGLIP_OK || rc == SIGLIP_EINVAL) << rc << ": " << err;
  if (rc == SIGLIP_EINVAL) {
    EXPECT_NE(err[0], 0);
  }
}

TEST(Misc, BuildInfo) {
  const char* info = siglip_build_info();
  ASSERT_NE(info, nullptr);
  EXPECT_GT(std::strlen(info), 0u);
  std::cout << "build info: " << info << "\n";
}

TEST(Misc, GemmBenchmark) {
  char err[256] = {0};
  double sec = -1;
  EXPECT_EQ(siglip_gemm_benchmark(SIGLIP_F32, 1, 64, 48, 32, 3, &sec, err, sizeof err),
            SIGLIP_OK)
      << err;
  EXPECT_GT(sec, 0);
  EXPECT_LT(sec, 1);
  sec = -1;
  EXPECT_EQ(siglip_gemm_benchmark(SIGLIP_F64, 2, 17, 5, 3, 1, &sec, err, sizeof err),
            SIGLIP_OK)
      << err;
  EXPECT_GT(sec, 0);
  EXPECT_EQ(siglip_gemm_benchmark(SIGLIP_F32, 1, 0, 48, 32, 3, &sec, err, sizeof err),
            SIGLIP_EINVAL);
  EXPECT_NE(err[0], 0);
  EXPECT_EQ(siglip_gemm_benchmark(SIGLIP_F32, 1, 8, 8, 8, 3, nullptr, err, sizeof err),
            SIGLIP_EINVAL);
}

// siglip.h: SIGLIP_EINVAL is the answer to a bad dtype.
TEST(Misc, GemmBenchmarkRejectsBadDtype) {
  char err[256] = {0};
  double sec = -1;
  EXPECT_EQ(siglip_gemm_benchmark(static_cast<siglip_dtype>(0), 1, 8, 8, 8, 3, &sec,
                                  err, sizeof err),
            SIGLIP_EINVAL);
  EXPECT_EQ(siglip_gemm_benchmark(static_cast<siglip_dtype>(3), 1, 8, 8, 8, 3, &sec,
                                  err, sizeof err),
            SIGLIP_EINVAL);
}

}  // namespace
}  // namespace siglip_test
