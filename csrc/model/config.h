// config.h: presets, checks and FLOP counts of siglip_model_config, and the
// table of named parameters (Hugging Face SiglipModel names) with their place
// in the flat parameter vector.
#ifndef SIGLIP_CSRC_MODEL_CONFIG_H_
#define SIGLIP_CSRC_MODEL_CONFIG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "csrc/model/siglip_model.h"

namespace siglip {
namespace model {

// Fills cfg with a preset; throws std::invalid_argument for an unknown name.
siglip_model_config Preset(const std::string& name);

// Throws std::invalid_argument naming the first problem.
void CheckConfig(const siglip_model_config& c);

// Model FLOPs of the forward of both towers (see siglip_model.h).
double ForwardFlops(const siglip_model_config& c, int64_t n_img, int64_t n_txt);

inline int64_t NumPatches(const siglip_model_config& c) {
  const int64_t g = c.image_size / c.patch_size;
  return g * g;
}
inline int64_t PatchDim(const siglip_model_config& c) {
  return c.channels * c.patch_size * c.patch_size;
}

struct ParamInfo {
  std::string name;
  std::vector<int64_t> shape;
  int64_t numel = 0;
  int64_t offset = 0;
  int group = 0;
  bool decay = false;
  // How the initialiser fills it.
  enum Init { kZeros, kOnes, kXavierUniform, kNormal, kConst } init = kZeros;
  double init_scale = 0;  // std for kNormal, value for kConst
};

// Offsets of one transformer block's tensors in the flat vector. q, k and v
// projections are consecutive ([3D, D] weights, then [3D] biases), so the
// block runs one fused QKV GEMM.
struct BlockOffsets {
  int64_t ln1_g, ln1_b, qkv_w, qkv_b, o_w, o_b, ln2_g, ln2_b, fc1_w, fc1_b,
      fc2_w, fc2_b;
};

struct VisionOffsets {
  int64_t patch_w, patch_b, pos;
  std::vector<BlockOffsets> blocks;
  int64_t post_g, post_b;
  // MAP head (valid with SIGLIP_POOLING_MAP).
  int64_t probe, in_w, in_b, out_w, out_b, ln_g, ln_b, fc1_w, fc1_b, fc2_w,
      fc2_b;
  int64_t begin, end;  // the tower's range in the flat vector
};

struct TextOffsets {
  int64_t tok, pos;
  std::vector<BlockOffsets> blocks;
  int64_t final_g, final_b, head_w, head_b;
  int64_t begin, end;
};

struct ParamTable {
  std::vector<ParamInfo> params;
  int64_t total = 0;
  VisionOffsets vision;
  TextOffsets text;
  int64_t logit_scale = 0, logit_bias = 0;
  int64_t logit_begin = 0, logit_end = 0;

  int64_t Find(const std::string& name) const;
};

ParamTable BuildParamTable(const siglip_model_config& c);

// Fills the flat vector out (t.total elements) from seed. Every tensor has
// its own random stream (seeded by seed and its index) and values are drawn
// in double, so float and double models start from the same point.
template <typename T>
void InitParams(const ParamTable& t, uint64_t seed, T* out);

}  // namespace model
}  // namespace siglip

#endif  // SIGLIP_CSRC_MODEL_CONFIG_H_
