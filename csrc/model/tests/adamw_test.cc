// AdamW against a scalar reference: bias correction, decoupled decay and its
// mask, per-group learning-rate multipliers (0 locks a tower), clipping by
// the global norm.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "csrc/model/siglip_model.h"
#include "csrc/model/tests/model_test_util.h"

namespace siglip_test {
namespace {

void RunAdamW(double clip_norm, double text_mult) {
  siglip_model_config c = Preset("tiny");
  ModelPtr m = MakeModel<double>(c, 2, 4);
  const int64_t n = siglip_model_param_elements(m.get());
  const int64_t np = siglip_model_param_count(m.get());
  std::vector<int> group(n), decay(n);
  for (int64_t k = 0; k < np; ++k) {
    const siglip_param_info info = Info(m.get(), k);
    for (int64_t i = info.offset; i < info.offset + info.numel; ++i) {
      group[i] = info.group;
      decay[i] = info.decay;
    }
  }
  siglip_adamw_options o;
  siglip_adamw_defaults(&o);
  EXPECT_EQ(o.beta2, 0.95);
  o.lr = 0.01;
  o.weight_decay = 0.1;
  o.clip_norm = clip_norm;
  o.lr_mult[SIGLIP_GROUP_TEXT] = text_mult;
  o.lr_mult[SIGLIP_GROUP_LOGIT] = 0.5;
  std::vector<double> p = Read<double>(m.get(), SIGLIP_BUF_PARAMS);
  const std::vector<double> p0 = p;
  std::vector<double> mm(n, 0.0), vv(n, 0.0);
  std::mt19937_64 rng(3);
  std::normal_distribution<double> nd;
  char err[256] = {0};
  for (int t = 1; t <= 3; ++t) {
    std::vector<double> g(n);
    for (auto& x : g) x = 0.05 * nd(rng);
    ASSERT_EQ(siglip_model_write(m.get(), SIGLIP_BUF_GRADS, 0, n, g.data(), err, sizeof err),
              SIGLIP_OK);
    double norm = -1;
    ASSERT_EQ(siglip_model_adamw_step(m.get(), &o, &norm, err, sizeof err), SIGLIP_OK) << err;
    double ss = 0;
    for (int64_t i = 0; i < n; ++i)
      if (o.lr_mult[group[i]] != 0) ss += g[i] * g[i];
    EXPECT_NEAR(norm, std::sqrt(ss), 1e-9 * std::sqrt(ss));
    const double clip = clip_norm > 0 && std::sqrt(ss) > clip_norm ? clip_norm / std::sqrt(ss) : 1;
    for (int64_t i = 0; i < n; ++i) {
      const double lr = o.lr * o.lr_mult[group[i]];
      if (lr == 0) continue;
      const double gi = g[i] * clip;
      mm[i] = o.beta1 * mm[i] + (1 - o.beta1) * gi;
      vv[i] = o.beta2 * vv[i] + (1 - o.beta2) * gi * gi;
      const double mh = mm[i] / (1 - std::pow(o.beta1, t));
      const double vh = vv[i] / (1 - std::pow(o.beta2, t));
      p[i] -= lr * (mh / (std::sqrt(vh) + o.eps) + (decay[i] ? o.weight_decay * p[i] : 0));
    }
  }
  EXPECT_EQ(siglip_model_adamw_steps(m.get()), 3);
  std::vector<double> got = Read<double>(m.get(), SIGLIP_BUF_PARAMS);
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_NEAR(got[i], p[i], 1e-12 * (1 + std::fabs(p[i]))) << i;
    if (group[i] == SIGLIP_GROUP_TEXT && text_mult == 0) {
      ASSERT_EQ(got[i], p0[i]);
    }
  }
  if (text_mult == 0) {
    // The locked tower's moments are untouched as well.
    std::vector<double> mv = Read<double>(m.get(), SIGLIP_BUF_ADAM_M);
    for (int64_t i = 0; i < n; ++i) {
      if (group[i] == SIGLIP_GROUP_TEXT) {
        ASSERT_EQ(mv[i], 0.0);
      }
    }
  }
}

TEST(AdamWTest, MatchesReferenceNoClip) { RunAdamW(0, 1.0); }
TEST(AdamWTest, MatchesReferenceClipped) { RunAdamW(0.5, 2.0); }
TEST(AdamWTest, LockedTower) { RunAdamW(1.0, 0.0); }

TEST(AdamWTest, RejectsBadOptionsAndNonFiniteGradients) {
  siglip_model_config c = Preset("tiny");
  ModelPtr m = MakeModel<float>(c, 1, 4);
  siglip_adamw_options o;
  siglip_adamw_defaults(&o);
  char err[256] = {0};
  o.beta2 = 1.0;
  EXPECT_EQ(siglip_model_adamw_step(m.get(), &o, nullptr, err, sizeof err), SIGLIP_EINVAL);
  EXPECT_NE(std::string(err).find("beta2"), std::string::npos);
  siglip_adamw_defaults(&o);
  std::vector<float> p0 = Read<float>(m.get(), SIGLIP_BUF_PARAMS);
  float nan = std::nanf("");
  ASSERT_EQ(siglip_model_write(m.get(), SIGLIP_BUF_GRADS, 5, 1, &nan, err, sizeof err),
            SIGLIP_OK);
  EXPECT_EQ(siglip_model_adamw_step(m.get(), &o, nullptr, err, sizeof err), SIGLIP_EINVAL);
  EXPECT_NE(std::string(err).find("not finite"), std::string::npos);
  std::vector<float> p1 = Read<float>(m.get(), SIGLIP_BUF_PARAMS);
  EXPECT_EQ(p0, p1);
  EXPECT_EQ(siglip_model_adamw_steps(m.get()), 0);
}

}  // namespace
}  // namespace siglip_test
