// towers.cc: the encoder stack, the image and text towers, forward and
// backward, and the model that owns parameters, gradients, moments, arenas.
#include "csrc/model/towers.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "blas.h"
#include "csrc/model/ops.h"
#include "csrc/model/simd.h"

namespace siglip {
namespace model {

// ---------------------------------------------------------------------------
// Encoder

template <typename T>
void Encoder<T>::Carve(Carver<T>* c, int64_t B, int threads) {
  const int64_t M = B * S_;
  xs_.assign(L_ + 1, nullptr);
  acts_.assign(L_, Acts{});
  for (int64_t l = 0; l <= L_; ++l) xs_[l] = c->Take(M * D_);
  for (int64_t l = 0; l < L_; ++l) {
    Acts& a = acts_[l];
    a.ln1 = c->Take(M * D_);
    a.mean1 = c->Take(M);
    a.rstd1 = c->Take(M);
    a.qkv = c->Take(M * 3 * D_);
    a.P = c->Take(B * H_ * S_ * S_);
    a.ao = c->Take(M * D_);
    a.x2 = c->Take(M * D_);
    a.ln2 = c->Take(M * D_);
    a.mean2 = c->Take(M);
    a.rstd2 = c->Take(M);
    a.pre = c->Take(M * I_);
  }
  gbuf_ = c->Take(M * I_);
  dpre_ = c->Take(M * I_);
  dqkv_ = c->Take(M * 3 * D_);
  dao_ = c->Take(M * D_);
  dln_ = c->Take(M * D_);
  partial_ = c->Take(RowBlocks(M) * 2 * D_);
  att_scratch_ = c->Take(static_cast<int64_t>(threads) * S_ * S_);
}

template <typename T>
void Encoder<T>::Forward(ThreadPool& pool, const T* p, int64_t B, const T* mask) {
  const int64_t M = B * S_, D = D_, I = I_;
  using E = Epilogue<T>;
  for (int64_t l = 0; l < L_; ++l) {
    const BlockOffsets& o = (*off_)[l];
    Acts& a = acts_[l];
    T* x = xs_[l];
    LayerNormForward(pool, M, D, x, D, p + o.ln1_g, p + o.ln1_b, a.ln1, D, a.mean1,
                     a.rstd1, eps_);
    E qkv_epi;
    qkv_epi.kind = E::kBias;
    qkv_epi.bias = p + o.qkv_b;
    LinearForward(pool, M, 3 * D, D, a.ln1, D, p + o.qkv_w, a.qkv, 3 * D, qkv_epi);
    AttentionForward(pool, B, S_, D, H_, a.qkv, mask, a.P, a.ao);
    E o_epi;
    o_epi.kind = E::kBiasResidual;
    o_epi.bias = p + o.o_b;
    o_epi.res = x;
    o_epi.res_ld = D;
    LinearForward(pool, M, D, D, a.ao, D, p + o.o_w, a.x2, D, o_epi);
    LayerNormForward(pool, M, D, a.x2, D, p + o.ln2_g, p + o.ln2_b, a.ln2, D, a.mean2,
                     a.rstd2, eps_);
    E fc1_epi;
    fc1_epi.kind = E::kBiasGelu;
    fc1_epi.bias = p + o.fc1_b;
    fc1_epi.gelu = gbuf_;
    fc1_epi.gelu_ld = I;
    LinearForward(pool, M, I, D, a.ln2, D, p + o.fc1_w, a.pre, I, fc1_epi);
    E fc2_epi;
    fc2_epi.kind = E::kBiasResidual;
    fc2_epi.bias = p + o.fc2_b;
    fc2_epi.res = a.x2;
    fc2_epi.res_ld = D;
    LinearForward(pool, M, D, I, gbuf_, I, p + o.fc2_w, xs_[l + 1], D, fc2_epi);
  }
}

template <typename T>
void Encoder<T>::Backward(ThreadPool& pool, const T* p, T* gr, int64_t B, T* dres,
                          bool acc) {
  const int64_t M = B * S_, D = D_, I = I_;
  using E = Epilogue<T>;
  for (int64_t l = L_ - 1; l >= 0; --l) {
    const BlockOffsets& o = (*off_)[l];
    Acts& a = acts_[l];
    // The MLP's hidden activations, recomputed rather than stored.
    {
      const int64_t rb = RowBlock(M);
      auto part = [&](int64_t q, int) {
        const int64_t r1 = std::min(M, (q + 1) * rb);
        for (int64_t r = q * rb; r < r1; ++r) {
          AddBiasGelu(a.pre + r * I, static_cast<const T*>(nullptr), gbuf_ + r * I, I);
        }
      };
      ParallelParts(pool, CeilDiv(M, rb), part);
    }
    // fc2: dW2, db2, and dG -> dpre = dG * gelu'(pre).
    {
      LinearGrad<T> g;
      g.M = M, g.N = D, g.K = I;
      g.dY = dres, g.lddy = D, g.X = gbuf_, g.ldx = I, g.W = p + o.fc2_w;
      g.dW = gr + o.fc2_w, g.db = gr + o.fc2_b, g.accumulate = acc;
      g.dX = dpre_, g.lddx = I;
      g.epi.kind = E::kGeluGrad;
      g.epi.pre = a.pre;
      g.epi.pre_ld = I;
      LinearBackward(pool, g);
    }
    // fc1 and layer_norm2: dres += LN2'(dpre W1).
    {
      LinearGrad<T> g;
      g.M = M, g.N = I, g.K = D;
      g.dY = dpre_, g.lddy = I, g.X = a.ln2, g.ldx = D, g.W = p + o.fc1_w;
      g.dW = gr + o.fc1_w, g.db = gr + o.fc1_b, g.accumulate = acc;
      g.dX = dln_, g.lddx = D;
      E& e = g.epi;
      e.kind = E::kLayerNormGrad;
      e.ln_x = a.x2, e.ln_x_ld = D, e.ln_g = p + o.ln2_g;
      e.ln_mean = a.mean2, e.ln_rstd = a.rstd2;
      e.ln_dx = dres, e.ln_dx_ld = D, e.ln_dx_accumulate = true;
      e.ln_partial = partial_;
      e.ln_dg = gr + o.ln2_g, e.ln_db = gr + o.ln2_b, e.ln_param_accumulate = acc;
      LinearBackward(pool, g);
    }
    // out_proj: dWo, dbo, dao.
    {
      LinearGrad<T> g;
      g.M = M, g.N = D, g.K = D;
      g.dY = dres, g.lddy = D, g.X = a.ao, g.ldx = D, g.W = p + o.o_w;
      g.dW = gr + o.o_w, g.db = gr + o.o_b, g.accumulate = acc;
      g.dX = dao_, g.lddx = D;
      LinearBackward(pool, g);
    }
    AttentionBackward(pool, B, S_, D, H_, a.qkv, a.P, dao_, dqkv_, att_scratch_);
    // qkv and layer_norm1: dres += LN1'(dqkv Wqkv).
    {
      LinearGrad<T> g;
      g.M = M, g.N = 3 * D, g.K = D;
      g.dY = dqkv_, g.lddy = 3 * D, g.X = a.ln1, g.ldx = D, g.W = p + o.qkv_w;
      g.dW = gr + o.qkv_w, g.db = gr + o.qkv_b, g.accumulate = acc;
      g.dX = dln_, g.lddx = D;
      E& e = g.epi;
      e.kind = E::kLayerNormGrad;
      e.ln_x = xs_[l], e.ln_x_ld = D, e.ln_g = p + o.ln1_g;
      e.ln_mean = a.mean1, e.ln_rstd = a.rstd1;
      e.ln_dx = dres, e.ln_dx_ld = D, e.ln_dx_accumulate = true;
      e.ln_partial = partial_;
      e.ln_dg = gr + o.ln1_g, e.ln_db = gr + o.ln1_b, e.ln_param_accumulate = acc;
      LinearBackward(pool, g);
    }
  }
}

// ---------------------------------------------------------------------------
// The model.

namespace {

template <typename T>
constexpr siglip_dtype DtypeOf() {
  return std::is_same<T, float>::value ? SIGLIP_F32 : SIGLIP_F64;
}

// dpos[t] (+)= sum over the B sequences of d[b * S + t], rows of D.
template <typename T>
void PositionGrad(ThreadPool& pool, int64_t B, int64_t S, int64_t D, const T* d,
                  T* dpos, bool acc) {
  auto part = [&](int64_t t, int) {
    T* out = dpos + t * D;
    if (!acc) std::memset(static_cast<void*>(out), 0, sizeof(T) * D);
    for (int64_t b = 0; b < B; ++b) AddTo(d + (b * S + t) * D, out, D);
  };
  ParallelParts(pool, S, part);
}

template <typename T>
class Model final : public ModelBase {
 public:
  Model(const siglip_model_config& cfg, int threads, uint64_t seed)
      : cfg_(cfg),
        table_(BuildParamTable(cfg)),
        pool_(threads),
        venc_(cfg.vision_layers, NumPatches(cfg), cfg.vision_width, cfg.vision_heads,
              cfg.vision_mlp, cfg.layer_norm_eps, &table_.vision.blocks),
        tenc_(cfg.text_layers, cfg.text_len, cfg.text_width, cfg.text_heads,
              cfg.text_mlp, cfg.layer_norm_eps, &table_.text.blocks) {
    params_.Reset(table_.total);
    grads_.Reset(table_.total);
    adam_m_.Reset(table_.total);
    adam_v_.Reset(table_.total);
    InitParams(table_, seed, params_.data());
    chunks_ = MakeAdamWChunks(table_);
    partial_.assign(chunks_.size(), 0.0);
  }

