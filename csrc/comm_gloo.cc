// comm_gloo.cc: the Gloo communicator (see comm_gloo.h) and the C ABI of
// siglip_dist.h that uses it. Every Gloo exception is caught here.
#include "comm_gloo.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <mutex>
#include <sstream>
#include <thread>

#include <gloo/common/error.h>
#include <gloo/context.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/file_store.h>
#define HIREDIS_NESTED_INCLUDE 1
#include <gloo/rendezvous/redis_store.h>
#include <gloo/rendezvous/store.h>
#include <gloo/transport/tcp/device.h>
#include <gloo/transport/unbound_buffer.h>

namespace siglip {
namespace ring {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Slots of our messages: a prefix of our own in the top byte (Gloo's
// collectives use prefixes 0x01..0x08), then the ring tag (48 bits).
constexpr uint64_t kSlotPrefix = uint64_t{0x53} << 56;

std::string SecondsText(milliseconds ms) {
  std::ostringstream s;
  s << static_cast<double>(ms.count()) / 1000.0 << "s";
  return s.str();
}

// Gloo's messages carry a "[file:line]" prefix; keep the text.
std::string Clean(const std::string& what) {
  std::string s = what;
  if (!s.empty() && s[0] == '[') {
    const size_t close = s.find("] ");
    if (close != std::string::npos && close < 200) s = s.substr(close + 2);
  }
  return s;
}

}  // namespace

// Gloo's FileStore, whose check() is protected.
class FileBackend : public gloo::rendezvous::FileStore {
 public:
  using gloo::rendezvous::FileStore::FileStore;
  bool Has(const std::vector<std::string>& keys) { return check(keys); }
};

// A Store over a FileStore or RedisStore: keys prefixed with the run id,
// waits polled with millisecond resolution and bounded by the timeout.
class RendezvousStore : public gloo::rendezvous::Store {
 public:
  RendezvousStore(const std::string& where, const std::string& run_id,
                  milliseconds timeout)
      : prefix_(run_id + "/"), timeout_(timeout), where_(where) {
    if (where.rfind("redis://", 0) == 0) {
      std::string rest = where.substr(8);
      while (!rest.empty() && rest.back() == '/') rest.pop_back();
      std::string host = rest;
      int port = 6379;
      size_t colon = rest.rfind(':');
      if (!rest.empty() && rest[0] == '[') {  // [v6]:port
        const size_t close = rest.find(']');
        if (close == std::string::npos) {
          throw std::invalid_argument("rendezvous " + where + ": bad address");
        }
        host = rest.substr(1, close - 1);
        colon = rest.size() > close + 1 && rest[close + 1] == ':' ? close + 1
                                                                   : std::string::npos;
      } else if (colon != std::string::npos) {
        host = rest.substr(0, colon);
      }
      if (colon != std::string::npos) {
        const std::string p = rest.substr(colon + 1);
        char* end = nullptr;
        const long v = std::strtol(p.c_str(), &end, 10);
        if (p.empty() || *end != '\0' || v < 1 || v > 65535) {
          throw std::invalid_argument("rendezvous " + where + ": bad port '" + p + "'");
        }
        port = static_cast<int>(v);
      }
      if (host.empty()) {
        throw std::invalid_argument("rendezvous " + where + ": no host");
      }
      try {
        redis_ = std::make_unique<gloo::rendezvous::RedisStore>(host, port);
      } catch (const std::exception& e) {
        throw std::runtime_error("rendezvous " + where + ": " + Clean(e.what()));
      }
    } else {
      struct stat st;
      if (where.empty()) {
        throw std::invalid_argument("no rendezvous given (a directory or redis://host:port)");
      }
      if (stat(where.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        throw std::invalid_argument("rendezvous " + where +
                                    ": not an existing directory (nor redis://host:port)");
      }
      try {
        file_ = std::make_unique<FileBackend>(where);
      } catch (const std::exception& e) {
        throw std::runtime_error("rendezvous " + where + ": " + Clean(e.what()));
      }
    }
  }

  const std::string& where() const { return where_; }

  void set(const std::string& key, const std::vector<char>& data) override {
    try {
      backend().set(prefix_ + key, data);
    } catch (const std::exception& e) {
      const std::string what = Clean(e.what());
      if (what.find("already") != std::string::npos) {
        throw std::runtime_error(
            "rendezvous " + where_ + ": key '" + prefix_ + key +
            "' is already set: another job used run id '" +
            prefix_.substr(0, prefix_.size() - 1) +
            "' on this store (give each job a fresh SIGLIP_RUN_ID, or a fresh "
            "rendezvous directory)");
      }
      throw std::runtime_error("rendezvous " + where_ + ": " + what);
    }
  }

  std::vector<char> get(const std::string& key) override {
    wait({key});
    return backend().get(prefix_ + key);
  }

  void wait(const std::vector<std::string>& keys) override {
    wait(keys, timeout_);
  }

  void wait(const std::vector<std::string>& keys,
            const milliseconds& timeout) override {
    const milliseconds t = timeout.count() > 0 ? std::min(timeout, timeout_) : timeout_;
    const auto deadline = Clock::now() + t;
    while (!Has(keys)) {
      if (Clock::now() > deadline) {
        std::string list;
        for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
        throw std::runtime_error("rendezvous " + where_ + ": timed out after " +
                                 SecondsText(t) + " waiting for " + list);
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
  }

  bool Has(const std::vector<std::string>& keys) {
    std::vector<std::string> full;
    full.reserve(keys.size());
    for (const auto& k : keys) full.push_back(prefix_ + k);
    return file_ ? file_->Has(full) : redis_->check(full);
  }
  bool Has(const std::string& key) { return Has(std::vector<std::string>{key}); }

  std::string GetString(const std::string& key) {
    const std::vector<char> v = backend().get(prefix_ + key);
    return std::string(v.begin(), v.end());
  }

 private:
  gloo::rendezvous::Store& backend() {
    if (file_) return *file_;
    return *redis_;
  }

  std::string prefix_;
  milliseconds timeout_;
  std::string where_;
  std::unique_ptr<FileBackend> file_;
  std::unique_ptr<gloo::rendezvous::RedisStore> redis_;
};

namespace {

// A started Gloo send or receive; the unbound buffer lives with it.
class GlooRequest : public Request {
 public:
  GlooRequest(GlooComm* comm, std::unique_ptr<gloo::transport::UnboundBuffer> buf,
              int peer, bool send)
      : comm_(comm), buf_(std::move(buf)), peer_(peer), send_(send) {}

  void Wait() override {
    const auto t0 = Clock::now();
    const milliseconds timeout = comm_->timeout() - comm_->NoteGrace();
    bool ok = false;
    comm_->Watch(buf_.get(), send_);
    try {
      ok = send_ ? buf_->waitSend(timeout) : buf_->waitRecv(timeout);
    } catch (const std::exception& e) {
      comm_->Unwatch();
      const auto waited = Clock::now() - t0;
      comm_->Fail(peer_, e.what(), waited >= timeout * 9 / 10);
    }
    const int noted = comm_->Unwatch();
    if (!ok) {
      // The watchdog stopped the wait: another rank left a note.
      if (noted >= 0) comm_->FailByNote(noted);
      comm_->Fail(peer_, "the wait was aborted", false);
    }
  }

 private:
  GlooComm* comm_;
  std::unique_ptr<gloo::transport::UnboundBuffer> buf_;
  int peer_;
  bool send_;
};

}  // namespace

GlooComm::GlooComm(const CommOptions& options) : opt_(options) {
  if (opt_.size < 1 || opt_.size > kMaxShards) {
    throw std::invalid_argument("world size " + std::to_string(opt_.size) +
                                ": want 1 to " + std::to_string(kMaxShards));
  }
  if (opt_.rank < 0 || opt_.rank >= opt_.size) {
    throw std::invalid_argument("rank " + std::to_string(opt_.rank) +
                                ": want 0 to " + std::to_string(opt_.size - 1));
  }
  if (opt_.timeout.count() <= 0) {
    throw std::invalid_argument("timeout must be > 0");
  }
  if (opt_.run_id.empty()) opt_.run_id = "siglip";
  if (opt_.address.empty()) opt_.address = "127.0.0.1";
  store_ = std::make_unique<RendezvousStore>(opt_.rendezvous, opt_.run_id, opt_.timeout);
  Join();
  try {
    gloo::transport::tcp::attr attr;
    attr.hostname = opt_.address;
    auto dev = gloo::transport::tcp::CreateDevice(attr);
    auto ctx = std::make_shared<gloo::rendezvous::Context>(opt_.rank, opt_.size);
    ctx->setTimeout(opt_.timeout);
    ctx->connectFullMesh(*store_, dev);
    ctx_ = ctx;
    if (opt_.size > 1) {
      watch_store_ = std::make_unique<RendezvousStore>(opt_.rendezvous, opt_.run_id,
                                                       opt_.timeout);
      watchdog_ = std::thread([this] { WatchLoop(); });
    }
  } catch (const PeerError&) {
    throw;
  } catch (const std::exception& e) {
    // A peer that joined but failed while connecting, or an address that
    // cannot be used. A peer's note says who; otherwise report what Gloo said.
    for (int q = 0; q < opt_.size; ++q) {
      if (q == opt_.rank) continue;
      try {
        if (store_->Has("abort/" + std::to_string(q))) Fail(q, e.what(), false);
      } catch (const PeerError&) {
        throw;
      } catch (...) {
      }
    }
    throw PeerError(-1, "rank " + std::to_string(opt_.rank) +
                            ": connecting to the other ranks (listening on " +
                            opt_.address + ") failed: " + Clean(e.what()));
  }
}

GlooComm::~GlooComm() {
  if (watchdog_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(watch_mu_);
      watch_stop_ = true;
    }
    watch_cv_.notify_all();
    watchdog_.join();
  }
  // Destroying the context closes the connections.
  ctx_.reset();
}

void GlooComm::Watch(gloo::transport::UnboundBuffer* buf, bool send) {
  {
    std::lock_guard<std::mutex> lock(watch_mu_);
    watched_ = buf;
    watched_send_ = send;
    noted_by_ = -1;
  }
  watch_cv_.notify_all();
}

int GlooComm::Unwatch() {
  std::lock_guard<std::mutex> lock(watch_mu_);
  watched_ = nullptr;
  return noted_by_;
}

void GlooComm::WatchLoop() {
  std::unique_lock<std::mutex> lock(watch_mu_);
  while (!watch_stop_) {
    // Idle until a wait starts; then look for notes every 100 ms.
    if (watched_ == nullptr) {
      watch_cv_.wait(lock, [&] { return watch_stop_ || watched_ != nullptr; });
      continue;
    }
    watch_cv_.wait_for(lock, milliseconds(100));
    if (watch_stop_ || watched_ == nullptr) continue;
    lock.unlock();
    int from = -1;
    for (int q = 0; q < opt_.size && from < 0; ++q) {
      if (q == opt_.rank) continue;
      try {
        if (watch_store_->Has("abort/" + std::to_string(q))) from = q;
      } catch (...) {
      }
    }
    lock.lock();
    if (from >= 0 && watched_ != nullptr && noted_by_ < 0) {
      noted_by_ = from;
      if (watched_send_) {
        watched_->abortWaitSend();
      } else {
        watched_->abortWaitRecv();
      }
    }
  }
}

void GlooComm::Join() {
  store_->set("join/" + std::to_string(opt_.rank), std::vector<char>{'1'});
  const auto deadline = Clock::now() + opt_.timeout;
  std::vector<int> missing;
  for (int q = 0; q < opt_.size; ++q) {
    if (q != opt_.rank) missing.push_back(q);
  }
  while (!missing.empty()) {
    std::vector<int> still;
    for (int q : missing) {
      if (!store_->Has("join/" + std::to_string(q))) still.push_back(q);
    }
    missing.swap(still);
    if (missing.empty()) break;
    if (Clock::now() > deadline) {
      std::string list;
      for (size_t i = 0; i < missing.size() && i < 16; ++i) {
        list += (i ? ", " : "") + std::to_string(missing[i]);
      }
      if (missing.size() > 16) list += ", ...";
      failed_ = true;
      failed_rank_ = missing[0];
      failed_msg_ = std::string(missing.size() == 1 ? "rank " : "ranks ") + list +
                    (missing.size() == 1 ? " did" : " did") +
                    " not join the rendezvous at " + store_->where() + " within " +
                    SecondsText(opt_.timeout) + " (never started, or a different " +
                    "rendezvous, run id or world size?)";
      throw PeerError(failed_rank_, failed_msg_);
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
}

std::string GlooComm::PeerName(int peer) const {
  return "rank " + std::to_string(peer);
}

void GlooComm::CheckUsable() const {
  if (failed_) {
    throw PeerError(failed_rank_,
                    failed_msg_ + " (this communicator failed earlier and cannot be used)");
  }
}

void GlooComm::LeaveNote(int blamed, const std::string& msg) {
  if (noted_) return;
  noted_ = true;
  try {
    const std::string note = std::to_string(blamed) + "\n" + msg;
    store_->set("abort/" + std::to_string(opt_.rank),
                std::vector<char>(note.begin(), note.end()));
  } catch (...) {
  }
}

bool GlooComm::ReadNote(int q, int* blamed, std::string* msg) {
  try {
    if (!store_->Has("abort/" + std::to_string(q))) return false;
    const std::string note = store_->GetString("abort/" + std::to_string(q));
    const size_t nl = note.find('\n');
    *blamed = std::stoi(note.substr(0, nl));
    *msg = nl == std::string::npos ? "" : note.substr(nl + 1);
    return true;
  } catch (...) {
    return false;
  }
}

void GlooComm::GiveUp(int root, const std::string& msg) {
  failed_ = true;
  failed_rank_ = root;
  failed_msg_ = msg;
  LeaveNote(root, msg);  // (a no-op if Fail left one already)
  try {
    if (ctx_) ctx_->closeConnections();
  } catch (...) {
  }
}

void GlooComm::Resolve(int q, int blamed, std::string why, int* root,
                       std::string* msg) {
  // q's note blames `blamed`: follow the notes from rank to rank until one
  // that left none, or blamed itself, or was seen already.
  std::vector<bool> seen(static_cast<size_t>(opt_.size), false);
  seen[static_cast<size_t>(opt_.rank)] = true;
  for (;;) {
    seen[static_cast<size_t>(q)] = true;
    *msg = why + (blamed == q ? "" : " (reported by rank " + std::to_string(q) + ")");
    *root = blamed;
    if (blamed < 0 || blamed >= opt_.size || blamed == q ||
        seen[static_cast<size_t>(blamed)]) {
      return;
    }
    q = blamed;
    if (!ReadNote(q, &blamed, &why)) return;
  }
}

void GlooComm::FailByNote(int q) {
  if (failed_) CheckUsable();
  int blamed = -1, root = q;
  std::string why, msg = PeerName(q) + " failed";
  if (ReadNote(q, &blamed, &why)) Resolve(q, blamed, why, &root, &msg);
  GiveUp(root, msg);
  throw PeerError(root, msg);
}

void GlooComm::Fail(int peer, const std::string& what, bool timed_out) {
  if (failed_) CheckUsable();
  if (peer < 0) {
    // Unknown peer: any note names the culprit.
    for (int q = 0; q < opt_.size; ++q) {
      int blamed;
      std::string why;
      if (q != opt_.rank && ReadNote(q, &blamed, &why)) FailByNote(q);
    }
    const std::string msg = "a collective failed: " + Clean(what);
    GiveUp(-1, msg);
    throw PeerError(-1, msg);
  }
  // What this rank saw, left as a note at once: a rank waiting on us finds
  // it even while we are still looking for the cause behind `peer`.
  std::string msg =
      timed_out ? PeerName(peer) + " failed: no answer within " +
                      SecondsText(opt_.timeout) +
                      " (stopped, hung, or slower than the timeout)"
                : PeerName(peer) + " failed: connection lost (" + Clean(what) + ")";
  LeaveNote(peer, msg);
  // If `peer` gave up because of a rank behind it, it left (or is about to
  // leave: Gloo closes all connections of a rank whose wait timed out before
  // that rank can write) a note: give it a moment, then follow the notes.
  int blamed = -1;
  std::string why;
  bool found = ReadNote(peer, &blamed, &why);
  const auto grace =
      timed_out ? NoteGrace() : std::min<milliseconds>(milliseconds(500), NoteGrace());
  const auto until = Clock::now() + grace;
  while (!found && Clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(10));
    found = ReadNote(peer, &blamed, &why);
  }
  int root = peer;
  if (found) Resolve(peer, blamed, why, &root, &msg);
  GiveUp(root, msg);
  throw PeerError(root, msg);
}

void GlooComm::Abandon(const std::string& why) {
  if (failed_) return;
  GiveUp(opt_.rank, "rank " + std::to_string(opt_.rank) + " failed: " + why);
}

std::unique_ptr<Request> GlooComm::Send(int peer, uint64_t tag,
                                        const void* data, size_t bytes) {
  CheckUsable();
  try {
    auto buf = ctx_->createUnboundBuffer(const_cast<void*>(data), bytes);
    buf->send(peer, kSlotPrefix | tag, 0, bytes);
    return std::make_unique<GlooRequest>(this, std::move(buf), peer, true);
  } catch (const PeerError&) {
    throw;
  } catch (const std::exception& e) {
    Fail(peer, e.what(), false);
  }
}

std::unique_ptr<Request> GlooComm::Recv(int peer, uint64_t tag, void* data,
                                        size_t bytes) {
  CheckUsable();
  try {
    auto buf = ctx_->createUnboundBuffer(data, bytes);
    buf->recv(peer, kSlotPrefix | tag, 0, bytes);
    return std::make_unique<GlooRequest>(this, std::move(buf), peer, false);
  } catch (const PeerError&) {
    throw;
  } catch (const std::exception& e) {
    Fail(peer, e.what(), false);
  }
}

}  // namespace ring
}  // namespace siglip

// ---------------------------------------------------------------------------
// C ABI.

struct siglip_comm {
  std::unique_ptr<siglip::ring::GlooComm> impl;
  std::mutex mu;  // one call at a time
};

namespace {

using siglip::Guard;

// Runs fn(comm) under the communicator's lock, after checking it is usable.
template <typename F>
int WithComm(siglip_comm* comm, char* err, size_t err_len, F&& fn) {
  return Guard(err, err_len, [&] {
    if (comm == nullptr || !comm->impl) throw std::invalid_argument("comm is NULL");
    std::lock_guard<std::mutex> lock(comm->mu);
    comm->impl->CheckUsable();
    fn(*comm->impl);
  });
}

}  // namespace

extern "C" {

int siglip_comm_create(const siglip_comm_options* options, siglip_comm** out,
                       char* err, size_t err_len) {
  return Guard(err, err_len, [&] {
    if (options == nullptr || out == nullptr) {
      throw std::invalid_argument("options or out is NULL");
    }
    *out = nullptr;
    siglip::ring::CommOptions o;
    o.rank = options->rank;
    o.size = options->size;
    o.rendezvous = options->rendezvous ? options->rendezvous : "";
    o.run_id = options->run_id && *options->run_id ? options->run_id : "siglip";
    o.address = options->address && *options->address ? options->address : "127.0.0.1";
    if (options->timeout_ms <= 0) {
      throw std::invalid_argument("timeout must be > 0, got " +
                                  std::to_string(options->timeout_ms) + " ms");
    }
    o.timeout = std::chrono::milliseconds(options->timeout_ms);
    auto c = std::make_unique<siglip_comm>();
    c->impl = std::make_unique<siglip::ring::GlooComm>(o);
    *out = c.release();
  });
}

void siglip_comm_destroy(siglip_comm* comm) {
  if (comm == nullptr) return;
  try {
    delete comm;
  } catch (...) {
  }
}

int siglip_comm_rank(const siglip_comm* comm) {
  return comm && comm->impl ? comm->impl->rank() : -1;
}

int siglip_comm_size(const siglip_comm* comm) {
  return comm && comm->impl ? comm->impl->size() : 0;
}

int siglip_comm_failed_rank(const siglip_comm* comm) {
  return comm && comm->impl ? comm->impl->failed_rank() : -1;
}

int siglip_comm_allreduce_sum(siglip_comm* comm, siglip_dtype dtype, void* buf,
                              int64_t count, char* err, size_t err_len) {
  return WithComm(comm, err, err_len, [&](siglip::ring::GlooComm& c) {
    if (count < 0) throw std::invalid_argument("count < 0");
    if (count > 0 && buf == nullptr) throw std::invalid_argument("buf is NULL");
    if (dtype == SIGLIP_F32) {
      c.AllReduceSum(static_cast<float*>(buf), static_cast<size_t>(count));
    } else if (dtype == SIGLIP_F64) {
      c.AllReduceSum(static_cast<double*>(buf), static_cast<size_t>(count));
    } else {
      throw std::invalid_argument("unknown dtype " + std::to_string(dtype));
    }
  });
}

int siglip_comm_allgather(siglip_comm* comm, const void* in, void* out,
                          int64_t bytes, char* err, size_t err_len) {
  return WithComm(comm, err, err_len, [&](siglip::ring::GlooComm& c) {
    if (bytes < 0) throw std::invalid_argument("bytes < 0");
    if (bytes > 0 && (in == nullptr || out == nullptr)) {
      throw std::invalid_argument("in or out is NULL");
    }
    c.AllGather(in, out, static_cast<size_t>(bytes));
  });
}

int siglip_comm_gatherv(siglip_comm* comm, int root, const void* in,
                        const int64_t* in_bytes, void* out, char* err,
                        size_t err_len) {
  return WithComm(comm, err, err_len, [&](siglip::ring::GlooComm& c) {
    if (root < 0 || root >= c.size()) {
      throw std::invalid_argument("root " + std::to_string(root) + " out of range");
    }
    if (in_bytes == nullptr) throw std::invalid_argument("in_bytes is NULL");
    std::vector<int64_t> sizes(in_bytes, in_bytes + c.size());
    for (int64_t b : sizes) {
      if (b < 0) throw std::invalid_argument("in_bytes has a negative entry");
    }
    if (sizes[c.rank()] > 0 && in == nullptr) throw std::invalid_argument("in is NULL");
    if (c.rank() == root && out == nullptr) {
      int64_t total = 0;
      for (int64_t b : sizes) total += b;
      if (total > 0) throw std::invalid_argument("out is NULL on the root");
    }
    c.Gatherv(root, in, sizes, out);
  });
}

int siglip_comm_barrier(siglip_comm* comm, char* err, size_t err_len) {
  return WithComm(comm, err, err_len, [&](siglip::ring::GlooComm& c) {
    const char mine = 1;
    std::vector<char> all(static_cast<size_t>(c.size()));
    c.AllGather(&mine, all.data(), 1);
  });
}

int siglip_ring_sigmoid_loss(siglip_pool* pool, siglip_comm* comm,
                             siglip_dtype dtype, const siglip_loss_input* shard,
                             const siglip_ring_options* options,
                             siglip_loss_output* out, siglip_ring_stats* stats,
                             char* err, size_t err_len) {
  return WithComm(comm, err, err_len, [&](siglip::ring::GlooComm& c) {
    if (shard == nullptr || out == nullptr) {
      throw std::invalid_argument("input or output struct is NULL");
    }
    siglip_ring_options opt{};
    if (options != nullptr) opt = *options;
    siglip::ring::ShardProblem p;
    p.dtype = dtype;
    p.in = *shard;
    p.dimg = out->dimg;
    p.dtxt = out->dtxt;
    p.accumulate = out->accumulate != 0;
    const auto r = siglip::ring::RingSigmoidLoss(pool, c, p, opt, stats);
    out->loss = r.loss;
    out->dt_prime = r.dt_prime;
    out->dbias = r.dbias;
  });
}

}  // extern "C"
