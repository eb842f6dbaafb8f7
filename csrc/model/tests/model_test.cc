// The towers through the C ABI: whole-tower gradients against finite
// differences (double, tiny), float against double, determinism, parameter
// names, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "csrc/model/siglip_model.h"
#include "csrc/model/tests/model_test_util.h"

namespace siglip_test {
namespace {

constexpr int64_t kImages = 3, kTexts = 3;

// L = <wi, embed_images> + <wt, embed_texts> + cs * logit_scale + cb * logit_bias.
struct Objective {
  std::vector<double> wi, wt;
  double cs = 0.3, cb = -0.7;
};

Objective MakeObjective(const siglip_model_config& c, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd;
  Objective o;
  o.wi.resize(kImages * c.embed_dim);
  o.wt.resize(kTexts * c.embed_dim);
  for (auto& v : o.wi) v = nd(rng);
  for (auto& v : o.wt) v = nd(rng);
  return o;
}

double Eval(siglip_model* m, const siglip_model_config& c, const std::vector<double>& px,
            const std::vector<int32_t>& ids, const Objective& o) {
  std::vector<double> ei(kImages * c.embed_dim), et(kTexts * c.embed_dim);
  char err[256] = {0};
  EXPECT_EQ(siglip_model_embed_images(m, kImages, px.data(), ei.data(), 0, err, sizeof err),
            SIGLIP_OK)
      << err;
  EXPECT_EQ(siglip_model_embed_texts(m, kTexts, ids.data(), et.data(), 0, err, sizeof err),
            SIGLIP_OK)
      << err;
  double l = 0;
  for (size_t i = 0; i < ei.size(); ++i) l += o.wi[i] * ei[i];
  for (size_t i = 0; i < et.size(); ++i) l += o.wt[i] * et[i];
  const int64_t s = siglip_model_param_index(m, "logit_scale");
  const int64_t b = siglip_model_param_index(m, "logit_bias");
  double vs = 0, vb = 0;
  siglip_model_read(m, SIGLIP_BUF_PARAMS, Info(m, s).offset, 1, &vs, err, sizeof err);
  siglip_model_read(m, SIGLIP_BUF_PARAMS, Info(m, b).offset, 1, &vb, err, sizeof err);
  return l + o.cs * vs + o.cb * vb;
}

void TrainForwardBackward(siglip_model* m, const siglip_model_config& c,
                          const std::vector<double>& px, const std::vector<int32_t>& ids,
                          const Objective& o) {
  std::vector<double> ei(kImages * c.embed_dim), et(kTexts * c.embed_dim);
  char err[256] = {0};
  ASSERT_EQ(siglip_model_embed_images(m, kImages, px.data(), ei.data(), 1, err, sizeof err),
            SIGLIP_OK)
      << err;
  ASSERT_EQ(siglip_model_embed_texts(m, kTexts, ids.data(), et.data(), 1, err, sizeof err),
            SIGLIP_OK)
      << err;
  siglip_model_grads g{};
  g.dimg = o.wi.data();
  g.dtxt = o.wt.data();
  g.n_img = kImages;
  g.n_txt = kTexts;
  g.d_logit_scale = o.cs;
  g.d_logit_bias = o.cb;
  ASSERT_EQ(siglip_model_backward(m, &g, err, sizeof err), SIGLIP_OK) << err;
}

// Gradient of every tensor (two elements each, plus the whole of small
// ones) against central differences.
void CheckTowerGradients(siglip_model_config c) {
  ModelPtr m = MakeModel<double>(c, 2, 7);
  auto px = Pixels<double>(c, kImages, 1);
  auto ids = Tokens(c, kTexts, 2);
  Objective o = MakeObjective(c, 3);
  TrainForwardBackward(m.get(), c, px, ids, o);
  std::vector<double> grads = Read<double>(m.get(), SIGLIP_BUF_GRADS);
  std::mt19937_64 rng(11);
  const int64_t np = siglip_model_param_count(m.get());
  int checked = 0;
  char err[256] = {0};
  for (int64_t k = 0; k < np; ++k) {
    const siglip_param_info info = Info(m.get(), k);
    std::vector<int64_t> idx;
    if (info.numel <= 4) {
      for (int64_t i = 0; i < info.numel; ++i) idx.push_back(i);
    } else {
      std::uniform_int_distribution<int64_t> u(0, info.numel - 1);
      idx = {u(rng), u(rng)};
    }
    if (std::string(info.name) == "text_model.embeddings.token_embedding.weight") {
      idx.push_back(ids[0] * c.text_width + 1);  // a row that is used
      idx.push_back(ids[3] * c.text_width + 5);
    }
    for (int64_t i : idx) {
      const int64_t off = info.offset + i;
      double v = 0;
      siglip_model_read(m.get(), SIGLIP_BUF_PARAMS, off, 1, &v, err, sizeof err);
      const double h = 1e-5;
      double vp = v + h, vm = v - h;
      siglip_model_write(m.get(), SIGLIP_BUF_PARAMS, off, 1, &vp, err, sizeof err);
      const double lp = Eval(m.get(), c, px, ids, o);
      siglip_model_write(m.get(), SIGLIP_BUF_PARAMS, off, 1, &vm, err, sizeof err);
      const double lm = Eval(m.get(), c, px, ids, o);
      siglip_model_write(m.get(), SIGLIP_BUF_PARAMS, off, 1, &v, err, sizeof err);
      const double fd = (lp - lm) / (2 * h);
      EXPECT_NEAR(grads[off], fd, 1e-6 + 1e-5 * std::fabs(fd))
          << info.name << "[" << i << "]";
      ++checked;
    }
  }
  EXPECT_GT(checked, 2 * np - 1);
}

TEST(TowerGradTest, TinyMapPooling) { CheckTowerGradients(Preset("tiny")); }

TEST(TowerGradTest, TinyMeanPoolingNoMask) {
  siglip_model_config c = Preset("tiny");
  c.pooling = SIGLIP_POOLING_MEAN;
  c.pad_id = -1;
  c.vision_layers = 1;
  c.text_layers = 1;
  c.image_size = 24;  // 9 patches
  CheckTowerGradients(c);
}

// Padding is masked: changing a padded token's id changes nothing except
// through the last position (which SigLIP pools, padded or not).
TEST(TowerTest, PaddingIsMaskedAsKeys) {
  siglip_model_config c = Preset("tiny");
  ModelPtr m = MakeModel<double>(c, 1, 5);
  std::vector<int32_t> a = {5, 6, 7, 0, 0, 0, 0, 9};  // pad_id 0
  std::vector<int32_t> b = a;
  b[4] = 0;
  std::vector<double> ea(c.embed_dim), eb(c.embed_dim);
  char err[256] = {0};
  ASSERT_EQ(siglip_model_embed_texts(m.get(), 1, a.data(), ea.data(), 0, err, sizeof err),
            SIGLIP_OK);
  // The same sequence with one more pad before the last token: unchanged,
  // since pads are never attended to (their own outputs are not pooled).
  ASSERT_EQ(siglip_model_embed_texts(m.get(), 1, b.data(), eb.data(), 0, err, sizeof err),
            SIGLIP_OK);
  for (int64_t k = 0; k < c.embed_dim; ++k) EXPECT_EQ(ea[k], eb[k]);
  // Unmasking changes the output.
  c.pad_id = -1;
  ModelPtr m2 = MakeModel<double>(c, 1, 5);
  std::vector<double> ec(c.embed_dim);
  ASSERT_EQ(siglip_model_embed_texts(m2.get(), 1, a.data(), ec.data(), 0, err, sizeof err),
            SIGLIP_OK);
  double diff = 0;
  for (int64_t k = 0; k < c.embed_dim; ++k) diff += std::fabs(ec[k] - ea[k]);
  EXPECT_GT(diff, 1e-6);
}

TEST(TowerTest, EmbeddingsAreUnitVectors) {
  siglip_model_config c = Preset("tiny");
  ModelPtr m = MakeModel<float>(c, 2, 1);
  auto px = Pixels<float>(c, 5, 1);
  auto ids = Tokens(c, 5, 2);
  std::vector<float> ei(5 * c.embed_dim), et(5 * c.embed_dim);
  char err[256] = {0};
  ASSERT_EQ(siglip_model_embed_images(m.get(), 5, px.data(), ei.data(), 0, err, sizeof err),
            SIGLIP_OK);
  ASSERT_EQ(siglip_model_embed_texts(m.get(), 5, ids.data(), et.data(), 0, err, sizeof err),
            SIGLIP_OK);
  for (int i = 0; i < 5; ++i) {
    double si = 0, st = 0;
    for (int64_t k = 0; k < c.embed_dim; ++k) {
      si += ei[i * c.embed_dim + k] * ei[i * c.embed_dim + k];
      st += et[i * c.embed_dim + k] * et[i * c.embed_dim + k];
    }
    EXPECT_NEAR(si, 1.0, 1e-5);
    EXPECT_NEAR(st, 1.0, 1e-5);
  }
}

// Inference in chunks (batch larger than the arena) equals a batch forward.
TEST(TowerTest, ChunkedInferenceMatchesBatch) {
  siglip_model_config c = Preset("tiny");
  ModelPtr m = MakeModel<double>(c, 2, 1);
  char err[256] = {0};
  ASSERT_EQ(siglip_model_reserve(m.get(), 2, 2, err, sizeof err), SIGLIP_OK);
  auto px = Pixels<double>(c, 5, 1);
  auto ids = Tokens(c, 5, 2);
  std::vector<double> e1(5 * c.embed_dim), e2(5 * c.embed_dim);
  ASSERT_EQ(siglip_model_embed_images(m.get(), 5, px.data(), e1.data(), 0, err, sizeof err),
            SIGLIP_OK);
  ASSERT_EQ(siglip_model_embed_images(m.get(), 5, px.data(), e2.data(), 1, err, sizeof err),
            SIGLIP_OK);
  for (size_t i = 0; i < e1.size(); ++i) EXPECT_NEAR(e1[i], e2[i], 1e-12);
  ASSERT_EQ(siglip_model_embed_texts(m.get(), 5, ids.data(), e1.data(), 0, err, sizeof err),
            SIGLIP_OK);
  ASSERT_EQ(siglip_model_reserve(m.get(), 0, 5, err, sizeof err), SIGLIP_OK);
  ASSERT_EQ(siglip_model_embed_texts(m.get(), 5, ids.data(), e2.data(), 0, err, sizeof err),
            SIGLIP_OK);
  for (size_t i = 0; i < e1.size(); ++i) EXPECT_NEAR(e1[i], e2[i], 1e-12);
}

template <typename T>
void Step(siglip_model* m, const siglip_model_config& c, int64_t n, std::vector<T>* ei,
          std::vector<T>* et, std::vector<T>* grads) {
  auto px = Pixels<T>(c, n, 1);
  auto ids = Tokens(c, n, 2);
  ei->assign(n * c.embed_dim, T(0));
  et->assign(n * c.embed_dim, T(0));
  char err[256] = {0};
  ASSERT_EQ(siglip_model_embed_images(m, n, px.data(), ei->data(), 1, err, sizeof err),
            SIGLIP_OK);
  ASSERT_EQ(siglip_model_embed_texts(m, n, ids.data(), et->data(), 1, err, sizeof err),
            SIGLIP_OK);
  std::vector<T> di(n * c.embed_dim), dt(n * c.embed_dim);
  std::mt19937_64 rng(9);
  std::normal_distribution<double> nd;
  for (auto& v : di) v = static_cast<T>(nd(rng));
  for (auto& v : dt) v = static_cast<T>(nd(rng));
  siglip_model_grads g{};
  g.dimg = di.data();
  g.dtxt = dt.data();
  g.n_img = n;
  g.n_txt = n;
  ASSERT_EQ(siglip_model_backward(m, &g, err, sizeof err), SIGLIP_OK) << err;
  *grads = Read<T>(m, SIGLIP_BUF_GRADS);
}

TEST(TowerTest, FloatMatchesDouble) {
  siglip_model_config c = Preset("tiny");
  ModelPtr mf = MakeModel<float>(c, 2, 3);
  ModelPtr md = MakeModel<double>(c, 2, 3);
  std::vector<float> eif, etf, gf;
  std::vector<double> eid, etd, gd;
  Step(mf.get(), c, 6, &eif, &etf, &gf);
  Step(md.get(), c, 6, &eid, &etd, &gd);
  for (size_t i = 0; i < eid.size(); ++i) EXPECT_NEAR(eif[i], eid[i], 2e-5);
  for (size_t i = 0; i < etd.size(); ++i) EXPECT_NEAR(etf[i], etd[i], 2e-5);
  // Per tensor: |gf - gd| <= 1e-3 |gd| (relative in the 2-norm), with an
  // absolute floor for the k_proj biases, whose true gradient is zero
  // (softmax ignores a shift shared by all keys).
  const int64_t np = siglip_model_param_count(md.get());
  for (int64_t k = 0; k < np; ++k) {
    const siglip_param_info info = Info(md.get(), k);
    double num = 0, den = 0;
    for (int64_t i = info.offset; i < info.offset + info.numel; ++i) {
      num += (gf[i] - gd[i]) * (gf[i] - gd[i]);
      den += gd[i] * gd[i];
    }
    EXPECT_LE(std::sqrt(num), 1e-3 * std::sqrt(den) + 1e-5) << info.name;
  }
}

TEST(TowerTest, SameSeedSameResultsAnyThreads) {
  siglip_model_config c = Preset("tiny");
  ModelPtr a = MakeModel<float>(c, 2, 17);
  ModelPtr b = MakeModel<float>(c, 2, 17);
  ModelPtr one = MakeModel<float>(c, 1, 17);
  ModelPtr other = MakeModel<float>(c, 2, 18);
  std::vector<float> ea, ta, ga, eb, tb, gb, e1, t1, g1, eo, to, go;
  Step(a.get(), c, 20, &ea, &ta, &ga);
  Step(b.get(), c, 20, &eb, &tb, &gb);
  Step(one.get(), c, 20, &e1, &t1, &g1);
  Step(other.get(), c, 20, &eo, &to, &go);
  EXPECT_EQ(0, std::memcmp(ea.data(), eb.data(), ea.size() * 4));
  EXPECT_EQ(0, std::memcmp(ta.data(), tb.data(), ta.size() * 4));
  EXPECT_EQ(0, std::memcmp(ga.data(), gb.data(), ga.size() * 4));
  // The work is cut by shapes only, so one thread gives the same bits.
  EXPECT_EQ(0, std::memcmp(ea.data(), e1.data(), ea.size() * 4));
  EXPECT_EQ(0, std::memcmp(ga.data(), g1.data(), ga.size() * 4));
  EXPECT_NE(0, std::memcmp(ga.data(), go.data(), ga.size() * 4));
}

TEST(TowerTest, AccumulateAddsAndSkippedTowerIsZeroed) {
  siglip_model_config c = Preset("tiny");
  ModelPtr m = MakeModel<double>(c, 2, 3);
  std::vector<double> ei, et, g1;
  Step(m.get(), c, 4, &ei, &et, &g1);
  // Same backward again with accumulate: twice the gradient.
  std::vector<double> di(4 * c.embed_dim), dt(4 * c.embed_dim);
  std::mt19937_64 rng(9);
  std::normal_distribution<double> nd;
  for (auto& v : di) v = nd(rng);
  for (auto& v : dt) v = nd(rng);
  siglip_model_grads g{};
  g.dimg = di.data();
  g.dtxt = dt.data();
  g.n_img = 4;
  g.n_txt = 4;
  g.accumulate = 1;
  char err[256] = {0};
  ASSERT_EQ(siglip_model_backward(m.get(), &g, err, sizeof err), SIGLIP_OK) << err;
  std::vector<double> g2 = Read<double>(m.get(), SIGLIP_BUF_GRADS);
  for (size_t i = 0; i < g1.size(); ++i) EXPECT_NEAR(g2[i], 2 * g1[i], 1e-9 * (1 + std::fabs(g1[i])));
  // Image tower skipped, no accumulation: its gradients are zero.
  g.dimg = nullptr;
  g.accumulate = 0;
  ASSERT_EQ(siglip_model_backward(m.get(), &g, err, sizeof err), SIGLIP_OK) << err;
  std::vector<double> g3 = Read<double>(m.get(), SIGLIP_BUF_GRADS);
  const int64_t np = siglip_model_param_count(m.get());
  for (int64_t k = 0; k < np; ++k) {
    const siglip_param_info info = Info(m.get(), k);
    for (int64_t i = info.offset; i < info.offset + info.numel; ++i) {
      if (info.group == SIGLIP_GROUP_IMAGE) {
        ASSERT_EQ(g3[i], 0.0) << info.name;
      } else if (info.group == SIGLIP_GROUP_TEXT) {
        ASSERT_NEAR(g3[i], g1[i], 1e-12 * (1 + std::fabs(g1[i]))) << info.name;
      }
    }
  }
}

TEST(TowerTest, HuggingFaceNamesAndShapes) {
  siglip_model_config c = Preset("tiny");
  ModelPtr m = MakeModel<float>(c, 1, 1);
  std::set<std::string> names;
  int64_t total = 0;
  const int64_t np = siglip_model_param_count(m.get());
  for (int64_t k = 0; k < np; ++k) {
    const siglip_param_info info = Info(m.get(), k);
    EXPECT_EQ(info.offset, total) << info.name;
    total += info.numel;
    names.insert(info.name);
    EXPECT_EQ(siglip_model_param_index(m.get(), info.name), k);
  }
  EXPECT_EQ(total, siglip_model_param_elements(m.get()));
  for (const char* n :
       {"vision_model.embeddings.patch_embedding.weight",
        "vision_model.embeddings.position_embedding.weight",
        "vision_model.encoder.layers.0.self_attn.q_proj.weight",
        "vision_model.encoder.layers.1.mlp.fc2.bias", "vision_model.post_layernorm.weight",
        "vision_model.head.probe", "vision_model.head.attention.in_proj_weight",
        "vision_model.head.attention.out_proj.bias", "vision_model.head.layernorm.weight",
        "vision_model.head.mlp.fc1.weight", "text_model.embeddings.token_embedding.weight",
        "text_model.embeddings.position_embedding.weight",
        "text_model.encoder.layers.1.layer_norm2.bias", "text_model.final_layer_norm.weight",
        "text_model.head.weight", "logit_scale", "logit_bias"}) {
    EXPECT_TRUE(names.count(n)) << n;
  }
  const siglip_param_info pe = Info(m.get(), siglip_model_param_index(m.get(),
      "vision_model.embeddings.patch_embedding.weight"));
  ASSERT_EQ(pe.ndim, 4);
  EXPECT_EQ(pe.shape[0], 64);
  EXPECT_EQ(pe.shape[1], 3);
  EXPECT_EQ(pe.shape[2], 8);
  EXPECT_EQ(pe.shape[3], 8);
  const siglip_param_info fc1 = Info(m.get(), siglip_model_param_index(m.get(),
      "text_model.encoder.layers.0.mlp.fc1.weight"));
  EXPECT_EQ(fc1.shape[0], 128);
  EXPECT_EQ(fc1.shape[1], 64);
  EXPECT_EQ(fc1.decay, 1);
  EXPECT_EQ(Info(m.get(), siglip_model_param_index(m.get(),
                "text_model.encoder.layers.0.mlp.fc1.bias")).decay, 0);
  EXPECT_EQ(Info(m.get(), siglip_model_param_index(m.get(),
                "vision_model.embeddings.position_embedding.weight")).decay, 0);
  float ls = 0, lb = 0;
  char err[256] = {0};
  siglip_model_read(m.get(), SIGLIP_BUF_PARAMS,
                    Info(m.get(), siglip_model_param_index(m.get(), "logit_scale")).offset, 1,
                    &ls, err, sizeof err);
  siglip_model_read(m.get(), SIGLIP_BUF_PARAMS,
                    Info(m.get(), siglip_model_param_index(m.get(), "logit_bias")).offset, 1,
                    &lb, err, sizeof err);
  EXPECT_NEAR(ls, std::log(10.0), 1e-6);
  EXPECT_EQ(lb, -10.f);
}

TEST(TowerTest, PresetsAndFlops) {
  siglip_model_config s = Preset("s16");
  EXPECT_EQ(s.vision_width, 384);
  EXPECT_EQ(s.vision_layers, 12);
  EXPECT_EQ(s.vision_heads, 6);
  EXPECT_EQ(s.vision_mlp, 1536);
  EXPECT_EQ((s.image_size / s.patch_size) * (s.image_size / s.patch_size), 196);
  EXPECT_EQ(s.vocab_size, 32000);
  EXPECT_EQ(s.text_len, 16);
  siglip_model_config b = Preset("b16");
  EXPECT_EQ(b.vision_width, 768);
  EXPECT_EQ(b.text_len, 64);
  // One ViT block by hand: 24 M D^2 + 4 n T^2 D.
  siglip_model_config c = Preset("tiny");
  c.vision_layers = 1;
  c.pooling = SIGLIP_POOLING_MEAN;
  const double n = 2, T = 16, D = 64, I = 128, PD = 192;
  const double expect = 2 * n * T * PD * D + 2 * n * T * D * 3 * D + 4 * n * T * T * D +
                        2 * n * T * D * D + 4 * n * T * D * I;
  EXPECT_DOUBLE_EQ(siglip_model_forward_flops(&c, 2, 0), expect);
  char err[256] = {0};
  siglip_model_config bad;
  EXPECT_EQ(siglip_model_config_preset("huge", &bad, err, sizeof err), SIGLIP_EINVAL);
  EXPECT_NE(std::string(err).find("huge"), std::string::npos);
}

TEST(TowerTest, Errors) {
  siglip_model_config c = Preset("tiny");
  char err[256] = {0};
  siglip_model_config bad = c;
  bad.vision_heads = 5;
  EXPECT_EQ(siglip_model_config_check(&bad, err, sizeof err), SIGLIP_EINVAL);
  EXPECT_NE(std::string(err).find("vision_heads"), std::string::npos) << err;
  bad = c;
  bad.embed_dim = 32;
  siglip_model* mp = nullptr;
  EXPECT_EQ(siglip_model_create(&bad, SIGLIP_F32, 1, 1, &mp, err, sizeof err), SIGLIP_EINVAL);
  EXPECT_EQ(mp, nullptr);
  ModelPtr m = MakeModel<float>(c, 1, 1);
  std::vector<int32_t> ids(c.text_len, 3);
  ids[2] = static_cast<int32_t>(c.vocab_size);
  std::vector<float> e(c.embed_dim);
  EXPECT_EQ(siglip_model_embed_texts(m.get(), 1, ids.data(), e.data(), 1, err, sizeof err),
            SIGLIP_EINVAL);
  EXPECT_NE(std::string(err).find("position 2"), std::string::npos) << err;
  siglip_model_grads g{};
  std::vector<float> d(c.embed_dim);
  g.dimg = d.data();
  g.n_img = 1;
  EXPECT_EQ(siglip_model_backward(m.get(), &g, err, sizeof err), SIGLIP_EINVAL);
  EXPECT_NE(std::string(err).find("no training forward"), std::string::npos) << err;
  EXPECT_EQ(siglip_model_reserve(nullptr, 1, 1, err, sizeof err), SIGLIP_EINVAL);
  float x = 0;
  EXPECT_EQ(siglip_model_read(m.get(), SIGLIP_BUF_PARAMS, siglip_model_param_elements(m.get()),
                              1, &x, err, sizeof err),
            SIGLIP_EINVAL);
}


// 8-bit pixels: the embeddings equal, bit for bit, those of the pixels the
// bytes stand for, in training and in chunked inference, for both dtypes.
template <typename T>
void CheckBytesMatchValues() {
  siglip_model_config c = Preset("tiny");
  ModelPtr m = MakeModel<T>(c, 2, 3);
  char err[256] = {0};
  ASSERT_EQ(siglip_model_reserve(m.get(), 2, 2, err, sizeof err), SIGLIP_OK);
  const int64_t n = 5, per = c.channels * c.image_size * c.image_size;
  std::mt19937_64 rng(17);
  std::vector<float> values(256);
  std::normal_distribution<float> nd;
  for (auto& v : values) v = nd(rng);
  std::vector<uint8_t> bytes(n * per);
  for (auto& b : bytes) b = static_cast<uint8_t>(rng() & 255);
  std::vector<T> px(n * per);
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<T>(values[bytes[i]]);
  for (int train : {0, 1}) {
    std::vector<T> want(n * c.embed_dim), got(n * c.embed_dim);
    ASSERT_EQ(siglip_model_embed_images(m.get(), n, px.data(), want.data(), train, err, sizeof err),
              SIGLIP_OK)
        << err;
    ASSERT_EQ(siglip_model_embed_images_u8(m.get(), n, bytes.data(), values.data(), got.data(),
                                           train, err, sizeof err),
              SIGLIP_OK)
        << err;
    for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], want[i]) << "train " << train;
  }
}

