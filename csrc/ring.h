// ring.h: the per-shard driver of the chunked (ring) sigmoid loss over an
// abstract transport, and the in-process transport.
//
// A Transport moves tagged messages between the K shards of one ring: a
// send or receive is started, returns a Request, and completes when the
// Request is waited for. Two implementations:
//   - LocalHub/LocalTransport (this file): K shards in one process; the
//     receiver copies straight from the sender's buffer, and the send
//     completes then (no copy in between, as with Gloo);
//   - GlooTransport (comm_gloo.h): one shard per process, Gloo unbound
//     buffers over TCP.
// The driver, the small collectives it needs (all-gather, all-reduce, gather)
// and the failure handling are written once, against this interface.
//
// The protocol of one ring call on shard k of K (see RingSigmoidLoss in
// ring.cc for the code; "Y(s)" and "G(s)" are the messages of step s):
//   0. all-gather of every shard's sizes and parameters (checked equal);
//   step 0: send the own text block (with labels) on as Y(1); compute the own
//      block; its text gradient leaves as G(1);
//   step s = 1..K-1: Y(s) (the text block of shard k - s) arrived during step
//      s-1; forward it as Y(s+1) and post the receive of the next one; compute
//      block (X_k, Y(s)) into a fresh accumulator; add the incoming G(s) (the
//      gradient that travelled with the block so far); send it on as G(s+1);
//   finally G(K), the complete gradient of this shard's own texts, arrives
//      from the left: the last hop home;
//   loss, dL/dt', dL/db: all-gathered and summed in rank order (every shard
//      gets the same bits).
// With the bidirectional option a second stream runs the same protocol in
// the other direction over the blocks the first one does not visit.
#ifndef SIGLIP_CSRC_RING_H_
#define SIGLIP_CSRC_RING_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "c_abi_guard.h"
#include "siglip.h"
#include "siglip_dist.h"

namespace siglip {
namespace ring {

// A failure of another shard (or of the connection to it). `rank` is the
// shard held responsible (-1: unknown). Becomes SIGLIP_EPEER at the C ABI.
class PeerError : public StatusError {
 public:
  PeerError(int rank, const std::string& msg)
      : StatusError(SIGLIP_EPEER, msg), rank_(rank) {}
  int rank() const { return rank_; }

 private:
  int rank_;
};

// A started send or receive.
class Request {
 public:
  virtual ~Request() = default;
  // Blocks until the operation completed; throws PeerError when the peer
  // failed or the transport's timeout passed.
  virtual void Wait() = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;

  // Starts sending `bytes` bytes at `data` to `peer` under `tag`. The memory
  // must stay valid and unchanged until the request has been waited for.
  // A (sender, receiver, tag) triple is used by at most one message.
  virtual std::unique_ptr<Request> Send(int peer, uint64_t tag,
                                        const void* data, size_t bytes) = 0;
  // Starts receiving exactly `bytes` bytes from `peer` under `tag` into data.
  virtual std::unique_ptr<Request> Recv(int peer, uint64_t tag, void* data,
                                        size_t bytes) = 0;

  // Called when this shard gives up on a call (an error of its own) while
  // transfers may still be in flight: a transport whose operations write
  // into caller memory asynchronously must stop them before that memory is
  // freed, and may tell the peers why.
  virtual void Abandon(const std::string& why) { (void)why; }

  // A fresh tag space for one collective call: every shard makes the same
  // sequence of calls, so the same numbers come out everywhere.
  uint64_t NextSequence() { return ++sequence_; }

  // Collectives over Send/Recv, in a ring. Each rank gives `bytes`; out
  // (size() * bytes) gets them in rank order.
  void AllGather(const void* in, void* out, size_t bytes);
  // Sums in place; the same bits on every rank.
  template <typename T>
  void AllReduceSum(T* buf, size_t count);
  // Rank r gives in_bytes[r] bytes; root receives them in rank order.
  void Gatherv(int root, const void* in, const std::vector<int64_t>& in_bytes,
               void* out);

