// threadpool.h: the one thread pool of the kernel core.
//
// Kernels split their work into tasks and hand them to ParallelFor; tasks are
// claimed dynamically, so which worker runs which task varies from run to run.
// Kernels therefore write each task's results to a place owned by that task
// (never by the worker) and reduce them in a fixed order, which makes results
// independent of the thread count and of scheduling.
#ifndef SIGLIP_CSRC_THREADPOOL_H_
#define SIGLIP_CSRC_THREADPOOL_H_

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace siglip {

class ThreadPool {
 public:
  // threads <= 0: all online cores. The calling thread is worker 0, so a pool
  // of T threads starts T - 1 OS threads.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }

  // Runs fn(task, worker) for every task in [0, tasks) and returns when all
  // are done. worker is in [0, threads()) and is unique among concurrently
  // running tasks: use it to index per-worker scratch memory. If a task
  // throws, the remaining tasks are skipped and the first exception is
  // rethrown here. Not re-entrant: fn must not call ParallelFor on this pool.
  void ParallelFor(int64_t tasks,
                   const std::function<void(int64_t task, int worker)>& fn);

  // The number of online cores.
  static int OnlineCores();

 private:
  void WorkerLoop(int worker);
  void RunTasks(int worker);

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable start_cv_;
  std::condition_variable done_cv_;
  uint64_t generation_ = 0;  // bumped for each ParallelFor
  bool stop_ = false;
  int active_ = 0;  // workers still inside the current generation
  // The current job; valid while a ParallelFor is running.
  const std::function<void(int64_t, int)>* fn_ = nullptr;
  int64_t tasks_ = 0;
  int64_t next_task_ = 0;  // guarded by mu_ for claims (tasks are coarse)
  std::exception_ptr error_;
};

}  // namespace siglip

#endif  // SIGLIP_CSRC_THREADPOOL_H_
