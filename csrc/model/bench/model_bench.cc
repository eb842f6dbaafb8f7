// model_bench.cc: Google Benchmark of one SigLIP training step (both towers
// forward and backward, the sigmoid loss, AdamW) against the GEMM roofline.
//
//   bazel run //csrc/model:model_bench -- --benchmark_filter=tiny
//   bazel run //csrc/model:model_bench -- --benchmark_filter='s16/64/2'
//
// BM_TrainStep/<preset>/<batch>/<threads>: counters
//   step_flops  model FLOPs of the step: 3x the forward (2 M N K for every
//               matmul, attention products included) + 6 n n d of the loss
//   GFLOP       rate of model FLOPs (a rate counter: "GFLOP=120/s")
//   fwd_s, loss_s, bwd_s, opt_s   seconds of the phases (last iteration)
// BM_Sgemm/<m>/<n>/<k>/<threads>: OpenBLAS sgemm C = A B^T on its own threads
//   (the roofline; the default shape is the MLP's fc1 at s16: 8192 rows of
//   the 12544 x 384 activations times the 1536 x 384 weight).
// MFU = GFLOP of BM_TrainStep / GFLOP of BM_Sgemm on the same threads.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "csrc/model/siglip_model.h"
#include "siglip.h"

namespace {

void Die(const char* what, const char* err) {
  std::fprintf(stderr, "%s: %s\n", what, err);
  std::exit(1);
}

struct Trainer {
  siglip_model_config cfg{};
  siglip_model* model = nullptr;
  siglip_pool* pool = nullptr;
  int64_t n = 0;
  std::vector<float> px, ei, et, di, dt;
  std::vector<int32_t> ids;
  int64_t off_s = 0, off_b = 0;
  siglip_adamw_options opt{};
  double fwd_s = 0, loss_s = 0, bwd_s = 0, opt_s = 0;

  Trainer(const char* preset, int64_t batch, int threads) : n(batch) {
    char err[256] = {0};
    if (siglip_model_config_preset(preset, &cfg, err, sizeof err) != SIGLIP_OK) Die("preset", err);
    if (siglip_model_create(&cfg, SIGLIP_F32, threads, 1, &model, err, sizeof err) != SIGLIP_OK)
      Die("create", err);
    if (siglip_model_reserve(model, n, n, err, sizeof err) != SIGLIP_OK) Die("reserve", err);
    if (siglip_pool_create(threads, &pool, err, sizeof err) != SIGLIP_OK) Die("pool", err);
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<float> u(-1, 1);
    px.resize(n * cfg.channels * cfg.image_size * cfg.image_size);
    for (auto& v : px) v = u(rng);
    ids.assign(n * cfg.text_len, 0);
    std::uniform_int_distribution<int32_t> tok(1, static_cast<int32_t>(cfg.vocab_size - 1));
    for (int64_t i = 0; i < n; ++i)
      for (int64_t t = 0; t < cfg.text_len - (i % 4); ++t) ids[i * cfg.text_len + t] = tok(rng);
    const int64_t d = cfg.embed_dim;
    ei.resize(n * d);
    et.resize(n * d);
    di.resize(n * d);
    dt.resize(n * d);
    siglip_param_info info{};
    siglip_model_param_info(model, siglip_model_param_index(model, "logit_scale"), &info, err,
                            sizeof err);
    off_s = info.offset;
    siglip_model_param_info(model, siglip_model_param_index(model, "logit_bias"), &info, err,
                            sizeof err);
    off_b = info.offset;
    siglip_adamw_defaults(&opt);
  }
  ~Trainer() {
    siglip_model_destroy(model);
    siglip_pool_destroy(pool);
  }

  double StepFlops() const {
    return 3 * siglip_model_forward_flops(&cfg, n, n) + 6.0 * n * n * cfg.embed_dim;
  }

