// loss_bench.cc: Google Benchmark of the fused losses against their roofline.
//
// The roofline of the sigmoid loss forward + backward is three GEMMs of the
// logit shape (logits X Y^T, then G Y and G^T X): 6 n m d flops. Forward only
// is one GEMM (2 n m d); the softmax loss needs the logits twice (two passes)
// plus the two gradient GEMMs: 8 n m d. BM_Sgemm times OpenBLAS sgemm of the
// same shape, C = X Y^T (2 n m d flops), on the same number of threads:
// loss GFLOP/s divided by sgemm GFLOP/s is the fraction of the roofline.
//
//   bazel run //csrc:loss_bench -- --benchmark_filter='/1024/'
//   "$(bazel info bazel-bin)/csrc/loss_bench" --benchmark_filter=Sigmoid
//   (.bazelrc builds with -O3 and no bazel-* symlinks.)
//
// Arguments of every benchmark: n, m, d, threads (0: all online cores).
// Benchmarks run with real time (the pool's threads work while the main
// thread waits). The GFLOP counter is a rate: "GFLOP=120/s" is 120 GFLOP/s.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "siglip.h"

extern "C" void openblas_set_num_threads(int num_threads);

namespace {

struct PoolDeleter {
  void operator()(siglip_pool* p) const { siglip_pool_destroy(p); }
};
using Pool = std::unique_ptr<siglip_pool, PoolDeleter>;

Pool MakePool(int threads) {
  siglip_pool* p = nullptr;
  char err[256] = {0};
  if (siglip_pool_create(threads, &p, err, sizeof err) != SIGLIP_OK) {
    std::fprintf(stderr, "siglip_pool_create: %s\n", err);
    std::exit(1);
  }
  return Pool(p);
}

int ResolveThreads(int64_t threads) {
  if (threads > 0) return static_cast<int>(threads);
  Pool p = MakePool(0);
  return siglip_pool_threads(p.get());
}

// rows x d float32, rows of unit length (as the towers give).
std::vector<float> UnitRows(int64_t rows, int64_t d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<float> v(static_cast<size_t>(rows * d));
  for (int64_t i = 0; i < rows; ++i) {
    double ss = 0;
    for (int64_t k = 0; k < d; ++k) {
      const double x = static_cast<double>(rng() >> 11) * 0x1.0p-53 - 0.5;
      v[i * d + k] = static_cast<float>(x);
      ss += x * x;
    }
    const float f = static_cast<float>(1.0 / std::sqrt(ss));
    for (int64_t k = 0; k < d; ++k) v[i * d + k] *= f;
  }
  return v;
}

enum class Mode { kSigmoidFwdBwd, kSigmoidFwd, kSoftmaxFwdBwd };

void RunLoss(benchmark::State& state, Mode mode, double flops_per_nmd) {
  const int64_t n = state.range(0), m = state.range(1), d = state.range(2);
  const int threads = ResolveThreads(state.range(3));
  openblas_set_num_threads(1);  // BLAS runs single-threaded inside the pool
  Pool pool = MakePool(threads);
  const std::vector<float> img = UnitRows(n, d, 1), txt = UnitRows(m, d, 2);
  std::vector<float> dimg(n * d), dtxt(m * d);
  siglip_loss_input in;
  std::memset(&in, 0, sizeof in);
  in.n = n;
  in.m = m;
  in.d = d;
  in.img = img.data();
  in.txt = txt.data();
  in.positives = SIGLIP_POS_DIAGONAL;
  in.t_prime = std::log(10.0);
  in.bias = -10.0;
  in.norm = static_cast<double>(n);
  siglip_loss_output out;
  std::memset(&out, 0, sizeof out);
  if (mode != Mode::kSigmoidFwd) {
    out.dimg = dimg.data();
    out.dtxt = dtxt.data();
  }
  char err[512] = {0};
  volatile double sink = 0;
  auto call = [&] {
    return mode == Mode::kSoftmaxFwdBwd
               ? siglip_softmax_loss(pool.get(), SIGLIP_F32, &in, &out, err, sizeof err)
               : siglip_sigmoid_loss(pool.get(), SIGLIP_F32, &in, &out, err, sizeof err);
  };
  for (auto _ : state) {
    if (call() != SIGLIP_OK) {
      state.SkipWithError(err);
      break;
    }
    // Not DoNotOptimize(out.loss): with GCC -O3, Google Benchmark 1.7.1's
    // "+r,m" constraint on a double lvalue clobbers it (a volatile store is
    // enough to keep the call).
    sink = out.loss;
    benchmark::ClobberMemory();
  }
  (void)sink;
  const double flops = flops_per_nmd * static_cast<double>(n) * m * d;
  state.counters["GFLOP"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = threads;
  state.counters["loss"] = out.loss;
}

void BM_SigmoidFwdBwd(benchmark::State& s) { RunLoss(s, Mode::kSigmoidFwdBwd, 6); }
void BM_SigmoidFwd(benchmark::State& s) { RunLoss(s, Mode::kSigmoidFwd, 2); }
void BM_SoftmaxFwdBwd(benchmark::State& s) { RunLoss(s, Mode::kSoftmaxFwdBwd, 8); }

// OpenBLAS sgemm C = X Y^T of the logit shape on `threads` OpenBLAS threads:
// the roofline. Large outputs are computed in blocks of at most 4096 x 4096
// (a 32768 x 32768 float C would be 4 GiB; the blocked rate is the same).
void BM_Sgemm(benchmark::State& state) {
  const int64_t n = state.range(0), m = state.range(1), d = state.range(2);
  const int threads = ResolveThreads(state.range(3));
  openblas_set_num_threads(threads);
  const std::vector<float> x = UnitRows(n, d, 1), y = UnitRows(m, d, 2);
  const int64_t bn = std::min<int64_t>(n, 4096), bm = std::min<int64_t>(m, 4096);
  std::vector<float> c(static_cast<size_t>(bn * bm));
  for (auto _ : state) {
    for (int64_t i0 = 0; i0 < n; i0 += bn) {
      for (int64_t j0 = 0; j0 < m; j0 += bm) {
        const int64_t rows = std::min(bn, n - i0), cols = std::min(bm, m - j0);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows),
                    static_cast<int>(cols), static_cast<int>(d), 1.0f, x.data() + i0 * d,
                    static_cast<int>(d), y.data() + j0 * d, static_cast<int>(d), 0.0f,
                    c.data(), static_cast<int>(bm));
      }
    }
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  openblas_set_num_threads(1);
  const double flops = 2.0 * static_cast<double>(n) * m * d;
  state.counters["GFLOP"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = threads;
}

// n, m, d: a small smoke size, the sizes of the issue, and a long batch with
// narrow embeddings. Threads: all cores, and 1.
void Shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "m", "d", "threads"});
  const int64_t shapes[][3] = {
      {256, 256, 64}, {1024, 1024, 768}, {4096, 4096, 768},
      {8192, 8192, 768}, {32768, 32768, 256},
  };
  for (const auto& s : shapes) {
    b->Args({s[0], s[1], s[2], 0});
    b->Args({s[0], s[1], s[2], 1});
  }
  b->UseRealTime()->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_Sgemm)->Apply(Shapes);
BENCHMARK(BM_SigmoidFwdBwd)->Apply(Shapes);
BENCHMARK(BM_SigmoidFwd)->Apply(Shapes);
BENCHMARK(BM_SoftmaxFwdBwd)->Apply(Shapes);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("siglip", siglip_build_info());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
