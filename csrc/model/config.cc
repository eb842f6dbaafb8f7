// config.cc: presets, checks, FLOP counts and the parameter table.
#include "csrc/model/config.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace siglip {
namespace model {

siglip_model_config Preset(const std::string& name) {
  siglip_model_config c{};
  c.channels = 3;
  c.pooling = SIGLIP_POOLING_MAP;
  c.layer_norm_eps = 1e-6;
  if (name == "tiny") {
    c.image_size = 32;
    c.patch_size = 8;
    c.vision_width = 64;
    c.vision_layers = 2;
    c.vision_heads = 4;
    c.vision_mlp = 128;
    c.vocab_size = 64;
    c.text_len = 8;
    c.text_width = 64;
    c.text_layers = 2;
    c.text_heads = 4;
    c.text_mlp = 128;
    c.pad_id = 0;
    c.embed_dim = 64;
  } else if (name == "s16") {
    c.image_size = 224;
    c.patch_size = 16;
    c.vision_width = 384;
    c.vision_layers = 12;
    c.vision_heads = 6;
    c.vision_mlp = 1536;
    c.vocab_size = 32000;
    c.text_len = 16;
    c.text_width = 384;
    c.text_layers = 12;
    c.text_heads = 6;
    c.text_mlp = 1536;
    c.pad_id = 0;
    c.embed_dim = 384;
  } else if (name == "b16") {
    c.image_size = 224;
    c.patch_size = 16;
    c.vision_width = 768;
    c.vision_layers = 12;
    c.vision_heads = 12;
    c.vision_mlp = 3072;
    c.vocab_size = 32000;
    c.text_len = 64;
    c.text_width = 768;
    c.text_layers = 12;
    c.text_heads = 12;
    c.text_mlp = 3072;
    c.pad_id = 0;
    c.embed_dim = 768;
  } else {
    throw std::invalid_argument("unknown model preset \"" + name +
                                "\" (want tiny, s16 or b16)");
  }
  return c;
}

namespace {

void Need(bool ok, const std::string& msg) {
  if (!ok) throw std::invalid_argument("model config: " + msg);
}

void CheckRange(const char* what, int64_t v, int64_t lo, int64_t hi) {
  Need(v >= lo && v <= hi, std::string(what) + " = " + std::to_string(v) +
                               " is outside [" + std::to_string(lo) + ", " +
                               std::to_string(hi) + "]");
}

}  // namespace

void CheckConfig(const siglip_model_config& c) {
  constexpr int64_t kBig = int64_t{1} << 20;
  CheckRange("image_size", c.image_size, 1, 1 << 14);
  CheckRange("patch_size", c.patch_size, 1, c.image_size);
  Need(c.image_size % c.patch_size == 0,
       "patch_size " + std::to_string(c.patch_size) + " does not divide image_size " +
           std::to_string(c.image_size));
  CheckRange("channels", c.channels, 1, 64);
  CheckRange("vision_width", c.vision_width, 1, 1 << 14);
  CheckRange("vision_layers", c.vision_layers, 0, 1024);
  CheckRange("vision_heads", c.vision_heads, 1, c.vision_width);
  Need(c.vision_width % c.vision_heads == 0,
       "vision_heads " + std::to_string(c.vision_heads) + " does not divide vision_width " +
           std::to_string(c.vision_width));
  CheckRange("vision_mlp", c.vision_mlp, 1, 1 << 16);
  Need(c.pooling == SIGLIP_POOLING_MAP || c.pooling == SIGLIP_POOLING_MEAN,
       "pooling must be SIGLIP_POOLING_MAP (0) or SIGLIP_POOLING_MEAN (1)");
  CheckRange("number of patches", NumPatches(c), 1, 1 << 16);
  CheckRange("vocab_size", c.vocab_size, 1, kBig * 16);
  CheckRange("text_len", c.text_len, 1, 1 << 14);
  CheckRange("text_width", c.text_width, 1, 1 << 14);
  CheckRange("text_layers", c.text_layers, 0, 1024);
  CheckRange("text_heads", c.text_heads, 1, c.text_width);
  Need(c.text_width % c.text_heads == 0,
       "text_heads " + std::to_string(c.text_heads) + " does not divide text_width " +
           std::to_string(c.text_width));
  CheckRange("text_mlp", c.text_mlp, 1, 1 << 16);
  CheckRange("pad_id", c.pad_id, -1, c.vocab_size - 1);
  Need(c.embed_dim == c.vision_width,
       "embed_dim " + std::to_string(c.embed_dim) +
           " must equal vision_width " + std::to_string(c.vision_width) +
           " (the image embedding is the pooled token, as in SigLIP)");
  Need(std::isfinite(c.layer_norm_eps) && c.layer_norm_eps > 0,
       "layer_norm_eps must be finite and > 0");
}

namespace {

// Forward FLOPs of a stack of pre-LN blocks over n sequences of s tokens.
double EncoderFlops(double n, double s, double d, double mlp, double layers) {
  const double m = n * s;
  const double per_layer = 2 * m * d * 3 * d   // QKV
                           + 2 * n * s * s * d  // Q K^T, all heads
                           + 2 * n * s * s * d  // P V
                           + 2 * m * d * d      // output projection
                           + 2 * m * d * mlp * 2;  // fc1, fc2
  return per_layer * layers;
}

}  // namespace

double ForwardFlops(const siglip_model_config& c, int64_t n_img, int64_t n_txt) {
  double f = 0;
  if (n_img > 0) {
    const double n = static_cast<double>(n_img);
    const double t = static_cast<double>(NumPatches(c));
    const double d = static_cast<double>(c.vision_width);
    const double mlp = static_cast<double>(c.vision_mlp);
    f += 2 * n * t * static_cast<double>(PatchDim(c)) * d;
    f += EncoderFlops(n, t, d, mlp, static_cast<double>(c.vision_layers));
    if (c.pooling == SIGLIP_POOLING_MAP) {
      f += 2 * d * d;              // probe query
      f += 2 * n * t * d * 2 * d;  // keys and values
      f += 2 * n * t * d * 2;      // scores and weighted sum
      f += 2 * n * d * d;          // output projection
      f += 2 * n * d * mlp * 2;    // MLP
    }
  }
  if (n_txt > 0) {
    const double n = static_cast<double>(n_txt);
    const double s = static_cast<double>(c.text_len);
    const double d = static_cast<double>(c.text_width);
    f += EncoderFlops(n, s, d, static_cast<double>(c.text_mlp),
                      static_cast<double>(c.text_layers));
    f += 2 * n * d * static_cast<double>(c.embed_dim);  // head
  }
  return f;
}

int64_t ParamTable::Find(const std::string& name) const {
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].name == name) return static_cast<int64_t>(i);
  }
  return -1;
}

