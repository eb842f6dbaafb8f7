// adamw.h: AdamW with decoupled weight decay over the flat parameter vector,
// with per-group learning-rate multipliers, a weight-decay mask and clipping
// by the global gradient norm; the update is one fused pass (simd.h).
#ifndef SIGLIP_CSRC_MODEL_ADAMW_H_
#define SIGLIP_CSRC_MODEL_ADAMW_H_

#include <cstdint>
#include <vector>

#include "csrc/model/config.h"
#include "csrc/model/siglip_model.h"
#include "threadpool.h"

namespace siglip {
namespace model {

// A contiguous piece of one tensor: the unit of parallel work.
struct AdamWChunk {
  int64_t offset, len;
  int group;
  bool decay;
};

// Chunks of at most 64 Ki elements over every tensor of the table.
std::vector<AdamWChunk> MakeAdamWChunks(const ParamTable& t);

// Throws std::invalid_argument for bad options.
void CheckAdamWOptions(const siglip_adamw_options& o);

// One step with bias-correction step t (>= 1). partial: scratch of
// chunks.size() doubles. Returns the global gradient norm before clipping
// (over groups with lr_mult != 0). Throws std::invalid_argument, updating
// nothing, when that norm is not finite.
template <typename T>
double AdamWStep(ThreadPool& pool, const std::vector<AdamWChunk>& chunks, T* p,
                 const T* g, T* m, T* v, double* partial,
                 const siglip_adamw_options& o, int64_t t);

}  // namespace model
}  // namespace siglip

#endif  // SIGLIP_CSRC_MODEL_ADAMW_H_
