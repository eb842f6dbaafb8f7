// Helpers of the tower tests: a model handle over the C ABI and inputs.
#ifndef SIGLIP_CSRC_MODEL_TESTS_MODEL_TEST_UTIL_H_
#define SIGLIP_CSRC_MODEL_TESTS_MODEL_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "csrc/model/siglip_model.h"

namespace siglip_test {

struct ModelDeleter {
  void operator()(siglip_model* m) const { siglip_model_destroy(m); }
};
using ModelPtr = std::unique_ptr<siglip_model, ModelDeleter>;

inline siglip_model_config Preset(const char* name) {
  siglip_model_config c{};
  char err[256] = {0};
  EXPECT_EQ(siglip_model_config_preset(name, &c, err, sizeof err), SIGLIP_OK) << err;
  return c;
}

template <typename T>
constexpr siglip_dtype Dtype() {
  return std::is_same<T, float>::value ? SIGLIP_F32 : SIGLIP_F64;
}

template <typename T>
ModelPtr MakeModel(const siglip_model_config& c, int threads, uint64_t seed) {
  siglip_model* m = nullptr;
  char err[256] = {0};
  const int rc = siglip_model_create(&c, Dtype<T>(), threads, seed, &m, err, sizeof err);
  EXPECT_EQ(rc, SIGLIP_OK) << err;
  return ModelPtr(m);
}

// Deterministic pixels in [-1, 1] and token ids; text i has 3 + i % (len-2)
// real tokens (ids >= 1) and the rest padding (id 0); text 1 also has a pad
// in the middle.
template <typename T>
std::vector<T> Pixels(const siglip_model_config& c, int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<T> px(static_cast<size_t>(n * c.channels * c.image_size * c.image_size));
  for (auto& v : px) v = static_cast<T>(u(rng));
  return px;
}

inline std::vector<int32_t> Tokens(const siglip_model_config& c, int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int32_t> u(1, static_cast<int32_t>(c.vocab_size - 1));
  std::vector<int32_t> ids(static_cast<size_t>(n * c.text_len), 0);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t len = std::min<int64_t>(c.text_len, 3 + i % std::max<int64_t>(1, c.text_len - 2));
    for (int64_t t = 0; t < len; ++t) ids[i * c.text_len + t] = u(rng);
    if (i == 1 && c.text_len > 4) ids[i * c.text_len + 1] = 0;
  }
  return ids;
}

template <typename T>
std::vector<T> Read(siglip_model* m, siglip_model_buffer which) {
  const int64_t n = siglip_model_param_elements(m);
  std::vector<T> v(static_cast<size_t>(n));
  char err[256] = {0};
  EXPECT_EQ(siglip_model_read(m, which, 0, n, v.data(), err, sizeof err), SIGLIP_OK) << err;
  return v;
}

inline siglip_param_info Info(siglip_model* m, int64_t i) {
  siglip_param_info info{};
  char err[256] = {0};
  EXPECT_EQ(siglip_model_param_info(m, i, &info, err, sizeof err), SIGLIP_OK) << err;
  return info;
}

}  // namespace siglip_test

#endif  // SIGLIP_CSRC_MODEL_TESTS_MODEL_TEST_UTIL_H_