namespace {

class TableBuilder {
 public:
  explicit TableBuilder(ParamTable* t) : t_(t) {}
  int64_t Add(const std::string& name, std::vector<int64_t> shape, int group,
              bool decay, ParamInfo::Init init, double scale = 0) {
    ParamInfo p;
    p.name = name;
    p.numel = 1;
    for (int64_t s : shape) p.numel *= s;
    p.shape = std::move(shape);
    p.offset = t_->total;
    p.group = group;
    p.decay = decay;
    p.init = init;
    p.init_scale = scale;
    t_->total += p.numel;
    t_->params.push_back(std::move(p));
    return t_->params.back().offset;
  }
  int64_t Weight(const std::string& name, int64_t out, int64_t in, int group) {
    return Add(name + ".weight", {out, in}, group, true, ParamInfo::kXavierUniform);
  }
  int64_t Bias(const std::string& name, int64_t n, int group) {
    return Add(name + ".bias", {n}, group, false, ParamInfo::kZeros);
  }
  void Norm(const std::string& name, int64_t n, int group, int64_t* g, int64_t* b) {
    *g = Add(name + ".weight", {n}, group, false, ParamInfo::kOnes);
    *b = Add(name + ".bias", {n}, group, false, ParamInfo::kZeros);
  }
  BlockOffsets Block(const std::string& p, int64_t d, int64_t mlp, int group) {
    BlockOffsets o;
    // q, k, v consecutive: weights [3D, D] then biases [3D].
    o.qkv_w = Weight(p + "self_attn.q_proj", d, d, group);
    Weight(p + "self_attn.k_proj", d, d, group);
    Weight(p + "self_attn.v_proj", d, d, group);
    o.qkv_b = Bias(p + "self_attn.q_proj", d, group);
    Bias(p + "self_attn.k_proj", d, group);
    Bias(p + "self_attn.v_proj", d, group);
    o.o_w = Weight(p + "self_attn.out_proj", d, d, group);
    o.o_b = Bias(p + "self_attn.out_proj", d, group);
    Norm(p + "layer_norm1", d, group, &o.ln1_g, &o.ln1_b);
    o.fc1_w = Weight(p + "mlp.fc1", mlp, d, group);
    o.fc1_b = Bias(p + "mlp.fc1", mlp, group);
    o.fc2_w = Weight(p + "mlp.fc2", d, mlp, group);
    o.fc2_b = Bias(p + "mlp.fc2", d, group);
    Norm(p + "layer_norm2", d, group, &o.ln2_g, &o.ln2_b);
    return o;
  }

