// c_api.cc: the C ABI of siglip.h over the C++ kernels. Every entry point
// catches every exception: nothing but a status code and a message crosses.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <mutex>
#include <new>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "blas.h"
#include "c_abi_guard.h"
#include "epilogue.h"
#include "loss_kernels.h"
#include "siglip.h"
#include "threadpool.h"

extern "C" char* openblas_get_corename(void);
extern "C" char* openblas_get_config(void);

struct siglip_pool {
  explicit siglip_pool(int threads) : pool(threads) {}
  siglip::ThreadPool pool;
  std::mutex mu;  // one call at a time on a pool
};

namespace {

using siglip::Guard;

template <typename T>
siglip::LossArgs<T> ToArgs(const siglip_loss_input* in) {
  siglip::LossArgs<T> a;
  a.n = in->n;
  a.m = in->m;
  a.d = in->d;
  a.img = static_cast<const T*>(in->img);
  a.txt = static_cast<const T*>(in->txt);
  a.positives = in->positives;
  a.img_labels = in->img_labels;
  a.txt_labels = in->txt_labels;
  a.row_offset = in->row_offset;
  a.col_offset = in->col_offset;
  a.t_prime = in->t_prime;
  a.bias = in->bias;
  a.norm = in->norm;
  return a;
}

template <typename T>
siglip::LossGrads<T> ToGrads(const siglip_loss_output* out) {
  siglip::LossGrads<T> g;
  g.dimg = static_cast<T*>(out->dimg);
  g.dtxt = static_cast<T*>(out->dtxt);
  g.accumulate = out->accumulate != 0;
  return g;
}

enum class Kind { kSigmoid, kSoftmax };

int RunLoss(Kind kind, siglip_pool* pool, siglip_dtype dtype,
            const siglip_loss_input* in, siglip_loss_output* out, char* err,
            size_t err_len) {
  return Guard(err, err_len, [&] {
    if (pool == nullptr) throw std::invalid_argument("pool is NULL");
    if (in == nullptr || out == nullptr) {
      throw std::invalid_argument("input or output struct is NULL");
    }
    std::lock_guard<std::mutex> lock(pool->mu);
    siglip::LossScalars s;
    if (dtype == SIGLIP_F32) {
      s = kind == Kind::kSigmoid
              ? siglip::SigmoidLoss(pool->pool, ToArgs<float>(in), ToGrads<float>(out))
              : siglip::SoftmaxLoss(pool->pool, ToArgs<float>(in), ToGrads<float>(out));
    } else if (dtype == SIGLIP_F64) {
      s = kind == Kind::kSigmoid
              ? siglip::SigmoidLoss(pool->pool, ToArgs<double>(in), ToGrads<double>(out))
              : siglip::SoftmaxLoss(pool->pool, ToArgs<double>(in), ToGrads<double>(out));
    } else {
      throw std::invalid_argument("unknown dtype " + std::to_string(dtype));
    }
    out->loss = s.loss;
    out->dt_prime = s.dt_prime;
    out->dbias = s.dbias;
  });
}

template <typename T>
double TimeGemm(int64_t m, int64_t n, int64_t k, int iters) {
  std::vector<T> A(static_cast<size_t>(m * k)), B(static_cast<size_t>(n * k)),
      C(static_cast<size_t>(m * n));
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> u(-1, 1);
  for (auto& v : A) v = static_cast<T>(u(rng));
  for (auto& v : B) v = static_cast<T>(u(rng));
  auto once = [&] {
    siglip::Gemm(false, true, m, n, k, T(1), A.data(), k, B.data(), k, T(0),
                 C.data(), n);
  };
  once();  // warm-up: page faults, OpenBLAS buffers
  std::vector<double> secs;
  for (int i = 0; i < iters; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    once();
    const auto t1 = std::chrono::steady_clock::now();
    secs.push_back(std::chrono::duration<double>(t1 - t0).count());
  }
  std::sort(secs.begin(), secs.end());
  return secs[secs.size() / 2];
}

// out = a b^T in row blocks, one block per task.
template <typename T>
void Similarities(siglip::ThreadPool& pool, int64_t n, int64_t m, int64_t d,
                  const T* a, const T* b, T* out) {
  const int64_t kBlock = 256;
  const int64_t blocks = (n + kBlock - 1) / kBlock;
  pool.ParallelFor(blocks, [&](int64_t task, int) {
    const int64_t r0 = task * kBlock;
    const int64_t rows = std::min(kBlock, n - r0);
    siglip::Gemm(false, true, rows, m, d, T(1), a + r0 * d, d, b, d, T(0),
                 out + r0 * m, m);
  });
}

}  // namespace

