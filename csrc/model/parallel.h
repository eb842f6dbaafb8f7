// parallel.h: small helpers that put the towers' work on the one thread pool
// (threadpool.h) without allocating: a non-owning callable reference and
// RunJobs, which runs the parts of several independent jobs in a single
// ParallelFor (so a layer's weight-gradient GEMMs, input-gradient GEMMs and
// bias reductions share one barrier).
//
// Every part writes memory that only it writes, and parts are cut by the
// shapes alone (never by the thread count), so results do not depend on how
// many threads run or on which worker runs which part.
#ifndef SIGLIP_CSRC_MODEL_PARALLEL_H_
#define SIGLIP_CSRC_MODEL_PARALLEL_H_

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <new>
#include <stdexcept>

#include "threadpool.h"

namespace siglip {
namespace model {

// A reference to a callable void(int64_t part, int worker); the callable
// must outlive the reference.
class PartFn {
 public:
  template <typename F>
  PartFn(const F& f)  // NOLINT: implicit on purpose
      : obj_(&f), call_([](const void* o, int64_t part, int worker) {
          (*static_cast<const F*>(o))(part, worker);
        }) {}
  void operator()(int64_t part, int worker) const { call_(obj_, part, worker); }

 private:
  const void* obj_;
  void (*call_)(const void*, int64_t, int);
};

struct Job {
  int64_t parts;
  PartFn fn;
};

// Runs every part of every job; parts of earlier jobs are claimed first (put
// the longest parts first). Returns when all are done.
inline void RunJobs(ThreadPool& pool, std::initializer_list<Job> jobs) {
  constexpr int kMaxJobs = 16;
  if (jobs.size() > static_cast<size_t>(kMaxJobs)) {
    throw std::logic_error("RunJobs: too many jobs");
  }
  const Job* js[kMaxJobs];
  int64_t start[kMaxJobs + 1];
  int nj = 0;
  start[0] = 0;
  for (const Job& j : jobs) {
    if (j.parts <= 0) continue;
    js[nj] = &j;
    start[nj + 1] = start[nj] + j.parts;
    ++nj;
  }
  if (nj == 0) return;
  auto body = [&](int64_t task, int worker) {
    int k = 0;
    while (task >= start[k + 1]) ++k;
    js[k]->fn(task - start[k], worker);
  };
  pool.ParallelFor(start[nj], std::ref(body));
}

// Runs fn(part, worker) for part in [0, parts).
template <typename F>
inline void ParallelParts(ThreadPool& pool, int64_t parts, const F& fn) {
  RunJobs(pool, {Job{parts, PartFn(fn)}});
}

inline int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// 64-byte aligned storage of n elements, zero-filled; throws std::bad_alloc.
template <typename T>
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(int64_t n) { Reset(n); }
  ~AlignedBuffer() { std::free(p_); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  void Reset(int64_t n) {
    std::free(p_);
    p_ = nullptr;
    n_ = 0;
    if (n <= 0) return;
    size_t bytes = (sizeof(T) * static_cast<size_t>(n) + 63) / 64 * 64;
    p_ = static_cast<T*>(std::aligned_alloc(64, bytes));
    if (p_ == nullptr) throw std::bad_alloc();
    std::memset(static_cast<void*>(p_), 0, bytes);
    n_ = n;
  }
  T* data() { return p_; }
  const T* data() const { return p_; }
  int64_t size() const { return n_; }

 private:
  T* p_ = nullptr;
  int64_t n_ = 0;
};

}  // namespace model
}  // namespace siglip

#endif  // SIGLIP_CSRC_MODEL_PARALLEL_H_