  siglip_dtype dtype() const override { return DtypeOf<T>(); }
  const siglip_model_config& config() const override { return cfg_; }
  const ParamTable& table() const override { return table_; }
  int threads() const override { return pool_.threads(); }
  int64_t steps() const override { return steps_; }
  void set_steps(int64_t t) override {
    if (t < 0) throw std::invalid_argument("adamw steps must be >= 0");
    steps_ = t;
  }

  void Reserve(int64_t n_img, int64_t n_txt) override {
    if (n_img < 0 || n_txt < 0) throw std::invalid_argument("reserve: negative batch");
    if (n_img > img_cap_) CarveImage(n_img);
    if (n_txt > txt_cap_) CarveText(n_txt);
  }

  int64_t Bytes() const override {
    return static_cast<int64_t>(sizeof(T)) *
           (4 * table_.total + img_arena_.size() + txt_arena_.size());
  }

  void* Buffer(siglip_model_buffer which) override {
    switch (which) {
      case SIGLIP_BUF_PARAMS: return params_.data();
      case SIGLIP_BUF_GRADS: return grads_.data();
      case SIGLIP_BUF_ADAM_M: return adam_m_.data();
      case SIGLIP_BUF_ADAM_V: return adam_v_.data();
    }
    throw std::invalid_argument("unknown buffer " + std::to_string(static_cast<int>(which)));
  }