  void Step() {
    using clk = std::chrono::steady_clock;
    char err[256] = {0};
    auto t0 = clk::now();
    if (siglip_model_embed_images(model, n, px.data(), ei.data(), 1, err, sizeof err))
      Die("embed images", err);
    if (siglip_model_embed_texts(model, n, ids.data(), et.data(), 1, err, sizeof err))
      Die("embed texts", err);
    auto t1 = clk::now();
    float ts = 0, tb = 0;
    siglip_model_read(model, SIGLIP_BUF_PARAMS, off_s, 1, &ts, err, sizeof err);
    siglip_model_read(model, SIGLIP_BUF_PARAMS, off_b, 1, &tb, err, sizeof err);
    siglip_loss_input in{};
    in.n = n;
    in.m = n;
    in.d = cfg.embed_dim;
    in.img = ei.data();
    in.txt = et.data();
    in.positives = SIGLIP_POS_DIAGONAL;
    in.t_prime = ts;
    in.bias = tb;
    in.norm = static_cast<double>(n);
    siglip_loss_output out{};
    out.dimg = di.data();
    out.dtxt = dt.data();
    if (siglip_sigmoid_loss(pool, SIGLIP_F32, &in, &out, err, sizeof err)) Die("loss", err);
    auto t2 = clk::now();
    siglip_model_grads g{};
    g.dimg = di.data();
    g.dtxt = dt.data();
    g.n_img = n;
    g.n_txt = n;
    g.d_logit_scale = out.dt_prime;
    g.d_logit_bias = out.dbias;
    if (siglip_model_backward(model, &g, err, sizeof err)) Die("backward", err);
    auto t3 = clk::now();
    if (siglip_model_adamw_step(model, &opt, nullptr, err, sizeof err)) Die("adamw", err);
    auto t4 = clk::now();
    auto sec = [](clk::duration d) { return std::chrono::duration<double>(d).count(); };
    fwd_s = sec(t1 - t0);
    loss_s = sec(t2 - t1);
    bwd_s = sec(t3 - t2);
    opt_s = sec(t4 - t3);
  }
};

void BM_TrainStep(benchmark::State& state, const char* preset) {
  Trainer tr(preset, state.range(0), static_cast<int>(state.range(1)));
  tr.Step();  // warm-up: first touches of the arenas
  for (auto _ : state) tr.Step();
  const double f = tr.StepFlops();
  state.counters["step_flops"] = f;
  state.counters["GFLOP"] =
      benchmark::Counter(f / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["images"] = benchmark::Counter(static_cast<double>(tr.n),
                                                benchmark::Counter::kIsIterationInvariantRate);
  state.counters["fwd_s"] = tr.fwd_s;
  state.counters["loss_s"] = tr.loss_s;
  state.counters["bwd_s"] = tr.bwd_s;
  state.counters["opt_s"] = tr.opt_s;
}

// BM_TrainStep/<preset>/<batch>/<threads>.
const bool kRegistered = [] {
  benchmark::RegisterBenchmark("BM_TrainStep/tiny", BM_TrainStep, "tiny")
      ->Args({32, 2})
      ->Args({32, 1})
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_TrainStep/s16", BM_TrainStep, "s16")
      ->Args({64, 2})
      ->Args({16, 2})
      ->Iterations(2)
      ->Unit(benchmark::kSecond)
      ->UseRealTime();
  return true;
}();

void BM_Sgemm(benchmark::State& state) {
  const int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  const int threads = static_cast<int>(state.range(3));
  double med = 0;
  char err[256] = {0};
  for (auto _ : state) {
    if (siglip_gemm_benchmark(SIGLIP_F32, threads, m, n, k, 3, &med, err, sizeof err))
      Die("gemm", err);
    state.SetIterationTime(med);
  }
  state.counters["GFLOP"] = 2.0 * m * n * k / med / 1e9;
}
BENCHMARK(BM_Sgemm)->Args({8192, 1536, 384, 2})->Args({8192, 1536, 384, 1})->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
