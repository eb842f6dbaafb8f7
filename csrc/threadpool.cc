#include "threadpool.h"

#include <unistd.h>

namespace siglip {

int ThreadPool::OnlineCores() {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = static_cast<long>(std::thread::hardware_concurrency());
  return n < 1 ? 1 : static_cast<int>(n);
}

ThreadPool::ThreadPool(int threads)
    : threads_(threads > 0 ? threads : OnlineCores()) {
  workers_.reserve(threads_ - 1);
  for (int w = 1; w < threads_; ++w) {
    workers_.emplace_back([this, w] { WorkerLoop(w); });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  start_cv_.notify_all();
  for (auto& t : workers_) t.join();
}

// Claims tasks one at a time until none is left. Tasks are coarse (a GEMM
// tile or more), so a mutex per claim costs nothing measurable.
void ThreadPool::RunTasks(int worker) {
  for (;;) {
    int64_t task;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (next_task_ >= tasks_ || error_) return;
      task = next_task_++;
    }
    try {
      (*fn_)(task, worker);
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = std::current_exception();
    }
  }
}

void ThreadPool::WorkerLoop(int worker) {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      start_cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    RunTasks(worker);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (--active_ == 0) done_cv_.notify_one();
    }
  }
}

void ThreadPool::ParallelFor(
    int64_t tasks, const std::function<void(int64_t task, int worker)>& fn) {
  if (tasks <= 0) return;
  if (threads_ == 1 || tasks == 1) {
    for (int64_t t = 0; t < tasks; ++t) fn(t, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    fn_ = &fn;
    tasks_ = tasks;
    next_task_ = 0;
    error_ = nullptr;
    active_ = threads_ - 1;
    ++generation_;
  }
  start_cv_.notify_all();
  RunTasks(0);
  std::exception_ptr error;
  {
    std::unique_lock<std::mutex> lock(mu_);
    done_cv_.wait(lock, [&] { return active_ == 0; });
    fn_ = nullptr;
    error = error_;
    error_ = nullptr;
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace siglip