  void ZeroGrads() override {
    SetBlasThreads(1);
    ParallelZero(pool_, grads_.data(), table_.total);
  }

  double AdamW(const siglip_adamw_options& o) override {
    SetBlasThreads(1);
    const double norm = AdamWStep(pool_, chunks_, params_.data(), grads_.data(),
                                  adam_m_.data(), adam_v_.data(), partial_.data(), o,
                                  steps_ + 1);
    ++steps_;
    return norm;
  }

  // -------------------------------------------------------------------------
  // Image tower.

  void EmbedImages(int64_t n, const void* pixels, void* out, bool train) override {
    if (pixels == nullptr) throw std::invalid_argument("embed images: pixels is NULL");
    EmbedImagesFrom(n, Pixels{static_cast<const T*>(pixels), nullptr}, out, train);
  }

  void EmbedImagesU8(int64_t n, const uint8_t* pixels, const float* values, void* out,
                     bool train) override {
    if (pixels == nullptr || values == nullptr) {
      throw std::invalid_argument("embed images: pixels or values is NULL");
    }
    for (int b = 0; b < 256; ++b) {
      if (!std::isfinite(values[b])) {
        throw std::invalid_argument("embed images: the value of byte " + std::to_string(b) +
                                    " is not finite");
      }
      byte_values_[b] = static_cast<T>(values[b]);
    }
    EmbedImagesFrom(n, Pixels{nullptr, pixels}, out, train);
  }

  void EmbedTexts(int64_t n, const int32_t* tokens, void* out, bool train) override {
    if (n < 1) throw std::invalid_argument("embed texts: n must be >= 1");
    if (tokens == nullptr || out == nullptr) {
      throw std::invalid_argument("embed texts: tokens or out is NULL");
    }
    const int64_t S = cfg_.text_len;
    for (int64_t i = 0; i < n * S; ++i) {
      if (tokens[i] < 0 || tokens[i] >= cfg_.vocab_size) {
        throw std::invalid_argument(
            "embed texts: token " + std::to_string(tokens[i]) + " of text " +
            std::to_string(i / S) + " at position " + std::to_string(i % S) +
            " is outside [0, " + std::to_string(cfg_.vocab_size) + ")");
      }
    }
    SetBlasThreads(1);
    T* o = static_cast<T*>(out);
    if (train) {
      if (n > txt_cap_) CarveText(n);
      txt_train_n_ = -1;
      TextForward(n, tokens, o);
      txt_train_n_ = n;
      return;
    }
    txt_train_n_ = -1;
    if (txt_cap_ == 0) CarveText(std::min<int64_t>(n, 16));
    for (int64_t i = 0; i < n; i += txt_cap_) {
      const int64_t k = std::min(txt_cap_, n - i);
      TextForward(k, tokens + i * S, o + i * cfg_.embed_dim);
    }
  }

