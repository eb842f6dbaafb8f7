// capi.cc: the C ABI of siglip_model.h over the C++ towers. Every entry point
// catches every exception: nothing but a status code and a message crosses.
#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>

#include "csrc/c_abi_guard.h"
#include "csrc/model/config.h"
#include "csrc/model/siglip_model.h"
#include "csrc/model/simd.h"
#include "csrc/model/towers.h"

struct siglip_model {
  std::unique_ptr<siglip::model::ModelBase> impl;
};

namespace {

using siglip::Guard;

siglip::model::ModelBase& Impl(const siglip_model* m) {
  if (m == nullptr || !m->impl) throw std::invalid_argument("model is NULL");
  return *m->impl;
}

size_t ElemSize(siglip_dtype d) { return d == SIGLIP_F64 ? 8 : 4; }

}  // namespace

extern "C" {

int siglip_model_config_preset(const char* name, siglip_model_config* cfg, char* err,
                               size_t err_len) {
  return Guard(err, err_len, [&] {
    if (name == nullptr || cfg == nullptr) throw std::invalid_argument("name or cfg is NULL");
    *cfg = siglip::model::Preset(name);
  });
}

int siglip_model_config_check(const siglip_model_config* cfg, char* err, size_t err_len) {
  return Guard(err, err_len, [&] {
    if (cfg == nullptr) throw std::invalid_argument("cfg is NULL");
    siglip::model::CheckConfig(*cfg);
  });
}

double siglip_model_forward_flops(const siglip_model_config* cfg, int64_t n_img,
                                  int64_t n_txt) {
  if (cfg == nullptr) return 0;
  return siglip::model::ForwardFlops(*cfg, n_img, n_txt);
}

int siglip_model_create(const siglip_model_config* cfg, siglip_dtype dtype, int threads,
                        uint64_t seed, siglip_model** out, char* err, size_t err_len) {
  return Guard(err, err_len, [&] {
    if (cfg == nullptr || out == nullptr) throw std::invalid_argument("cfg or out is NULL");
    *out = nullptr;
    auto m = std::make_unique<siglip_model>();
    m->impl = siglip::model::NewModel(*cfg, dtype, threads, seed);
    *out = m.release();
  });
}

void siglip_model_destroy(siglip_model* model) { delete model; }

int siglip_model_reserve(siglip_model* model, int64_t n_img, int64_t n_txt, char* err,
                         size_t err_len) {
  return Guard(err, err_len, [&] { Impl(model).Reserve(n_img, n_txt); });
}

int64_t siglip_model_bytes(const siglip_model* model) {
  return model == nullptr || !model->impl ? 0 : model->impl->Bytes();
}

int siglip_model_embed_images(siglip_model* model, int64_t n, const void* pixels, void* out,
                              int train, char* err, size_t err_len) {
  return Guard(err, err_len, [&] { Impl(model).EmbedImages(n, pixels, out, train != 0); });
}

int siglip_model_embed_images_u8(siglip_model* model, int64_t n, const uint8_t* pixels,
                                 const float* values, void* out, int train, char* err,
                                 size_t err_len) {
  return Guard(err, err_len,
               [&] { Impl(model).EmbedImagesU8(n, pixels, values, out, train != 0); });
}

int siglip_model_embed_texts(siglip_model* model, int64_t n, const int32_t* tokens,
                             void* out, int train, char* err, size_t err_len) {
  return Guard(err, err_len, [&] { Impl(model).EmbedTexts(n, tokens, out, train != 0); });
}

int siglip_model_backward(siglip_model* model, const siglip_model_grads* g, char* err,
                          size_t err_len) {
  return Guard(err, err_len, [&] {
    if (g == nullptr) throw std::invalid_argument("grads is NULL");
    Impl(model).Backward(*g);
  });
}

int siglip_model_zero_grads(siglip_model* model, char* err, size_t err_len) {
  return Guard(err, err_len, [&] { Impl(model).ZeroGrads(); });
}

int64_t siglip_model_param_count(const siglip_model* model) {
  return model == nullptr || !model->impl
             ? 0
             : static_cast<int64_t>(model->impl->table().params.size());
}

int64_t siglip_model_param_elements(const siglip_model* model) {
  return model == nullptr || !model->impl ? 0 : model->impl->table().total;
}

int siglip_model_param_info(const siglip_model* model, int64_t index,
                            siglip_param_info* info, char* err, size_t err_len) {
  return Guard(err, err_len, [&] {
    const auto& t = Impl(model).table();
    if (info == nullptr) throw std::invalid_argument("info is NULL");
    if (index < 0 || index >= static_cast<int64_t>(t.params.size())) {
      throw std::invalid_argument("parameter index " + std::to_string(index) +
                                  " is outside [0, " + std::to_string(t.params.size()) +
                                  ")");
    }
    const auto& p = t.params[static_cast<size_t>(index)];
    std::memset(info, 0, sizeof *info);
    info->name = p.name.c_str();
    info->ndim = static_cast<int>(p.shape.size());
    for (size_t k = 0; k < p.shape.size() && k < 4; ++k) info->shape[k] = p.shape[k];
    info->numel = p.numel;
    info->offset = p.offset;
    info->group = p.group;
    info->decay = p.decay ? 1 : 0;
  });
}

int64_t siglip_model_param_index(const siglip_model* model, const char* name) {
  if (model == nullptr || !model->impl || name == nullptr) return -1;
  return model->impl->table().Find(name);
}

int siglip_model_read(const siglip_model* model, siglip_model_buffer which, int64_t offset,
                      int64_t count, void* dst, char* err, size_t err_len) {
  return Guard(err, err_len, [&] {
    auto& m = const_cast<siglip::model::ModelBase&>(Impl(model));
    const int64_t total = m.table().total;
    if (offset < 0 || count < 0 || offset > total || count > total - offset) {
      throw std::invalid_argument("read: [" + std::to_string(offset) + ", +" +
                                  std::to_string(count) + ") is outside the " +
                                  std::to_string(total) + " elements");
    }
    if (count == 0) return;
    if (dst == nullptr) throw std::invalid_argument("read: dst is NULL");
    const size_t es = ElemSize(m.dtype());
    std::memcpy(dst, static_cast<const char*>(m.Buffer(which)) + es * offset, es * count);
  });
}

int siglip_model_write(siglip_model* model, siglip_model_buffer which, int64_t offset,
                       int64_t count, const void* src, char* err, size_t err_len) {
  return Guard(err, err_len, [&] {
    auto& m = Impl(model);
    const int64_t total = m.table().total;
    if (offset < 0 || count < 0 || offset > total || count > total - offset) {
      throw std::invalid_argument("write: [" + std::to_string(offset) + ", +" +
                                  std::to_string(count) + ") is outside the " +
                                  std::to_string(total) + " elements");
    }
    if (count == 0) return;
    if (src == nullptr) throw std::invalid_argument("write: src is NULL");
    const size_t es = ElemSize(m.dtype());
    std::memcpy(static_cast<char*>(m.Buffer(which)) + es * offset, src, es * count);
  });
}

void siglip_adamw_defaults(siglip_adamw_options* o) {
  if (o == nullptr) return;
  o->lr = 1e-3;
  o->beta1 = 0.9;
  o->beta2 = 0.95;
  o->eps = 1e-8;
  o->weight_decay = 1e-4;
  o->clip_norm = 1.0;
  for (int k = 0; k < SIGLIP_GROUPS; ++k) o->lr_mult[k] = 1.0;
}

int siglip_model_adamw_step(siglip_model* model, const siglip_adamw_options* o,
                            double* grad_norm, char* err, size_t err_len) {
  return Guard(err, err_len, [&] {
    if (o == nullptr) throw std::invalid_argument("options is NULL");
    const double n = Impl(model).AdamW(*o);
    if (grad_norm != nullptr) *grad_norm = n;
  });
}

int64_t siglip_model_adamw_steps(const siglip_model* model) {
  return model == nullptr || !model->impl ? 0 : model->impl->steps();
}

int siglip_model_set_adamw_steps(siglip_model* model, int64_t t, char* err, size_t err_len) {
  return Guard(err, err_len, [&] { Impl(model).set_steps(t); });
}

const char* siglip_model_simd_target(void) { return siglip::model::SimdTarget(); }

}  // extern "C"