 private:
  ParamTable* t_;
};

}  // namespace

ParamTable BuildParamTable(const siglip_model_config& c) {
  CheckConfig(c);
  ParamTable t;
  TableBuilder b(&t);
  // Image tower.
  {
    const int g = SIGLIP_GROUP_IMAGE;
    const int64_t d = c.vision_width;
    VisionOffsets& v = t.vision;
    v.begin = t.total;
    // Conv2d weight [D, C, P, P]: row-major it is the [D, C*P*P] matrix of
    // the patch embedding, patches flattened in (c, y, x) order.
    v.patch_w = b.Add("vision_model.embeddings.patch_embedding.weight",
                      {d, c.channels, c.patch_size, c.patch_size}, g, true,
                      ParamInfo::kNormal, 1.0 / std::sqrt(static_cast<double>(PatchDim(c))));
    v.patch_b = b.Bias("vision_model.embeddings.patch_embedding", d, g);
    v.pos = b.Add("vision_model.embeddings.position_embedding.weight",
                  {NumPatches(c), d}, g, false, ParamInfo::kNormal,
                  1.0 / std::sqrt(static_cast<double>(d)));
    for (int64_t l = 0; l < c.vision_layers; ++l) {
      v.blocks.push_back(b.Block("vision_model.encoder.layers." + std::to_string(l) + ".",
                                 d, c.vision_mlp, g));
    }
    b.Norm("vision_model.post_layernorm", d, g, &v.post_g, &v.post_b);
    v.probe = v.in_w = v.in_b = v.out_w = v.out_b = v.ln_g = v.ln_b = v.fc1_w =
        v.fc1_b = v.fc2_w = v.fc2_b = -1;
    if (c.pooling == SIGLIP_POOLING_MAP) {
      v.probe = b.Add("vision_model.head.probe", {1, 1, d}, g, true,
                      ParamInfo::kNormal, 1.0 / std::sqrt(static_cast<double>(d)));
      v.in_w = b.Add("vision_model.head.attention.in_proj_weight", {3 * d, d}, g,
                     true, ParamInfo::kXavierUniform);
      v.in_b = b.Add("vision_model.head.attention.in_proj_bias", {3 * d}, g, false,
                     ParamInfo::kZeros);
      v.out_w = b.Weight("vision_model.head.attention.out_proj", d, d, g);
      v.out_b = b.Bias("vision_model.head.attention.out_proj", d, g);
      b.Norm("vision_model.head.layernorm", d, g, &v.ln_g, &v.ln_b);
      v.fc1_w = b.Weight("vision_model.head.mlp.fc1", c.vision_mlp, d, g);
      v.fc1_b = b.Bias("vision_model.head.mlp.fc1", c.vision_mlp, g);
      v.fc2_w = b.Weight("vision_model.head.mlp.fc2", d, c.vision_mlp, g);
      v.fc2_b = b.Bias("vision_model.head.mlp.fc2", d, g);
    }
    v.end = t.total;
  }
  // Text tower.
  {
    const int g = SIGLIP_GROUP_TEXT;
    const int64_t d = c.text_width;
    TextOffsets& x = t.text;
    x.begin = t.total;
    x.tok = b.Add("text_model.embeddings.token_embedding.weight", {c.vocab_size, d}, g,
                  true, ParamInfo::kNormal, 1.0 / std::sqrt(static_cast<double>(d)));
    x.pos = b.Add("text_model.embeddings.position_embedding.weight", {c.text_len, d}, g,
                  false, ParamInfo::kNormal, 1.0 / std::sqrt(static_cast<double>(d)));
    for (int64_t l = 0; l < c.text_layers; ++l) {
      x.blocks.push_back(b.Block("text_model.encoder.layers." + std::to_string(l) + ".",
                                 d, c.text_mlp, g));
    }
    b.Norm("text_model.final_layer_norm", d, g, &x.final_g, &x.final_b);
    x.head_w = b.Weight("text_model.head", c.embed_dim, d, g);
    x.head_b = b.Bias("text_model.head", c.embed_dim, g);
    x.end = t.total;
  }
  // The loss's scalars, as SiglipModel holds them.
  t.logit_begin = t.total;
  t.logit_scale = b.Add("logit_scale", {1}, SIGLIP_GROUP_LOGIT, false, ParamInfo::kConst,
                        std::log(10.0));
  t.logit_bias = b.Add("logit_bias", {1}, SIGLIP_GROUP_LOGIT, false, ParamInfo::kConst,
                       -10.0);
  t.logit_end = t.total;
  return t;
}