  void Backward(const siglip_model_grads& g) override {
    const bool acc = g.accumulate != 0;
    if (g.dimg != nullptr && (img_train_n_ < 0 || g.n_img != img_train_n_)) {
      throw std::invalid_argument(
          "backward: no training forward of " + std::to_string(g.n_img) +
          " images to go back through (last: " + std::to_string(img_train_n_) +
          "; an inference call in between discards the activations)");
    }
    if (g.dtxt != nullptr && (txt_train_n_ < 0 || g.n_txt != txt_train_n_)) {
      throw std::invalid_argument(
          "backward: no training forward of " + std::to_string(g.n_txt) +
          " texts to go back through (last: " + std::to_string(txt_train_n_) +
          "; an inference call in between discards the activations)");
    }
    if (!std::isfinite(g.d_logit_scale) || !std::isfinite(g.d_logit_bias)) {
      throw std::invalid_argument("backward: d_logit_scale or d_logit_bias is not finite");
    }
    SetBlasThreads(1);
    T* gr = grads_.data();
    if (g.dimg != nullptr) {
      ImageBackward(img_train_n_, static_cast<const T*>(g.dimg), acc);
    } else if (!acc) {
      ParallelZero(pool_, gr + table_.vision.begin, table_.vision.end - table_.vision.begin);
    }
    if (g.dtxt != nullptr) {
      TextBackward(txt_train_n_, static_cast<const T*>(g.dtxt), acc);
    } else if (!acc) {
      ParallelZero(pool_, gr + table_.text.begin, table_.text.end - table_.text.begin);
    }
    const T ds = static_cast<T>(g.d_logit_scale), db = static_cast<T>(g.d_logit_bias);
    gr[table_.logit_scale] = acc ? gr[table_.logit_scale] + ds : ds;
    gr[table_.logit_bias] = acc ? gr[table_.logit_bias] + db : db;
  }

 private:
  struct ImageActs {
    T *patches, *lnf, *lnf_mean, *lnf_rstd;
    T *q, *kv, *pm, *aom, *mo, *lnm, *lnm_mean, *lnm_rstd, *prem, *gm;  // MAP
    T *pooled, *emb, *norm;
    T *dres, *dtmp, *dkv, *dpooled, *dmo, *dgm, *daom, *dq_img, *dq, *scratch,
        *partial;
  };
  struct TextActs {
    T *mask, *lnf, *lnf_mean, *lnf_rstd, *f, *emb, *norm;
    T *dres, *df, *dlnf, *partial;
  };

  template <typename F>
  int64_t CarveImageInto(T* base, int64_t B, const F& bind) {
    const int64_t Tk = NumPatches(cfg_), M = B * Tk, D = cfg_.vision_width;
    const int64_t I = cfg_.vision_mlp, H = cfg_.vision_heads;
    Carver<T> c(base);
    ImageActs a{};
    a.patches = c.Take(M * PatchDim(cfg_));
    venc_.Carve(&c, B, pool_.threads());
    a.lnf = c.Take(M * D);
    a.lnf_mean = c.Take(M);
    a.lnf_rstd = c.Take(M);
    if (cfg_.pooling == SIGLIP_POOLING_MAP) {
      a.q = c.Take(D);
      a.kv = c.Take(M * 2 * D);
      a.pm = c.Take(B * H * Tk);
      a.aom = c.Take(B * D);
      a.mo = c.Take(B * D);
      a.lnm = c.Take(B * D);
      a.lnm_mean = c.Take(B);
      a.lnm_rstd = c.Take(B);
      a.prem = c.Take(B * I);
      a.gm = c.Take(B * I);
      a.dkv = c.Take(M * 2 * D);
      a.dmo = c.Take(B * D);
      a.dgm = c.Take(B * I);
      a.daom = c.Take(B * D);
      a.dq_img = c.Take(B * D);
      a.dq = c.Take(D);
    }
    a.pooled = c.Take(B * D);
    a.emb = c.Take(B * D);
    a.norm = c.Take(B);
    a.dres = c.Take(M * D);
    a.dtmp = c.Take(M * D);
    a.dpooled = c.Take(B * D);
    a.scratch = c.Take(static_cast<int64_t>(pool_.threads()) * Tk);
    a.partial = c.Take(RowBlocks(M) * 2 * D);
    bind(a);
    return c.used();
  }

  void CarveImage(int64_t B) {
    img_train_n_ = -1;
    img_cap_ = 0;
    img_arena_.Reset(0);
    const int64_t need = CarveImageInto(nullptr, B, [](const ImageActs&) {});
    img_arena_.Reset(need);
    CarveImageInto(img_arena_.data(), B, [&](const ImageActs& a) { ia_ = a; });
    img_cap_ = B;
  }

  template <typename F>
  int64_t CarveTextInto(T* base, int64_t B, const F& bind) {
    const int64_t S = cfg_.text_len, M = B * S, D = cfg_.text_width, E = cfg_.embed_dim;
    Carver<T> c(base);
    TextActs a{};
    a.mask = c.Take(B * S);
    tenc_.Carve(&c, B, pool_.threads());
    a.lnf = c.Take(B * D);
    a.lnf_mean = c.Take(B);
    a.lnf_rstd = c.Take(B);
    a.f = c.Take(B * E);
    a.emb = c.Take(B * E);
    a.norm = c.Take(B);
    a.dres = c.Take(M * D);
    a.df = c.Take(B * E);
    a.dlnf = c.Take(B * D);
    a.partial = c.Take(RowBlocks(std::max(B, M)) * 2 * D);
    bind(a);
    return c.used();
  }

