// No allocation inside a step: after a warm-up step of the same batch size,
// a training step (both towers forward, backward, AdamW) calls operator new
// zero times and leaves malloc's bytes in use unchanged.
#include <gtest/gtest.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "csrc/model/siglip_model.h"
#include "csrc/model/tests/model_test_util.h"

namespace {
std::atomic<long> g_news{0};
}  // namespace

// Counting replacements of the global allocation functions (this binary only).
void* operator new(size_t n) {
  g_news.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) {
  g_news.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace siglip_test {
namespace {

template <typename T>
void RunSteps() {
  siglip_model_config c = Preset("tiny");
  ModelPtr m = MakeModel<T>(c, 2, 1);
  const int64_t n = 6;
  auto px = Pixels<T>(c, n, 1);
  auto ids = Tokens(c, n, 2);
  std::vector<T> ei(n * c.embed_dim), et(n * c.embed_dim), di(n * c.embed_dim, T(0.1)),
      dt(n * c.embed_dim, T(-0.1));
  siglip_adamw_options o;
  siglip_adamw_defaults(&o);
  char err[256] = {0};
  auto step = [&] {
    ASSERT_EQ(siglip_model_embed_images(m.get(), n, px.data(), ei.data(), 1, err, sizeof err),
              SIGLIP_OK);
    ASSERT_EQ(siglip_model_embed_texts(m.get(), n, ids.data(), et.data(), 1, err, sizeof err),
              SIGLIP_OK);
    siglip_model_grads g{};
    g.dimg = di.data();
    g.dtxt = dt.data();
    g.n_img = n;
    g.n_txt = n;
    ASSERT_EQ(siglip_model_backward(m.get(), &g, err, sizeof err), SIGLIP_OK) << err;
    ASSERT_EQ(siglip_model_adamw_step(m.get(), &o, nullptr, err, sizeof err), SIGLIP_OK) << err;
  };
  step();  // warm-up: sizes the arenas
  const long news = g_news.load();
#if defined(__GLIBC__)
  const size_t in_use = mallinfo2().uordblks;
#endif
  step();
  step();
  EXPECT_EQ(g_news.load() - news, 0) << "operator new calls inside a step";
#if defined(__GLIBC__)
  EXPECT_EQ(mallinfo2().uordblks, in_use) << "malloc'd bytes changed across steps";
#endif
}

TEST(AllocTest, NoAllocationInsideAStepFloat) { RunSteps<float>(); }
TEST(AllocTest, NoAllocationInsideAStepDouble) { RunSteps<double>(); }

}  // namespace
}  // namespace siglip_test
