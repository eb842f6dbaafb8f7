// The towers learn: `tiny` towers trained with the sigmoid loss (the core's
// siglip_sigmoid_loss) and AdamW drive the loss on 32 fixed image-text pairs
// near zero.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "csrc/model/siglip_model.h"
#include "csrc/model/tests/model_test_util.h"
#include "siglip.h"

namespace siglip_test {
namespace {

struct PoolDeleter {
  void operator()(siglip_pool* p) const { siglip_pool_destroy(p); }
};

TEST(OverfitTest, TinyTowersFit32Pairs) {
  const int64_t n = 32;
  siglip_model_config c = Preset("tiny");
  ModelPtr m = MakeModel<float>(c, 2, 1);
  siglip_pool* pp = nullptr;
  char err[256] = {0};
  ASSERT_EQ(siglip_pool_create(2, &pp, err, sizeof err), SIGLIP_OK) << err;
  std::unique_ptr<siglip_pool, PoolDeleter> pool(pp);
  auto px = Pixels<float>(c, n, 1);
  auto ids = Tokens(c, n, 2);
  const int64_t d = c.embed_dim;
  std::vector<float> ei(n * d), et(n * d), di(n * d), dt(n * d);
  const int64_t off_s = Info(m.get(), siglip_model_param_index(m.get(), "logit_scale")).offset;
  const int64_t off_b = Info(m.get(), siglip_model_param_index(m.get(), "logit_bias")).offset;
  siglip_adamw_options o;
  siglip_adamw_defaults(&o);
  o.lr = 3e-3;
  double first = 0, loss = 0;
  int step = 0;
  for (; step < 400; ++step) {
    ASSERT_EQ(siglip_model_embed_images(m.get(), n, px.data(), ei.data(), 1, err, sizeof err),
              SIGLIP_OK)
        << err;
    ASSERT_EQ(siglip_model_embed_texts(m.get(), n, ids.data(), et.data(), 1, err, sizeof err),
              SIGLIP_OK)
        << err;
    float ts = 0, tb = 0;
    siglip_model_read(m.get(), SIGLIP_BUF_PARAMS, off_s, 1, &ts, err, sizeof err);
    siglip_model_read(m.get(), SIGLIP_BUF_PARAMS, off_b, 1, &tb, err, sizeof err);
    siglip_loss_input in{};
    in.n = n;
    in.m = n;
    in.d = d;
    in.img = ei.data();
    in.txt = et.data();
    in.positives = SIGLIP_POS_DIAGONAL;
    in.t_prime = ts;
    in.bias = tb;
    in.norm = static_cast<double>(n);
    siglip_loss_output out{};
    out.dimg = di.data();
    out.dtxt = dt.data();
    ASSERT_EQ(siglip_sigmoid_loss(pool.get(), SIGLIP_F32, &in, &out, err, sizeof err),
              SIGLIP_OK)
        << err;
    loss = out.loss;
    if (step == 0) first = loss;
    if (loss < 0.02) break;
    siglip_model_grads g{};
    g.dimg = di.data();
    g.dtxt = dt.data();
    g.n_img = n;
    g.n_txt = n;
    g.d_logit_scale = out.dt_prime;
    g.d_logit_bias = out.dbias;
    ASSERT_EQ(siglip_model_backward(m.get(), &g, err, sizeof err), SIGLIP_OK) << err;
    ASSERT_EQ(siglip_model_adamw_step(m.get(), &o, nullptr, err, sizeof err), SIGLIP_OK) << err;
  }
  std::printf("overfit: loss %.4f -> %.4f in %d steps\n", first, loss, step);
  EXPECT_GT(first, 1.0);
  EXPECT_LT(loss, 0.02);
}

}  // namespace
}  // namespace siglip_test