namespace {

// splitmix64: a small, well-mixed generator; one stream per tensor.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Uniform() {  // in (0, 1)
    return (static_cast<double>(Next() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
  }
  double Normal() {  // Box-Muller, one value per call
    const double u1 = Uniform(), u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
};

}  // namespace

template <typename T>
void InitParams(const ParamTable& t, uint64_t seed, T* out) {
  for (size_t k = 0; k < t.params.size(); ++k) {
    const ParamInfo& p = t.params[k];
    Rng rng{seed * 0x2545F4914F6CDD1DULL + 0x9E3779B97F4A7C15ULL * (k + 1)};
    rng.Next();
    T* dst = out + p.offset;
    switch (p.init) {
      case ParamInfo::kZeros:
        for (int64_t i = 0; i < p.numel; ++i) dst[i] = T(0);
        break;
      case ParamInfo::kOnes:
        for (int64_t i = 0; i < p.numel; ++i) dst[i] = T(1);
        break;
      case ParamInfo::kConst:
        for (int64_t i = 0; i < p.numel; ++i) dst[i] = static_cast<T>(p.init_scale);
        break;
      case ParamInfo::kNormal:
        for (int64_t i = 0; i < p.numel; ++i) {
          dst[i] = static_cast<T>(p.init_scale * rng.Normal());
        }
        break;
      case ParamInfo::kXavierUniform: {
        const double fan_out = static_cast<double>(p.shape[0]);
        const double fan_in = static_cast<double>(p.numel) / fan_out;
        const double a = std::sqrt(6.0 / (fan_in + fan_out));
        for (int64_t i = 0; i < p.numel; ++i) {
          dst[i] = static_cast<T>(a * (2 * rng.Uniform() - 1));
        }
        break;
      }
    }
  }
}

template void InitParams<float>(const ParamTable&, uint64_t, float*);
template void InitParams<double>(const ParamTable&, uint64_t, double*);

}  // namespace model
}  // namespace siglip