TEST(TowerTest, BytePixelsMatchTheirValuesFloat) { CheckBytesMatchValues<float>(); }
TEST(TowerTest, BytePixelsMatchTheirValuesDouble) { CheckBytesMatchValues<double>(); }

TEST(TowerTest, BytePixelsErrors) {
  siglip_model_config c = Preset("tiny");
  ModelPtr m = MakeModel<float>(c, 1, 1);
  const int64_t per = c.channels * c.image_size * c.image_size;
  std::vector<uint8_t> bytes(per, 7);
  std::vector<float> values(256, 0.5f), out(c.embed_dim);
  char err[256] = {0};
  EXPECT_EQ(siglip_model_embed_images_u8(m.get(), 1, bytes.data(), nullptr, out.data(), 0, err,
                                         sizeof err),
            SIGLIP_EINVAL);
  EXPECT_NE(std::string(err).find("values is NULL"), std::string::npos) << err;
  values[200] = std::nanf("");
  EXPECT_EQ(siglip_model_embed_images_u8(m.get(), 1, bytes.data(), values.data(), out.data(), 0,
                                         err, sizeof err),
            SIGLIP_EINVAL);
  EXPECT_NE(std::string(err).find("byte 200 is not finite"), std::string::npos) << err;
}

}  // namespace
}  // namespace siglip_test
