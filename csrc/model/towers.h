// towers.h: the SigLIP towers as a model over one flat parameter vector.
//
// Image tower (ViT): patches (a linear map of flattened patches) + learned
// position embedding -> L pre-LN blocks -> post LayerNorm -> MAP head (a
// learned probe attends over the tokens, then LN and an MLP with a
// residual) or the mean -> L2 normalisation.
// Text tower: token + position embedding -> L pre-LN bidirectional blocks
// (padding masked as keys) -> final LayerNorm of the LAST token -> linear head
// -> L2 normalisation.
//
// Activations needed by the backward live in one arena per tower, sized for
// a batch; a forward of at most that batch allocates nothing.
#ifndef SIGLIP_CSRC_MODEL_TOWERS_H_
#define SIGLIP_CSRC_MODEL_TOWERS_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "csrc/model/adamw.h"
#include "csrc/model/config.h"
#include "csrc/model/parallel.h"
#include "csrc/model/siglip_model.h"
#include "threadpool.h"

namespace siglip {
namespace model {

// Hands out consecutive 64-byte aligned pieces of an arena; with a null base
// it only counts (the planning pass).
template <typename T>
class Carver {
 public:
  explicit Carver(T* base) : base_(base) {}
  T* Take(int64_t n) {
    T* p = base_ != nullptr ? base_ + used_ : nullptr;
    used_ += (n + 15) / 16 * 16;
    return p;
  }
  int64_t used() const { return used_; }

 private:
  T* base_;
  int64_t used_ = 0;
};

// A stack of pre-LN transformer blocks over B sequences of S tokens.
template <typename T>
class Encoder {
 public:
  Encoder(int64_t layers, int64_t S, int64_t D, int64_t H, int64_t I,
          double eps, const std::vector<BlockOffsets>* offsets)
      : L_(layers), S_(S), D_(D), H_(H), I_(I), eps_(eps), off_(offsets) {}

  // Carves the activations and scratch of a batch of B sequences.
  void Carve(Carver<T>* c, int64_t B, int threads);

  // Residual stream: x(0) is the input, x(L) the output.
  T* x(int64_t l) const { return xs_[l]; }

  // mask: [B, S] additive key mask or null.
  void Forward(ThreadPool& pool, const T* params, int64_t B, const T* mask);
  // dres: dL/dx(L) in, dL/dx(0) out (in place).
  void Backward(ThreadPool& pool, const T* params, T* grads, int64_t B, T* dres,
                bool accumulate);

 private:
  struct Acts {
    T *ln1, *mean1, *rstd1, *qkv, *P, *ao, *x2, *ln2, *mean2, *rstd2, *pre;
  };
  int64_t L_, S_, D_, H_, I_;
  double eps_;
  const std::vector<BlockOffsets>* off_;
  std::vector<T*> xs_;
  std::vector<Acts> acts_;
  T *gbuf_ = nullptr, *dpre_ = nullptr, *dqkv_ = nullptr, *dao_ = nullptr,
    *dln_ = nullptr, *partial_ = nullptr, *att_scratch_ = nullptr;
};

// What the C ABI needs of a model, whatever its dtype.
class ModelBase {
 public:
  virtual ~ModelBase() = default;
  virtual siglip_dtype dtype() const = 0;
  virtual const siglip_model_config& config() const = 0;
  virtual const ParamTable& table() const = 0;
  virtual void Reserve(int64_t n_img, int64_t n_txt) = 0;
  virtual int64_t Bytes() const = 0;
  virtual void EmbedImages(int64_t n, const void* pixels, void* out, bool train) = 0;
  // EmbedImages of 8-bit pixels: byte b stands for values[b] (256 values).
  virtual void EmbedImagesU8(int64_t n, const uint8_t* pixels, const float* values, void* out,
                             bool train) = 0;
  virtual void EmbedTexts(int64_t n, const int32_t* tokens, void* out, bool train) = 0;
  virtual void Backward(const siglip_model_grads& g) = 0;
  virtual void ZeroGrads() = 0;
  virtual void* Buffer(siglip_model_buffer which) = 0;
  virtual double AdamW(const siglip_adamw_options& o) = 0;
  virtual int64_t steps() const = 0;
  virtual void set_steps(int64_t t) = 0;
  virtual int threads() const = 0;
};

std::unique_ptr<ModelBase> NewModel(const siglip_model_config& cfg,
                                    siglip_dtype dtype, int threads,
                                    uint64_t seed);

}  // namespace model
}  // namespace siglip

#endif  // SIGLIP_CSRC_MODEL_TOWERS_H_