extern "C" {

int siglip_pool_create(int threads, siglip_pool** out, char* err,
                       size_t err_len) {
  return Guard(err, err_len, [&] {
    if (out == nullptr) throw std::invalid_argument("out is NULL");
    *out = nullptr;
    // BLAS runs single-threaded inside the pool (see blas.h).
    siglip::SetBlasThreads(1);
    *out = new siglip_pool(threads);
  });
}

void siglip_pool_destroy(siglip_pool* pool) { delete pool; }

int siglip_pool_threads(const siglip_pool* pool) {
  return pool == nullptr ? 0 : pool->pool.threads();
}

int siglip_sigmoid_loss(siglip_pool* pool, siglip_dtype dtype,
                        const siglip_loss_input* in, siglip_loss_output* out,
                        char* err, size_t err_len) {
  return RunLoss(Kind::kSigmoid, pool, dtype, in, out, err, err_len);
}

int siglip_softmax_loss(siglip_pool* pool, siglip_dtype dtype,
                        const siglip_loss_input* in, siglip_loss_output* out,
                        char* err, size_t err_len) {
  return RunLoss(Kind::kSoftmax, pool, dtype, in, out, err, err_len);
}

int siglip_similarities(siglip_pool* pool, siglip_dtype dtype, int64_t n,
                        int64_t m, int64_t d, const void* a, const void* b,
                        void* out, char* err, size_t err_len) {
  return Guard(err, err_len, [&] {
    if (pool == nullptr) throw std::invalid_argument("pool is NULL");
    if (n < 1 || m < 1 || d < 1) {
      throw std::invalid_argument("similarities: n, m and d must be >= 1, got " +
                                  std::to_string(n) + ", " + std::to_string(m) +
                                  ", " + std::to_string(d));
    }
    const int64_t kMaxDim = std::numeric_limits<int>::max();
    if (n > kMaxDim || m > kMaxDim || d > kMaxDim) {
      throw std::invalid_argument("similarities: a dimension exceeds 2^31 - 1");
    }
    if (a == nullptr || b == nullptr || out == nullptr) {
      throw std::invalid_argument("similarities: a, b or out is NULL");
    }
    std::lock_guard<std::mutex> lock(pool->mu);
    if (dtype == SIGLIP_F32) {
      Similarities(pool->pool, n, m, d, static_cast<const float*>(a),
                   static_cast<const float*>(b), static_cast<float*>(out));
    } else if (dtype == SIGLIP_F64) {
      Similarities(pool->pool, n, m, d, static_cast<const double*>(a),
                   static_cast<const double*>(b), static_cast<double*>(out));
    } else {
      throw std::invalid_argument("similarities: unknown dtype " +
                                  std::to_string(dtype));
    }
  });
}

int siglip_gemm_benchmark(siglip_dtype dtype, int threads, int64_t m, int64_t n,
                          int64_t k, int iters, double* median_seconds,
                          char* err, size_t err_len) {
  return Guard(err, err_len, [&] {
    if (median_seconds == nullptr) {
      throw std::invalid_argument("median_seconds is NULL");
    }
    if (dtype != SIGLIP_F32 && dtype != SIGLIP_F64) {
      throw std::invalid_argument("gemm benchmark: unknown dtype " +
                                  std::to_string(dtype));
    }
    if (m < 1 || n < 1 || k < 1 || iters < 1) {
      throw std::invalid_argument("gemm benchmark: sizes and iters must be >= 1");
    }
    if (m > 8192 || n > 8192) {
      throw std::invalid_argument(
          "gemm benchmark: m and n are limited to 8192 (the rate has long "
          "reached its plateau there, and C would not fit in memory)");
    }
    const int t = threads > 0 ? threads : siglip::ThreadPool::OnlineCores();
    siglip::SetBlasThreads(t);
    try {
      *median_seconds = dtype == SIGLIP_F64 ? TimeGemm<double>(m, n, k, iters)
                                            : TimeGemm<float>(m, n, k, iters);
    } catch (...) {
      siglip::SetBlasThreads(1);
      throw;
    }
    siglip::SetBlasThreads(1);
  });
}

const char* siglip_build_info(void) {
  static const std::string info = [] {
    std::string s = "simd=";
    s += siglip::EpilogueTarget();
    s += " blas=";
    const char* core = openblas_get_corename();
    const char* cfg = openblas_get_config();
    s += cfg ? cfg : "OpenBLAS";
    s += " core=";
    s += core ? core : "unknown";
    return s;
  }();
  return info.c_str();
}

}  // extern "C"
