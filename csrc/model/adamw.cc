// adamw.cc: implementation of adamw.h.
#include "csrc/model/adamw.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "csrc/model/parallel.h"
#include "csrc/model/simd.h"

namespace siglip {
namespace model {

std::vector<AdamWChunk> MakeAdamWChunks(const ParamTable& t) {
  constexpr int64_t kChunk = int64_t{1} << 16;
  std::vector<AdamWChunk> chunks;
  for (const ParamInfo& p : t.params) {
    for (int64_t i = 0; i < p.numel; i += kChunk) {
      chunks.push_back({p.offset + i, std::min(kChunk, p.numel - i), p.group, p.decay});
    }
  }
  return chunks;
}

void CheckAdamWOptions(const siglip_adamw_options& o) {
  // Messages are built only on failure: a step allocates nothing.
  auto fail = [](const std::string& msg) { throw std::invalid_argument("adamw: " + msg); };
  if (!(std::isfinite(o.lr) && o.lr >= 0)) fail("lr must be finite and >= 0");
  if (!(o.beta1 >= 0 && o.beta1 < 1)) fail("beta1 must be in [0, 1)");
  if (!(o.beta2 >= 0 && o.beta2 < 1)) fail("beta2 must be in [0, 1)");
  if (!(std::isfinite(o.eps) && o.eps > 0)) fail("eps must be finite and > 0");
  if (!(std::isfinite(o.weight_decay) && o.weight_decay >= 0)) {
    fail("weight_decay must be finite and >= 0");
  }
  if (std::isnan(o.clip_norm)) fail("clip_norm is NaN");
  for (int k = 0; k < SIGLIP_GROUPS; ++k) {
    if (!(std::isfinite(o.lr_mult[k]) && o.lr_mult[k] >= 0)) {
      fail("lr_mult[" + std::to_string(k) + "] must be finite and >= 0");
    }
  }
}

template <typename T>
double AdamWStep(ThreadPool& pool, const std::vector<AdamWChunk>& chunks, T* p,
                 const T* g, T* m, T* v, double* partial,
                 const siglip_adamw_options& o, int64_t t) {
  CheckAdamWOptions(o);
  if (t < 1) throw std::invalid_argument("adamw: step must be >= 1");
  const int64_t n = static_cast<int64_t>(chunks.size());
  // Pass 1: the global norm, per-chunk sums reduced in chunk order.
  auto norm_part = [&](int64_t c, int) {
    const AdamWChunk& k = chunks[c];
    partial[c] = o.lr_mult[k.group] != 0 ? SumSquares(g + k.offset, k.len) : 0.0;
  };
  ParallelParts(pool, n, norm_part);
  double ss = 0;
  for (int64_t c = 0; c < n; ++c) ss += partial[c];
  const double norm = std::sqrt(ss);
  if (!std::isfinite(norm)) {
    throw std::invalid_argument("adamw: the gradient norm is not finite; parameters not updated");
  }
  const double clip =
      (o.clip_norm > 0 && norm > o.clip_norm) ? o.clip_norm / norm : 1.0;
  const double td = static_cast<double>(t);
  const double bc1 = 1 - std::pow(o.beta1, td);
  const double bc2 = 1 - std::pow(o.beta2, td);
  const double bc2_rsqrt = 1 / std::sqrt(bc2);
  // Pass 2: the fused update.
  auto update_part = [&](int64_t c, int) {
    const AdamWChunk& k = chunks[c];
    const double lr = o.lr * o.lr_mult[k.group];
    if (lr == 0) return;
    const double decay = k.decay ? lr * o.weight_decay : 0.0;
    AdamWSegment(p + k.offset, g + k.offset, m + k.offset, v + k.offset, k.len,
                 clip, o.beta1, o.beta2, lr / bc1, bc2_rsqrt, o.eps, decay);
  };
  ParallelParts(pool, n, update_part);
  return norm;
}

template double AdamWStep<float>(ThreadPool&, const std::vector<AdamWChunk>&,
                                 float*, const float*, float*, float*, double*,
                                 const siglip_adamw_options&, int64_t);
template double AdamWStep<double>(ThreadPool&, const std::vector<AdamWChunk>&,
                                  double*, const double*, double*, double*,
                                  double*, const siglip_adamw_options&, int64_t);

}  // namespace model
}  // namespace siglip