 private:
  uint64_t sequence_ = 0;
};

// Tags: 24 bits of call sequence, 4 of kind, 4 of stream, 16 of step.
enum TagKind : uint64_t {
  kTagY = 1,        // a text block (header, labels, embeddings)
  kTagG = 2,        // a text-gradient accumulator (header, gradient)
  kTagGather = 3,   // AllGather
  kTagReduce = 4,   // AllReduceSum, reduce-scatter phase
  kTagShare = 5,    // AllReduceSum, all-gather phase
  kTagGatherv = 6,  // Gatherv
};
inline uint64_t MakeTag(uint64_t seq, TagKind kind, uint64_t stream,
                        uint64_t step) {
  return ((seq & 0xffffffu) << 24) | ((static_cast<uint64_t>(kind) & 0xf) << 20) |
         ((stream & 0xf) << 16) | (step & 0xffff);
}

// The largest number of shards (steps and ranks must fit the tags).
constexpr int kMaxShards = 4096;

// One shard's problem: siglip_loss_input's fields for this shard's rows
// (n, m may be 0), with norm 0 meaning the global number of images.
struct ShardProblem {
  siglip_dtype dtype = SIGLIP_F32;
  siglip_loss_input in{};
  void* dimg = nullptr;  // n x d
  void* dtxt = nullptr;  // m x d
  bool accumulate = false;
};

struct ShardResult {
  double loss = 0, dt_prime = 0, dbias = 0;
};

// Runs this shard's part of the ring sigmoid loss on `pool` (shared pools
// are fine: the kernel serialises calls on a pool). Throws
// std::invalid_argument for bad arguments (also when shards disagree),
// PeerError for failures of other shards, std::runtime_error otherwise.
ShardResult RingSigmoidLoss(siglip_pool* pool, Transport& tr,
                            const ShardProblem& p,
                            const siglip_ring_options& options,
                            siglip_ring_stats* stats);

// The row range [begin, end) of shard k when `rows` rows are split over K
// shards: ceil(rows/K) each, the last ones smaller or empty.
inline std::pair<int64_t, int64_t> ShardRows(int64_t rows, int K, int k) {
  const int64_t b = (rows + K - 1) / K;
  int64_t lo = b * k, hi = b * (k + 1);
  if (lo > rows) lo = rows;
  if (hi > rows) hi = rows;
  return {lo, hi};
}

// ---------------------------------------------------------------------------
// In-process transport: K shards in one process.

class LocalHub {
 public:
  explicit LocalHub(int size) : size_(size) {}
  int size() const { return size_; }

  // Wakes every waiter with a PeerError naming `rank` (the shard that
  // failed); later operations fail at once, and no message is copied after
  // it returns.
  void Abort(int rank, const std::string& why);

  using Key = std::tuple<int, int, uint64_t>;  // from, to, tag
  // Posts a message: the receiver copies from `data` when it takes it.
  void Put(const Key& key, const void* data, size_t bytes);
  // Blocks until the receiver has taken the message (or the hub is
  // aborted: then the message is withdrawn and PeerError thrown).
  void WaitTaken(const Key& key);
  // Withdraws a message that was not waited for (a no-op once taken).
  void Withdraw(const Key& key);
  // Blocks until the message is there (or the hub is aborted), copies it.
  void Take(const Key& key, void* data, size_t bytes);

 private:
  [[noreturn]] void ThrowAborted();

  struct Box {
    const char* data;
    size_t bytes;
    bool taken;
  };
  const int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<Key, Box> boxes_;
  bool aborted_ = false;
  int abort_rank_ = -1;
  std::string abort_why_;
};

class LocalTransport : public Transport {
 public:
  LocalTransport(LocalHub* hub, int rank) : hub_(hub), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return hub_->size(); }
  std::unique_ptr<Request> Send(int peer, uint64_t tag, const void* data,
                                size_t bytes) override;
  std::unique_ptr<Request> Recv(int peer, uint64_t tag, void* data,
                                size_t bytes) override;
  void Abandon(const std::string& why) override { hub_->Abort(rank_, why); }

 private:
  LocalHub* hub_;
  int rank_;
};

// The whole in-process ring: splits `in` over `shards` worker threads (see
// siglip_ring_sigmoid_loss_local). Throws like RingSigmoidLoss.
ShardResult LocalRingSigmoidLoss(siglip_pool* pool, siglip_dtype dtype,
                                 int shards, const siglip_loss_input& in,
                                 void* dimg, void* dtxt, bool accumulate,
                                 const siglip_ring_options& options,
                                 siglip_ring_stats* stats);

// Size in bytes of one element of dtype; throws for an unknown dtype.
size_t ElemSize(siglip_dtype dtype);

}  // namespace ring
}  // namespace siglip

#endif  // SIGLIP_CSRC_RING_H_