  void CarveText(int64_t B) {
    txt_train_n_ = -1;
    txt_cap_ = 0;
    txt_arena_.Reset(0);
    const int64_t need = CarveTextInto(nullptr, B, [](const TextActs&) {});
    txt_arena_.Reset(need);
    CarveTextInto(txt_arena_.data(), B, [&](const TextActs& a) { ta_ = a; });
    ids_.assign(static_cast<size_t>(B * cfg_.text_len), 0);
    txt_cap_ = B;
  }

  // The images of a forward: T values, or bytes that stand for
  // byte_values_ (EmbedImagesU8). at(i) is the input from image i on.
  struct Pixels {
    const T* values;
    const uint8_t* bytes;
    Pixels at(int64_t i, int64_t per) const {
      return {values ? values + i * per : nullptr, bytes ? bytes + i * per : nullptr};
    }
  };

  void EmbedImagesFrom(int64_t n, Pixels px, void* out, bool train) {
    if (n < 1) throw std::invalid_argument("embed images: n must be >= 1");
    if (out == nullptr) throw std::invalid_argument("embed images: out is NULL");
    SetBlasThreads(1);
    T* o = static_cast<T*>(out);
    const int64_t per = cfg_.channels * cfg_.image_size * cfg_.image_size;
    if (train) {
      if (n > img_cap_) CarveImage(n);
      img_train_n_ = -1;
      ImageForward(n, px, o);
      img_train_n_ = n;
      return;
    }
    img_train_n_ = -1;
    if (img_cap_ == 0) CarveImage(std::min<int64_t>(n, 16));
    for (int64_t i = 0; i < n; i += img_cap_) {
      const int64_t k = std::min(img_cap_, n - i);
      ImageForward(k, px.at(i, per), o + i * cfg_.embed_dim);
    }
  }

  void ImageForward(int64_t B, Pixels px, T* out) {
    const T* p = params_.data();
    const VisionOffsets& v = table_.vision;
    const int64_t Tk = NumPatches(cfg_), M = B * Tk, D = cfg_.vision_width;
    const int64_t I = cfg_.vision_mlp, H = cfg_.vision_heads, dh = D / H;
    const int64_t P = cfg_.patch_size, C = cfg_.channels, Sz = cfg_.image_size;
    const int64_t G = Sz / P, PD = PatchDim(cfg_);
    ImageActs& a = ia_;
    using E = Epilogue<T>;
    // Patches, flattened in (c, y, x) order like the Conv2d weight; bytes
    // are looked up in byte_values_ on the way.
    const T* bv = byte_values_;
    auto im2col = [&](int64_t b, int) {
      for (int64_t gy = 0; gy < G; ++gy) {
        for (int64_t gx = 0; gx < G; ++gx) {
          T* dst = a.patches + (b * Tk + gy * G + gx) * PD;
          for (int64_t c = 0; c < C; ++c) {
            for (int64_t y = 0; y < P; ++y) {
              const int64_t src = ((b * C + c) * Sz + gy * P + y) * Sz + gx * P;
              T* d = dst + (c * P + y) * P;
              if (px.values != nullptr) {
                std::memcpy(d, px.values + src, sizeof(T) * P);
              } else {
                const uint8_t* s = px.bytes + src;
                for (int64_t x = 0; x < P; ++x) d[x] = bv[s[x]];
              }
            }
          }
        }
      }
    };
    ParallelParts(pool_, B, im2col);
    {
      E e;
      e.kind = E::kBiasResidual;
      e.bias = p + v.patch_b;
      e.res = p + v.pos;
      e.res_ld = D;
      e.res_period = Tk;
      LinearForward(pool_, M, D, PD, a.patches, PD, p + v.patch_w, venc_.x(0), D, e);
    }
    venc_.Forward(pool_, p, B, nullptr);
    const T* xl = venc_.x(cfg_.vision_layers);
    LayerNormForward(pool_, M, D, xl, D, p + v.post_g, p + v.post_b, a.lnf, D, a.lnf_mean,
                     a.lnf_rstd, cfg_.layer_norm_eps);
    if (cfg_.pooling == SIGLIP_POOLING_MEAN) {
      auto mean = [&](int64_t b, int) {
        T* dst = a.pooled + b * D;
        std::memset(static_cast<void*>(dst), 0, sizeof(T) * D);
        for (int64_t t = 0; t < Tk; ++t) AddTo(a.lnf + (b * Tk + t) * D, dst, D);
        const T inv = T(1) / static_cast<T>(Tk);
        for (int64_t k = 0; k < D; ++k) dst[k] *= inv;
      };
      ParallelParts(pool_, B, mean);
    } else {
      // q = probe Wq^T + bq, once for the batch.
      Gemm(false, true, 1, D, D, T(1), p + v.probe, D, p + v.in_w, D, T(0), a.q, D);
      AddBiasResidual(a.q, p + v.in_b, static_cast<const T*>(nullptr), D);
      {
        E e;
        e.kind = E::kBias;
        e.bias = p + v.in_b + D;
        LinearForward(pool_, M, 2 * D, D, a.lnf, D, p + v.in_w + D * D, a.kv, 2 * D, e);
      }
      const T scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(dh)));
      auto attend = [&](int64_t q, int) {
        const int64_t b = q / H, h = q % H;
        const T* k = a.kv + b * Tk * 2 * D + h * dh;
        T* pm = a.pm + q * Tk;
        Gemm(false, true, 1, Tk, dh, scale, a.q + h * dh, dh, k, 2 * D, T(0), pm, Tk);
        SoftmaxRow(pm, static_cast<const T*>(nullptr), Tk);
        Gemm(false, false, 1, dh, Tk, T(1), pm, Tk, k + D, 2 * D, T(0),
             a.aom + b * D + h * dh, D);
      };
      ParallelParts(pool_, B * H, attend);
      {
        E e;
        e.kind = E::kBias;
        e.bias = p + v.out_b;
        LinearForward(pool_, B, D, D, a.aom, D, p + v.out_w, a.mo, D, e);
      }
      LayerNormForward(pool_, B, D, a.mo, D, p + v.ln_g, p + v.ln_b, a.lnm, D, a.lnm_mean,
                       a.lnm_rstd, cfg_.layer_norm_eps);
      {
        E e;
        e.kind = E::kBiasGelu;
        e.bias = p + v.fc1_b;
        e.gelu = a.gm;
        e.gelu_ld = I;
        LinearForward(pool_, B, I, D, a.lnm, D, p + v.fc1_w, a.prem, I, e);
      }
      {
        E e;
        e.kind = E::kBiasResidual;
        e.bias = p + v.fc2_b;
        e.res = a.mo;
        e.res_ld = D;
        LinearForward(pool_, B, D, I, a.gm, I, p + v.fc2_w, a.pooled, D, e);
      }
    }
    L2NormalizeForward(B, D, a.pooled, a.emb, a.norm);
    std::memcpy(out, a.emb, sizeof(T) * B * D);
  }

