// comm_gloo.h: one rank of a group of processes connected by Gloo (TCP full
// mesh), as a ring Transport (see ring.h), with failure attribution.
//
// Rendezvous: Gloo's FileStore (a directory) or RedisStore (redis://host:port)
// behind RendezvousStore, which prefixes every key with the job's run id and
// bounds every wait by the communicator's timeout (Gloo's stores wait 30 s
// by default and measure their own timeouts in whole seconds).
//
// Joining: each rank writes "join/<rank>" and waits for all the others' keys;
// a rank missing at the deadline is named. Then Gloo connects the full mesh.
//
// Failures: every wait on a transfer has the timeout. When one fails, this
// rank at once leaves a note in the store ("abort/<rank>": the peer it
// blames and what it saw), then looks for the rank that failed first: it
// gives the peer a moment to leave a note of its own (a peer that gave up on
// a rank behind it does), then follows the notes from rank to rank to one
// that left none (it died, or stopped answering) or blamed itself (it failed
// on its own). Then it closes all its connections (so that its other peers
// learn at once, and no transfer can touch caller memory afterwards) and
// throws PeerError naming that rank. Notes are written before connections
// close, so a peer that sees the close finds the note (except when Gloo
// closes them itself: a Gloo wait that times out closes all connections of
// its rank, hence the grace period). A watchdog thread also aborts a wait as
// soon as any other rank leaves a note: a send to a peer that died may not
// fail before the timeout (Gloo does not always notice the dead socket).
#ifndef SIGLIP_CSRC_COMM_GLOO_H_
#define SIGLIP_CSRC_COMM_GLOO_H_

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "ring.h"

namespace gloo {
class Context;
namespace rendezvous {
class Store;
}
namespace transport {
class UnboundBuffer;
}
}  // namespace gloo

namespace siglip {
namespace ring {

class RendezvousStore;

struct CommOptions {
  int rank = 0;
  int size = 1;
  std::string rendezvous;  // directory or redis://host[:port]
  std::string run_id = "siglip";
  std::string address = "127.0.0.1";
  std::chrono::milliseconds timeout{60000};
};

class GlooComm : public Transport {
 public:
  // Joins and connects; throws PeerError (a rank did not join in time, or
  // connecting failed), std::invalid_argument (bad options) or
  // std::runtime_error (the store cannot be used).
  explicit GlooComm(const CommOptions& options);
  ~GlooComm() override;

  int rank() const override { return opt_.rank; }
  int size() const override { return opt_.size; }
  std::chrono::milliseconds timeout() const { return opt_.timeout; }
  // After a transfer timed out, how long to wait for the peer's note (the
  // peer may be about to give up on a rank behind it). A transfer waits
  // timeout() - NoteGrace(), so that the error comes within the timeout.
  std::chrono::milliseconds NoteGrace() const {
    return std::min<std::chrono::milliseconds>(std::chrono::milliseconds(2000),
                                               opt_.timeout / 4);
  }

  std::unique_ptr<Request> Send(int peer, uint64_t tag, const void* data,
                                size_t bytes) override;
  std::unique_ptr<Request> Recv(int peer, uint64_t tag, void* data,
                                size_t bytes) override;
  void Abandon(const std::string& why) override;

  // Throws the PeerError of an earlier failure, if there was one.
  void CheckUsable() const;
  int failed_rank() const { return failed_rank_; }

  // A transfer with `peer` failed (what: Gloo's message; timed_out: the wait
  // ran out of time). Finds the rank to blame, leaves a note, closes all
  // connections, and throws PeerError. peer -1: unknown.
  [[noreturn]] void Fail(int peer, const std::string& what, bool timed_out);
  // Rank q left a note (the watchdog saw it): give up on its account.
  [[noreturn]] void FailByNote(int q);

  // The watchdog: while a wait is registered, it looks for other ranks'
  // notes every 100 ms and, if one appears, aborts the wait (a rank blocked
  // on a send to a dead peer would otherwise learn only at the timeout).
  // Unwatch returns the rank whose note stopped the wait, or -1.
  void Watch(gloo::transport::UnboundBuffer* buf, bool send);
  int Unwatch();

 private:
  void Join();
  // Marks the communicator failed, leaves a note (unless one was left),
  // closes the connections.
  void GiveUp(int root, const std::string& msg);
  // The note of this rank: the rank it blames and why. Written once.
  void LeaveNote(int blamed, const std::string& msg);
  // Reads rank q's note, if it left one.
  bool ReadNote(int q, int* blamed, std::string* msg);
  std::string PeerName(int peer) const;
  // Follows notes from rank q (whose note blames `blamed` because `why`).
  void Resolve(int q, int blamed, std::string why, int* root, std::string* msg);
  void WatchLoop();

  CommOptions opt_;
  std::unique_ptr<RendezvousStore> store_;
  std::shared_ptr<gloo::Context> ctx_;
  bool failed_ = false;
  bool noted_ = false;
  // The watchdog (its own store connection: Redis contexts are not shared
  // between threads).
  std::unique_ptr<RendezvousStore> watch_store_;
  std::thread watchdog_;
  std::mutex watch_mu_;
  std::condition_variable watch_cv_;
  bool watch_stop_ = false;
  gloo::transport::UnboundBuffer* watched_ = nullptr;
  bool watched_send_ = false;
  int noted_by_ = -1;
  int failed_rank_ = -1;
  std::string failed_msg_;
};

}  // namespace ring
}  // namespace siglip

#endif  // SIGLIP_CSRC_COMM_GLOO_H_