  void ImageBackward(int64_t B, const T* demb, bool acc) {
    const T* p = params_.data();
    T* gr = grads_.data();
    const VisionOffsets& v = table_.vision;
    const int64_t Tk = NumPatches(cfg_), M = B * Tk, D = cfg_.vision_width;
    const int64_t I = cfg_.vision_mlp, H = cfg_.vision_heads, dh = D / H;
    const int64_t PD = PatchDim(cfg_);
    ImageActs& a = ia_;
    using E = Epilogue<T>;
    L2NormalizeBackward(B, D, a.emb, a.norm, demb, a.dpooled);
    const T* xl = venc_.x(cfg_.vision_layers);
    if (cfg_.pooling == SIGLIP_POOLING_MEAN) {
      auto spread = [&](int64_t b, int) {
        const T inv = T(1) / static_cast<T>(Tk);
        for (int64_t t = 0; t < Tk; ++t) {
          T* dst = a.dtmp + (b * Tk + t) * D;
          for (int64_t k = 0; k < D; ++k) dst[k] = a.dpooled[b * D + k] * inv;
        }
      };
      ParallelParts(pool_, B, spread);
      LayerNormBackward(pool_, M, D, a.dtmp, D, xl, D, p + v.post_g, a.lnf_mean, a.lnf_rstd,
                        a.dres, D, false, gr + v.post_g, gr + v.post_b, acc, a.partial);
    } else {
      // MLP of the head, with its residual: dmo = dpooled + LN'(...).
      {
        LinearGrad<T> g;
        g.M = B, g.N = D, g.K = I;
        g.dY = a.dpooled, g.lddy = D, g.X = a.gm, g.ldx = I, g.W = p + v.fc2_w;
        g.dW = gr + v.fc2_w, g.db = gr + v.fc2_b, g.accumulate = acc;
        g.dX = a.dgm, g.lddx = I;
        g.epi.kind = E::kGeluGrad;
        g.epi.pre = a.prem;
        g.epi.pre_ld = I;
        LinearBackward(pool_, g);
      }
      std::memcpy(a.dmo, a.dpooled, sizeof(T) * B * D);
      {
        LinearGrad<T> g;
        g.M = B, g.N = I, g.K = D;
        g.dY = a.dgm, g.lddy = I, g.X = a.lnm, g.ldx = D, g.W = p + v.fc1_w;
        g.dW = gr + v.fc1_w, g.db = gr + v.fc1_b, g.accumulate = acc;
        g.dX = a.dtmp, g.lddx = D;
        E& e = g.epi;
        e.kind = E::kLayerNormGrad;
        e.ln_x = a.mo, e.ln_x_ld = D, e.ln_g = p + v.ln_g;
        e.ln_mean = a.lnm_mean, e.ln_rstd = a.lnm_rstd;
        e.ln_dx = a.dmo, e.ln_dx_ld = D, e.ln_dx_accumulate = true;
        e.ln_partial = a.partial;
        e.ln_dg = gr + v.ln_g, e.ln_db = gr + v.ln_b, e.ln_param_accumulate = acc;
        LinearBackward(pool_, g);
      }
      {
        LinearGrad<T> g;
        g.M = B, g.N = D, g.K = D;
        g.dY = a.dmo, g.lddy = D, g.X = a.aom, g.ldx = D, g.W = p + v.out_w;
        g.dW = gr + v.out_w, g.db = gr + v.out_b, g.accumulate = acc;
        g.dX = a.daom, g.lddx = D;
        LinearBackward(pool_, g);
      }
      // Attention pooling: dkv and per-image dq.
      const T scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(dh)));
      auto attend = [&](int64_t q, int worker) {
        const int64_t b = q / H, h = q % H;
        const T* k = a.kv + b * Tk * 2 * D + h * dh;
        T* dk = a.dkv + b * Tk * 2 * D + h * dh;
        const T* pm = a.pm + q * Tk;
        const T* dao = a.daom + b * D + h * dh;
        T* ds = a.scratch + static_cast<int64_t>(worker) * Tk;
        Gemm(false, true, 1, Tk, dh, T(1), dao, dh, k + D, 2 * D, T(0), ds, Tk);  // dP
        Gemm(true, false, Tk, dh, 1, T(1), pm, Tk, dao, dh, T(0), dk + D, 2 * D);  // dV
        SoftmaxBackwardRow(pm, ds, scale, Tk);
        Gemm(true, false, Tk, dh, 1, T(1), ds, Tk, a.q + h * dh, dh, T(0), dk, 2 * D);  // dK
        Gemm(false, false, 1, dh, Tk, T(1), ds, Tk, k, 2 * D, T(0),
             a.dq_img + b * D + h * dh, D);  // dq of this image
      };
      ParallelParts(pool_, B * H, attend);
      std::memset(static_cast<void*>(a.dq), 0, sizeof(T) * D);
      for (int64_t b = 0; b < B; ++b) AddTo(a.dq_img + b * D, a.dq, D);
      // Keys and values, and post_layernorm: dres = LN'(dkv Wkv).
      {
        LinearGrad<T> g;
        g.M = M, g.N = 2 * D, g.K = D;
        g.dY = a.dkv, g.lddy = 2 * D, g.X = a.lnf, g.ldx = D, g.W = p + v.in_w + D * D;
        g.dW = gr + v.in_w + D * D, g.db = gr + v.in_b + D, g.accumulate = acc;
        g.dX = a.dtmp, g.lddx = D;
        E& e = g.epi;
        e.kind = E::kLayerNormGrad;
        e.ln_x = xl, e.ln_x_ld = D, e.ln_g = p + v.post_g;
        e.ln_mean = a.lnf_mean, e.ln_rstd = a.lnf_rstd;
        e.ln_dx = a.dres, e.ln_dx_ld = D, e.ln_dx_accumulate = false;
        e.ln_partial = a.partial;
        e.ln_dg = gr + v.post_g, e.ln_db = gr + v.post_b, e.ln_param_accumulate = acc;
        LinearBackward(pool_, g);
      }
      // The query: dWq = dq probe^T, dbq = dq, dprobe = dq Wq.
      Gemm(true, false, D, D, 1, T(1), a.dq, D, p + v.probe, D, acc ? T(1) : T(0),
           gr + v.in_w, D);
      Gemm(false, false, 1, D, D, T(1), a.dq, D, p + v.in_w, D, acc ? T(1) : T(0),
           gr + v.probe, D);
      for (int64_t k = 0; k < D; ++k) {
        gr[v.in_b + k] = acc ? gr[v.in_b + k] + a.dq[k] : a.dq[k];
      }
    }
    venc_.Backward(pool_, p, gr, B, a.dres, acc);
    // Patch embedding and position embedding.
    {
      LinearGrad<T> g;
      g.M = M, g.N = D, g.K = PD;
      g.dY = a.dres, g.lddy = D, g.X = a.patches, g.ldx = PD, g.W = p + v.patch_w;
      g.dW = gr + v.patch_w, g.db = gr + v.patch_b, g.accumulate = acc;
      LinearBackward(pool_, g);
    }
    PositionGrad(pool_, B, Tk, D, a.dres, gr + v.pos, acc);
  }

  // -------------------------------------------------------------------------
  // Text tower.

  void TextForward(int64_t B, const int32_t* ids, T* out) {
    const T* p = params_.data();
    const TextOffsets& x = table_.text;
    const int64_t S = cfg_.text_len, M = B * S, D = cfg_.text_width, E = cfg_.embed_dim;
    TextActs& a = ta_;
    std::memcpy(ids_.data(), ids, sizeof(int32_t) * M);
    const bool masked = cfg_.pad_id >= 0;
    if (masked) {
      for (int64_t i = 0; i < M; ++i) {
        a.mask[i] = ids[i] == cfg_.pad_id ? -std::numeric_limits<T>::infinity() : T(0);
      }
    }
    T* x0 = tenc_.x(0);
    auto embed = [&](int64_t r, int) {
      const T* tok = p + x.tok + static_cast<int64_t>(ids[r]) * D;
      const T* pos = p + x.pos + (r % S) * D;
      for (int64_t k = 0; k < D; ++k) x0[r * D + k] = tok[k] + pos[k];
    };
    ParallelParts(pool_, M, embed);
    tenc_.Forward(pool_, p, B, masked ? a.mask : nullptr);
    const T* xl = tenc_.x(cfg_.text_layers);
    // The last token of every text.
    LayerNormForward(pool_, B, D, xl + (S - 1) * D, S * D, p + x.final_g, p + x.final_b,
                     a.lnf, D, a.lnf_mean, a.lnf_rstd, cfg_.layer_norm_eps);
    Epilogue<T> e;
    e.kind = Epilogue<T>::kBias;
    e.bias = p + x.head_b;
    LinearForward(pool_, B, E, D, a.lnf, D, p + x.head_w, a.f, E, e);
    L2NormalizeForward(B, E, a.f, a.emb, a.norm);
    std::memcpy(out, a.emb, sizeof(T) * B * E);
  }

  void TextBackward(int64_t B, const T* demb, bool acc) {
    const T* p = params_.data();
    T* gr = grads_.data();
    const TextOffsets& x = table_.text;
    const int64_t S = cfg_.text_len, M = B * S, D = cfg_.text_width, E = cfg_.embed_dim;
    TextActs& a = ta_;
    L2NormalizeBackward(B, E, a.emb, a.norm, demb, a.df);
    {
      LinearGrad<T> g;
      g.M = B, g.N = E, g.K = D;
      g.dY = a.df, g.lddy = E, g.X = a.lnf, g.ldx = D, g.W = p + x.head_w;
      g.dW = gr + x.head_w, g.db = gr + x.head_b, g.accumulate = acc;
      g.dX = a.dlnf, g.lddx = D;
      LinearBackward(pool_, g);
    }
    ParallelZero(pool_, a.dres, M * D);
    const T* xl = tenc_.x(cfg_.text_layers);
    LayerNormBackward(pool_, B, D, a.dlnf, D, xl + (S - 1) * D, S * D, p + x.final_g,
                      a.lnf_mean, a.lnf_rstd, a.dres + (S - 1) * D, S * D, false,
                      gr + x.final_g, gr + x.final_b, acc, a.partial);
    tenc_.Backward(pool_, p, gr, B, a.dres, acc);
    // Token embedding: scatter-add by column chunks, rows in order.
    T* dtok = gr + x.tok;
    if (!acc) ParallelZero(pool_, dtok, cfg_.vocab_size * D);
    const int64_t cb = 64, nc = CeilDiv(D, cb);
    auto scatter = [&](int64_t c, int) {
      const int64_t c0 = c * cb, w = std::min(D, c0 + cb) - c0;
      for (int64_t r = 0; r < M; ++r) {
        AddTo(a.dres + r * D + c0, dtok + static_cast<int64_t>(ids_[r]) * D + c0, w);
      }
    };
    ParallelParts(pool_, nc, scatter);
    PositionGrad(pool_, B, S, D, a.dres, gr + x.pos, acc);
  }

  siglip_model_config cfg_;
  ParamTable table_;
  ThreadPool pool_;
  Encoder<T> venc_, tenc_;
  AlignedBuffer<T> params_, grads_, adam_m_, adam_v_;
  std::vector<AdamWChunk> chunks_;
  std::vector<double> partial_;
  int64_t steps_ = 0;
  AlignedBuffer<T> img_arena_, txt_arena_;
  int64_t img_cap_ = 0, txt_cap_ = 0;
  int64_t img_train_n_ = -1, txt_train_n_ = -1;
  T byte_values_[256] = {};  // EmbedImagesU8's table
  ImageActs ia_{};
  TextActs ta_{};
  std::vector<int32_t> ids_;
};

}  // namespace

std::unique_ptr<ModelBase> NewModel(const siglip_model_config& cfg, siglip_dtype dtype,
                                    int threads, uint64_t seed) {
  CheckConfig(cfg);
  if (dtype == SIGLIP_F32) return std::make_unique<Model<float>>(cfg, threads, seed);
  if (dtype == SIGLIP_F64) return std::make_unique<Model<double>>(cfg, threads, seed);
  throw std::invalid_argument("unknown dtype " + std::to_string(static_cast<int>(dtype)));
}

template class Encoder<float>;
template class Encoder<double>;

}  // namespace model
}  // namespace siglip
