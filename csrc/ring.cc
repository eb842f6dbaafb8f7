// ring.cc: the per-shard ring driver of the chunked sigmoid loss, the
// collectives it needs over any Transport, the in-process transport, and the
// C ABI of the in-process ring (siglip_ring_sigmoid_loss_local).
//
// Block computations go through the public C ABI (siglip_sigmoid_loss), so
// the shards of an in-process ring take turns on one pool exactly as any
// other callers would.
#include "ring.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <thread>
#include <utility>

namespace siglip {
namespace ring {

size_t ElemSize(siglip_dtype dtype) {
  switch (dtype) {
    case SIGLIP_F32:
      return sizeof(float);
    case SIGLIP_F64:
      return sizeof(double);
  }
  throw std::invalid_argument("unknown dtype " + std::to_string(dtype));
}

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

int Mod(int64_t a, int k) {
  const int64_t r = a % k;
  return static_cast<int>(r < 0 ? r + k : r);
}

// Waits for a request (if any) and drops it.
void Finish(std::unique_ptr<Request>& r) {
  if (r) {
    r->Wait();
    r.reset();
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Collectives over Send/Recv.

void Transport::AllGather(const void* in, void* out, size_t bytes) {
  const int K = size(), r = rank();
  char* o = static_cast<char*>(out);
  if (bytes > 0) std::memcpy(o + static_cast<size_t>(r) * bytes, in, bytes);
  const uint64_t seq = NextSequence();
  if (K == 1 || bytes == 0) return;
  const int right = Mod(r + 1, K), left = Mod(r - 1, K);
  for (int t = 0; t < K - 1; ++t) {
    const int send_block = Mod(r - t, K), recv_block = Mod(r - t - 1, K);
    auto rq = Recv(left, MakeTag(seq, kTagGather, 0, t),
                   o + static_cast<size_t>(recv_block) * bytes, bytes);
    auto sq = Send(right, MakeTag(seq, kTagGather, 0, t),
                   o + static_cast<size_t>(send_block) * bytes, bytes);
    Finish(rq);
    Finish(sq);
  }
}

template <typename T>
void Transport::AllReduceSum(T* buf, size_t count) {
  const int K = size(), r = rank();
  const uint64_t seq = NextSequence();
  if (K == 1 || count == 0) return;
  const int right = Mod(r + 1, K), left = Mod(r - 1, K);
  // Pieces of at most 4 MiB per rank's chunk keep the scratch small.
  const size_t piece = std::max<size_t>(
      static_cast<size_t>(K), (size_t{4} << 20) / sizeof(T) * static_cast<size_t>(K));
  std::vector<T> tmp;
  uint64_t step = 0;  // unique per message within this call
  for (size_t base = 0; base < count; base += piece) {
    const size_t len = std::min(piece, count - base);
    T* p = buf + base;
    auto lo = [&](int c) { return len * static_cast<size_t>(c) / static_cast<size_t>(K); };
    auto rows = [&](int c) { return lo(c + 1) - lo(c); };
    tmp.resize(len / static_cast<size_t>(K) + 1);
    // Reduce-scatter: after K-1 steps rank r holds the sum of chunk r+1.
    for (int t = 0; t < K - 1; ++t, ++step) {
      const int sc = Mod(r - t, K), rc = Mod(r - t - 1, K);
      std::unique_ptr<Request> rq, sq;
      const uint64_t tag = MakeTag(seq, kTagReduce, step >> 16, step & 0xffff);
      if (rows(rc) > 0) rq = Recv(left, tag, tmp.data(), rows(rc) * sizeof(T));
      if (rows(sc) > 0) sq = Send(right, tag, p + lo(sc), rows(sc) * sizeof(T));
      Finish(rq);
      T* dst = p + lo(rc);
      for (size_t i = 0, e = rows(rc); i < e; ++i) dst[i] += tmp[i];
      Finish(sq);
    }
    // All-gather of the reduced chunks.
    for (int t = 0; t < K - 1; ++t, ++step) {
      const int sc = Mod(r + 1 - t, K), rc = Mod(r - t, K);
      std::unique_ptr<Request> rq, sq;
      const uint64_t tag = MakeTag(seq, kTagShare, step >> 16, step & 0xffff);
      if (rows(rc) > 0) rq = Recv(left, tag, p + lo(rc), rows(rc) * sizeof(T));
      if (rows(sc) > 0) sq = Send(right, tag, p + lo(sc), rows(sc) * sizeof(T));
      Finish(rq);
      Finish(sq);
    }
  }
}

template void Transport::AllReduceSum<float>(float*, size_t);
template void Transport::AllReduceSum<double>(double*, size_t);

void Transport::Gatherv(int root, const void* in,
                        const std::vector<int64_t>& in_bytes, void* out) {
  const int K = size(), r = rank();
  const uint64_t seq = NextSequence();
  if (root == r) {
    char* o = static_cast<char*>(out);
    std::vector<std::unique_ptr<Request>> reqs(static_cast<size_t>(K));
    size_t off = 0;
    for (int q = 0; q < K; ++q) {
      const size_t b = static_cast<size_t>(in_bytes[q]);
      if (b > 0) {
        if (q == r) {
          std::memcpy(o + off, in, b);
        } else {
          reqs[q] = Recv(q, MakeTag(seq, kTagGatherv, 0, q), o + off, b);
        }
      }
      off += b;
    }
    for (auto& q : reqs) Finish(q);
  } else if (in_bytes[r] > 0) {
    auto s = Send(root, MakeTag(seq, kTagGatherv, 0, r), in,
                  static_cast<size_t>(in_bytes[r]));
    Finish(s);
  }
}

// ---------------------------------------------------------------------------
// The ring driver.

namespace {

constexpr uint64_t kMsgMagic = 0x53474c5052494e47ull;  // "SGLPRING"

// A bad argument that every shard found alike after the exchange of shard
// information, before any ring transfer: nothing is in flight, and the
// transport stays usable.
class AgreedError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The first bytes of every ring message.
struct MsgHeader {
  uint64_t magic;
  int64_t origin;  // the shard whose texts these are
  int64_t rows;    // texts in the message
  int64_t step;    // the step it is for
};
static_assert(sizeof(MsgHeader) == 32, "header keeps payloads 8-aligned");

// What every shard tells the others before the ring starts.
struct ShardInfo {
  uint64_t magic;
  int64_t dtype, d, positives, n, m;
  double t_prime, bias, norm;
  int64_t row_offset, col_offset;
  int64_t bidirectional;
  int64_t ok;          // 1 if the shard's own arguments are fine
  char problem[168];   // otherwise, what is wrong
};
static_assert(sizeof(ShardInfo) % 8 == 0, "ShardInfo is all-gathered raw");

// A message buffer, 8-byte aligned.
class Msg {
 public:
  void Reserve(size_t bytes) { mem_.resize((bytes + 7) / 8); }
  char* data() { return reinterpret_cast<char*>(mem_.data()); }
  MsgHeader* header() { return reinterpret_cast<MsgHeader*>(mem_.data()); }
  char* payload() { return data() + sizeof(MsgHeader); }
  void swap(Msg& o) { mem_.swap(o.mem_); }

 private:
  std::vector<uint64_t> mem_;
};

// One direction of the ring.
struct Stream {
  int index = 0;   // 0: the primary stream; 1: the second direction
  int dir = 1;     // +1: blocks come from the left (rank - 1)
  int h = 0;       // compute steps: blocks visited besides the own one
  int first_g = 1; // first step at which a gradient accumulator arrives
  int send_peer = 0, recv_peer = 0;
  Msg y[2];
  std::unique_ptr<Request> ysend[2], yrecv[2];
  Msg g[2];
  std::unique_ptr<Request> gsend[2];
  Msg gin;
  std::unique_ptr<Request> grecv;
};

template <typename T>
void AddInto(void* dst, const void* src, size_t count) {
  T* d = static_cast<T*>(dst);
  const T* s = static_cast<const T*>(src);
  for (size_t i = 0; i < count; ++i) d[i] += s[i];
}

void Add(siglip_dtype dtype, void* dst, const void* src, size_t count) {
  if (dtype == SIGLIP_F64) {
    AddInto<double>(dst, src, count);
  } else {
    AddInto<float>(dst, src, count);
  }
}

class Driver {
 public:
  Driver(siglip_pool* pool, Transport& tr, const ShardProblem& p,
         const siglip_ring_options& opt, siglip_ring_stats* stats)
      : pool_(pool), tr_(tr), p_(p), opt_(opt), stats_(stats) {}

  ShardResult Run();

 private:
  void ExchangeInfo();
  // Starts a send/recv and counts it.
  std::unique_ptr<Request> Send(int peer, uint64_t tag, const void* data,
                                size_t bytes) {
    st_.bytes_sent += static_cast<int64_t>(bytes);
    st_.messages_sent += 1;
    return tr_.Send(peer, tag, data, bytes);
  }
  std::unique_ptr<Request> Recv(int peer, uint64_t tag, void* data,
                                size_t bytes) {
    st_.bytes_received += static_cast<int64_t>(bytes);
    return tr_.Recv(peer, tag, data, bytes);
  }
  // Waits and counts the time blocked.
  void Wait(std::unique_ptr<Request>& r) {
    if (!r) return;
    const auto t0 = Clock::now();
    r->Wait();
    r.reset();
    st_.wait_seconds += Seconds(t0, Clock::now());
  }

  size_t YBytes(int origin) const {
    const int64_t rows = m_[origin];
    return sizeof(MsgHeader) +
           static_cast<size_t>(rows) * (labels_ ? sizeof(int64_t) : 0) +
           static_cast<size_t>(rows * d_) * es_;
  }
  size_t GBytes(int origin) const {
    return sizeof(MsgHeader) + static_cast<size_t>(m_[origin] * d_) * es_;
  }
  const void* YEmb(Msg& msg, int origin) {
    return msg.payload() +
           (labels_ ? static_cast<size_t>(m_[origin]) * sizeof(int64_t) : 0);
  }
  void Check(Msg& msg, int origin, int64_t step, const char* what, int from);

  // Adds block (own images, texts of `origin`) to dimg and to dtxt_block.
  void Block(const void* txt, const int64_t* txt_labels, int origin,
             void* dtxt_block);

  siglip_pool* pool_;
  Transport& tr_;
  const ShardProblem& p_;
  const siglip_ring_options& opt_;
  siglip_ring_stats* stats_;
  siglip_ring_stats st_{};

  int K_ = 1, k_ = 0;
  siglip_dtype dtype_ = SIGLIP_F32;
  size_t es_ = 4;
  int64_t d_ = 0;
  bool labels_ = false;
  double norm_ = 1;
  std::vector<int64_t> n_, m_, ioff_, toff_;  // per shard
  double loss_ = 0, dt_ = 0, db_ = 0;         // this shard's blocks
  // The streams and their buffers live as long as the driver (see
  // RingSigmoidLoss: transfers may be in flight when Run throws).
  std::vector<std::unique_ptr<Stream>> streams;
};

void Driver::ExchangeInfo() {
  const siglip_loss_input& in = p_.in;
  ShardInfo me;
  std::memset(&me, 0, sizeof me);
  me.magic = kMsgMagic;
  me.dtype = p_.dtype;
  me.d = in.d;
  me.positives = in.positives;
  me.n = in.n;
  me.m = in.m;
  me.t_prime = in.t_prime;
  me.bias = in.bias;
  me.norm = in.norm;
  me.row_offset = in.row_offset;
  me.col_offset = in.col_offset;
  me.bidirectional = opt_.bidirectional ? 1 : 0;
  // The shard's own arguments; a problem is reported by every shard alike.
  std::string problem;
  if (p_.dtype != SIGLIP_F32 && p_.dtype != SIGLIP_F64) {
    problem = "unknown dtype " + std::to_string(p_.dtype);
  } else if (in.n < 0 || in.m < 0) {
    problem = "negative size n = " + std::to_string(in.n) +
              ", m = " + std::to_string(in.m);
  } else if (in.d < 1) {
    problem = "embedding width d = " + std::to_string(in.d) + " < 1";
  } else if (in.n > std::numeric_limits<int>::max() ||
             in.m > std::numeric_limits<int>::max() ||
             in.d > std::numeric_limits<int>::max()) {
    problem = "a dimension exceeds 2^31 - 1";
  } else if ((in.n > 0 && in.img == nullptr) || (in.m > 0 && in.txt == nullptr)) {
    problem = "an embeddings pointer is NULL";
  } else if ((in.n > 0 && p_.dimg == nullptr) || (in.m > 0 && p_.dtxt == nullptr)) {
    problem = "the ring computes gradients: give both gradient buffers";
  } else if (in.positives != SIGLIP_POS_DIAGONAL &&
             in.positives != SIGLIP_POS_LABELS &&
             in.positives != SIGLIP_POS_NONE) {
    problem = "unknown positives mode " + std::to_string(in.positives);
  } else if (in.positives == SIGLIP_POS_LABELS &&
             ((in.n > 0 && in.img_labels == nullptr) ||
              (in.m > 0 && in.txt_labels == nullptr))) {
    problem = "positives by labels, but a labels pointer is NULL";
  } else if (!std::isfinite(in.t_prime) || !std::isfinite(in.bias)) {
    problem = "t' and b must be finite";
  } else if (!(in.norm >= 0) || !std::isfinite(in.norm)) {
    problem = "norm must be finite and >= 0 (0: the global number of images)";
  }
  me.ok = problem.empty() ? 1 : 0;
  std::strncpy(me.problem, problem.c_str(), sizeof me.problem - 1);

  std::vector<ShardInfo> all(static_cast<size_t>(K_));
  tr_.AllGather(&me, all.data(), sizeof me);

  auto fail = [](const std::string& msg) {
    throw AgreedError("ring sigmoid loss: " + msg);
  };
  for (int q = 0; q < K_; ++q) {
    const ShardInfo& o = all[q];
    if (o.magic != kMsgMagic) {
      throw std::runtime_error("ring protocol error: shard " +
                               std::to_string(q) + " sent a bad header");
    }
    if (!o.ok) fail("shard " + std::to_string(q) + ": " + o.problem);
  }
  const ShardInfo& a = all[0];
  for (int q = 1; q < K_; ++q) {
    const ShardInfo& o = all[q];
    auto differ = [&](const char* what, const std::string& x,
                      const std::string& y) {
      fail("shards disagree on " + std::string(what) + ": shard 0 has " + x +
           ", shard " + std::to_string(q) + " has " + y);
    };
    if (o.dtype != a.dtype)
      differ("the dtype", std::to_string(a.dtype), std::to_string(o.dtype));
    if (o.d != a.d) differ("the width d", std::to_string(a.d), std::to_string(o.d));
    if (o.positives != a.positives)
      differ("the positives mode", std::to_string(a.positives),
             std::to_string(o.positives));
    if (std::memcmp(&o.t_prime, &a.t_prime, sizeof(double)) != 0)
      differ("t'", std::to_string(a.t_prime), std::to_string(o.t_prime));
    if (std::memcmp(&o.bias, &a.bias, sizeof(double)) != 0)
      differ("the bias", std::to_string(a.bias), std::to_string(o.bias));
    if (std::memcmp(&o.norm, &a.norm, sizeof(double)) != 0)
      differ("norm", std::to_string(a.norm), std::to_string(o.norm));
    if (o.bidirectional != a.bidirectional)
      differ("the bidirectional option", std::to_string(a.bidirectional),
             std::to_string(o.bidirectional));
    if (o.row_offset != a.row_offset || o.col_offset != a.col_offset)
      differ("the offsets",
             std::to_string(a.row_offset) + "," + std::to_string(a.col_offset),
             std::to_string(o.row_offset) + "," + std::to_string(o.col_offset));
  }
  n_.resize(K_);
  m_.resize(K_);
  ioff_.assign(K_ + 1, 0);
  toff_.assign(K_ + 1, 0);
  for (int q = 0; q < K_; ++q) {
    n_[q] = all[q].n;
    m_[q] = all[q].m;
    ioff_[q + 1] = ioff_[q] + n_[q];
    toff_[q + 1] = toff_[q] + m_[q];
  }
  if (ioff_[K_] < 1) fail("no images in any shard");
  if (toff_[K_] < 1) fail("no texts in any shard");
  norm_ = a.norm > 0 ? a.norm : static_cast<double>(ioff_[K_]);
}

void Driver::Check(Msg& msg, int origin, int64_t step, const char* what,
                   int from) {
  const MsgHeader* h = msg.header();
  if (h->magic != kMsgMagic || h->origin != origin || h->rows != m_[origin] ||
      h->step != step) {
    throw std::runtime_error(
        "ring protocol error: shard " + std::to_string(k_) + " expected " +
        what + " of shard " + std::to_string(origin) + " (" +
        std::to_string(m_[origin]) + " rows, step " + std::to_string(step) +
        ") from shard " + std::to_string(from) + ", got origin " +
        std::to_string(h->origin) + ", " + std::to_string(h->rows) +
        " rows, step " + std::to_string(h->step));
  }
}

void Driver::Block(const void* txt, const int64_t* txt_labels, int origin,
                   void* dtxt_block) {
  const siglip_loss_input& own = p_.in;
  if (own.n == 0 || m_[origin] == 0) return;
  siglip_loss_input in;
  std::memset(&in, 0, sizeof in);
  in.n = own.n;
  in.m = m_[origin];
  in.d = d_;
  in.img = own.img;
  in.txt = txt;
  in.positives = own.positives;
  if (own.positives == SIGLIP_POS_LABELS) {
    in.img_labels = own.img_labels;
    in.txt_labels = txt_labels;
  }
  // Global indices: positives (diagonal) iff i + row_offset == j + col_offset.
  in.row_offset = ioff_[k_] + own.row_offset;
  in.col_offset = toff_[origin] + own.col_offset;
  in.t_prime = own.t_prime;
  in.bias = own.bias;
  in.norm = norm_;
  siglip_loss_output out;
  std::memset(&out, 0, sizeof out);
  out.dimg = p_.dimg;
  out.dtxt = dtxt_block;
  out.accumulate = 1;
  char err[512] = {0};
  const auto t0 = Clock::now();
  const int rc = siglip_sigmoid_loss(pool_, dtype_, &in, &out, err, sizeof err);
  st_.compute_seconds += Seconds(t0, Clock::now());
  switch (rc) {
    case SIGLIP_OK:
      break;
    case SIGLIP_EINVAL:
      throw std::invalid_argument(std::string("ring block: ") + err);
    case SIGLIP_ENOMEM:
      throw std::bad_alloc();
    default:
      throw std::runtime_error(std::string("ring block: ") + err);
  }
  loss_ += out.loss;
  dt_ += out.dt_prime;
  db_ += out.dbias;
}

ShardResult Driver::Run() {
  const auto t_start = Clock::now();
  K_ = tr_.size();
  k_ = tr_.rank();
  if (K_ < 1 || K_ > kMaxShards) {
    throw std::invalid_argument("ring: " + std::to_string(K_) +
                                " shards; want 1 to " + std::to_string(kMaxShards));
  }
  dtype_ = p_.dtype;
  ExchangeInfo();
  es_ = ElemSize(dtype_);
  d_ = p_.in.d;
  labels_ = p_.in.positives == SIGLIP_POS_LABELS;
  const int64_t n = p_.in.n, m = p_.in.m;
  const uint64_t seq = tr_.NextSequence();

  if (!p_.accumulate && n > 0) {
    std::memset(p_.dimg, 0, static_cast<size_t>(n * d_) * es_);
  }

  // The streams: the primary one visits h0 blocks, the second direction
  // (bidirectional option) h1, with h0 + h1 = K - 1.
  const int h0 = opt_.bidirectional ? K_ / 2 : K_ - 1;
  const int h1 = K_ - 1 - h0;
  for (int i = 0; i < 2; ++i) {
    const int h = i == 0 ? h0 : h1;
    if (h < 1) continue;
    auto s = std::make_unique<Stream>();
    s->index = i;
    s->dir = i == 0 ? 1 : -1;
    s->h = h;
    s->first_g = i == 0 ? 1 : 2;
    s->send_peer = Mod(k_ + s->dir, K_);
    s->recv_peer = Mod(k_ - s->dir, K_);
    int64_t max_m = 0;
    for (int q = 0; q < K_; ++q) max_m = std::max(max_m, m_[q]);
    const size_t ycap = sizeof(MsgHeader) +
                        static_cast<size_t>(max_m) * (labels_ ? sizeof(int64_t) : 0) +
                        static_cast<size_t>(max_m * d_) * es_;
    const size_t gcap = sizeof(MsgHeader) + static_cast<size_t>(max_m * d_) * es_;
    s->y[0].Reserve(ycap);
    s->y[1].Reserve(ycap);
    s->g[0].Reserve(gcap);
    s->g[1].Reserve(gcap);
    s->gin.Reserve(gcap);
    streams.push_back(std::move(s));
  }
  auto origin = [&](const Stream& s, int64_t step) {
    return Mod(k_ - s.dir * step, K_);
  };
  auto tag = [&](const Stream& s, TagKind kind, int64_t step) {
    return MakeTag(seq, kind, static_cast<uint64_t>(s.index),
                   static_cast<uint64_t>(step));
  };
  auto set_header = [&](Msg& msg, int org, int64_t step) {
    MsgHeader* h = msg.header();
    h->magic = kMsgMagic;
    h->origin = org;
    h->rows = m_[org];
    h->step = step;
  };
  const size_t own_txt_bytes = static_cast<size_t>(m * d_) * es_;

  // Step 0: the own block travels on as Y(1); the next block is on its way
  // while the own block is computed.
  for (auto& sp : streams) {
    Stream& s = *sp;
    Msg& y = s.y[0];
    set_header(y, k_, 1);
    char* dst = y.payload();
    if (labels_ && m > 0) {
      std::memcpy(dst, p_.in.txt_labels, static_cast<size_t>(m) * sizeof(int64_t));
      dst += static_cast<size_t>(m) * sizeof(int64_t);
    }
    if (m > 0) std::memcpy(dst, p_.in.txt, own_txt_bytes);
    s.yrecv[1] = Recv(s.recv_peer, tag(s, kTagY, 1), s.y[1].data(),
                      YBytes(origin(s, 1)));
    s.ysend[0] = Send(s.send_peer, tag(s, kTagY, 1), y.data(), YBytes(k_));
  }
  if (streams.empty()) {
    // One shard: the own block is the whole loss.
    if (!p_.accumulate && m > 0) std::memset(p_.dtxt, 0, own_txt_bytes);
    Block(p_.in.txt, p_.in.txt_labels, k_, p_.dtxt);
  } else {
    Stream& s = *streams[0];
    if (m > 0) std::memset(s.g[0].payload(), 0, own_txt_bytes);
    Block(p_.in.txt, p_.in.txt_labels, k_, s.g[0].payload());
    set_header(s.g[0], k_, 1);
    s.gsend[0] = Send(s.send_peer, tag(s, kTagG, 1), s.g[0].data(), GBytes(k_));
  }

  // Steps 1..K-1.
  for (int step = 1; step < K_; ++step) {
    const int cur = step % 2, nxt = (step + 1) % 2;
    // Post the receives of this step's incoming gradients, then make sure
    // this step's block is here and send it on.
    for (auto& sp : streams) {
      Stream& s = *sp;
      const int org = origin(s, step);
      if (step >= s.first_g) {
        s.grecv = Recv(s.recv_peer, tag(s, kTagG, step), s.gin.data(), GBytes(org));
      }
      if (step <= s.h) {
        Wait(s.yrecv[cur]);
        Check(s.y[cur], org, step, "the text block", s.recv_peer);
        if (step + 1 <= s.h) {
          Wait(s.ysend[nxt]);
          s.yrecv[nxt] = Recv(s.recv_peer, tag(s, kTagY, step + 1),
                              s.y[nxt].data(), YBytes(origin(s, step + 1)));
          s.y[cur].header()->step = step + 1;
          s.ysend[cur] = Send(s.send_peer, tag(s, kTagY, step + 1),
                              s.y[cur].data(), YBytes(org));
        }
      }
    }
    // Compute this step's blocks into fresh accumulators.
    for (auto& sp : streams) {
      Stream& s = *sp;
      if (step > s.h) continue;
      const int org = origin(s, step);
      Wait(s.gsend[cur]);
      if (m_[org] > 0) {
        std::memset(s.g[cur].payload(), 0, static_cast<size_t>(m_[org] * d_) * es_);
      }
      Msg& y = s.y[cur];
      const int64_t* lab =
          labels_ ? reinterpret_cast<const int64_t*>(y.payload()) : nullptr;
      Block(YEmb(y, org), lab, org, s.g[cur].payload());
    }
    // Add what the block's gradient gathered so far; send it on (at the
    // last step, this is its hop home).
    for (auto& sp : streams) {
      Stream& s = *sp;
      const int org = origin(s, step);
      if (step > s.h) {
        // Past this direction's compute steps: pass the accumulator on.
        Wait(s.grecv);
        Check(s.gin, org, step, "a gradient", s.recv_peer);
        Wait(s.gsend[cur]);
        s.g[cur].swap(s.gin);
      } else if (step >= s.first_g) {
        Wait(s.grecv);
        Check(s.gin, org, step, "a gradient", s.recv_peer);
        Add(dtype_, s.g[cur].payload(), s.gin.payload(),
            static_cast<size_t>(m_[org] * d_));
      }
      set_header(s.g[cur], org, step + 1);
      s.gsend[cur] = Send(s.send_peer, tag(s, kTagG, step + 1), s.g[cur].data(),
                          GBytes(org));
    }
  }

  // The last hop home: the complete gradients of this shard's texts.
  bool first = true;
  for (auto& sp : streams) {
    Stream& s = *sp;
    s.grecv = Recv(s.recv_peer, tag(s, kTagG, K_), s.gin.data(), GBytes(k_));
    Wait(s.grecv);
    Check(s.gin, k_, K_, "the gradient of its own texts", s.recv_peer);
    if (m > 0) {
      if (first && !p_.accumulate) {
        std::memcpy(p_.dtxt, s.gin.payload(), own_txt_bytes);
      } else {
        Add(dtype_, p_.dtxt, s.gin.payload(), static_cast<size_t>(m * d_));
      }
    }
    first = false;
  }
  for (auto& sp : streams) {
    for (int i = 0; i < 2; ++i) {
      Wait(sp->ysend[i]);
      Wait(sp->yrecv[i]);
      Wait(sp->gsend[i]);
    }
  }

  // The scalars: summed in rank order, the same bits everywhere.
  double mine[3] = {loss_, dt_, db_};
  std::vector<double> all(static_cast<size_t>(3 * K_));
  {
    const auto t0 = Clock::now();
    tr_.AllGather(mine, all.data(), sizeof mine);
    st_.wait_seconds += Seconds(t0, Clock::now());
  }
  ShardResult r;
  for (int q = 0; q < K_; ++q) {
    r.loss += all[3 * q];
    r.dt_prime += all[3 * q + 1];
    r.dbias += all[3 * q + 2];
  }
  st_.steps = 1 + std::max(h0, h1);
  st_.total_seconds = Seconds(t_start, Clock::now());
  if (stats_ != nullptr) *stats_ = st_;
  return r;
}

}  // namespace

ShardResult RingSigmoidLoss(siglip_pool* pool, Transport& tr,
                            const ShardProblem& p,
                            const siglip_ring_options& options,
                            siglip_ring_stats* stats) {
  if (pool == nullptr) throw std::invalid_argument("pool is NULL");
  // The driver (and its message buffers) outlives the handler below, which
  // stops the transport's transfers into those buffers.
  Driver drv(pool, tr, p, options, stats);
  try {
    return drv.Run();
  } catch (const PeerError&) {
    throw;  // the transport has already given up
  } catch (const AgreedError&) {
    throw;  // every shard stopped at the same point; nothing in flight
  } catch (const std::exception& e) {
    tr.Abandon(e.what());
    throw;
  } catch (...) {
    tr.Abandon("unknown exception");
    throw;
  }
}

// ---------------------------------------------------------------------------
// In-process transport.

void LocalHub::Abort(int rank, const std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (aborted_) return;
  aborted_ = true;
  abort_rank_ = rank;
  abort_why_ = why;
  cv_.notify_all();
}

void LocalHub::ThrowAborted() {
  throw PeerError(abort_rank_,
                  "shard " + std::to_string(abort_rank_) + " failed: " + abort_why_);
}

void LocalHub::Put(const Key& key, const void* data, size_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  if (aborted_) ThrowAborted();
  if (boxes_.count(key)) {
    throw std::logic_error("ring transport: message sent twice under one tag");
  }
  boxes_.emplace(key, Box{static_cast<const char*>(data), bytes, false});
  cv_.notify_all();
}

void LocalHub::WaitTaken(const Key& key) {
  std::unique_lock<std::mutex> lock(mu_);
  auto it = boxes_.find(key);
  if (it == boxes_.end()) return;
  cv_.wait(lock, [&] { return aborted_ || it->second.taken; });
  const bool taken = it->second.taken;
  boxes_.erase(it);
  if (!taken) ThrowAborted();
}

void LocalHub::Withdraw(const Key& key) {
  std::lock_guard<std::mutex> lock(mu_);
  boxes_.erase(key);
}

void LocalHub::Take(const Key& key, void* data, size_t bytes) {
  std::unique_lock<std::mutex> lock(mu_);
  decltype(boxes_)::iterator it;
  cv_.wait(lock, [&] {
    it = boxes_.find(key);
    return aborted_ || (it != boxes_.end() && !it->second.taken);
  });
  if (aborted_) ThrowAborted();
  if (it->second.bytes != bytes) {
    throw std::logic_error("ring transport: message of " +
                           std::to_string(it->second.bytes) +
                           " bytes, expected " + std::to_string(bytes));
  }
  // Under the lock: a sender that is aborted cannot free its buffer while
  // it is read.
  if (bytes > 0) std::memcpy(data, it->second.data, bytes);
  it->second.taken = true;
  cv_.notify_all();
}

namespace {

class LocalSend : public Request {
 public:
  LocalSend(LocalHub* hub, LocalHub::Key key) : hub_(hub), key_(key) {}
  ~LocalSend() override {
    if (!waited_) hub_->Withdraw(key_);
  }
  void Wait() override {
    waited_ = true;
    hub_->WaitTaken(key_);
  }

 private:
  LocalHub* hub_;
  LocalHub::Key key_;
  bool waited_ = false;
};

class LocalRecv : public Request {
 public:
  LocalRecv(LocalHub* hub, LocalHub::Key key, void* data, size_t bytes)
      : hub_(hub), key_(key), data_(data), bytes_(bytes) {}
  void Wait() override { hub_->Take(key_, data_, bytes_); }

 private:
  LocalHub* hub_;
  LocalHub::Key key_;
  void* data_;
  size_t bytes_;
};

}  // namespace

std::unique_ptr<Request> LocalTransport::Send(int peer, uint64_t tag,
                                              const void* data, size_t bytes) {
  const LocalHub::Key key(rank_, peer, tag);
  hub_->Put(key, data, bytes);
  return std::make_unique<LocalSend>(hub_, key);
}

std::unique_ptr<Request> LocalTransport::Recv(int peer, uint64_t tag,
                                              void* data, size_t bytes) {
  return std::make_unique<LocalRecv>(hub_, LocalHub::Key(peer, rank_, tag), data,
                                     bytes);
}

ShardResult LocalRingSigmoidLoss(siglip_pool* pool, siglip_dtype dtype,
                                 int shards, const siglip_loss_input& in,
                                 void* dimg, void* dtxt, bool accumulate,
                                 const siglip_ring_options& options,
                                 siglip_ring_stats* stats) {
  if (pool == nullptr) throw std::invalid_argument("pool is NULL");
  if (shards < 1 || shards > kMaxShards) {
    throw std::invalid_argument("shards = " + std::to_string(shards) +
                                ": want 1 to " + std::to_string(kMaxShards));
  }
  const size_t es = ElemSize(dtype);
  if (in.n < 1 || in.m < 1 || in.d < 1) {
    throw std::invalid_argument(
        "ring sigmoid loss: sizes must be >= 1, got n = " + std::to_string(in.n) +
        ", m = " + std::to_string(in.m) + ", d = " + std::to_string(in.d));
  }
  if (in.img == nullptr || in.txt == nullptr) {
    throw std::invalid_argument("ring sigmoid loss: an embeddings pointer is NULL");
  }
  if (dimg == nullptr || dtxt == nullptr) {
    throw std::invalid_argument(
        "ring sigmoid loss: the ring computes gradients: give both gradient buffers");
  }
  if (!(in.norm > 0) || !std::isfinite(in.norm)) {
    throw std::invalid_argument("ring sigmoid loss: norm must be finite and > 0");
  }
  if (in.positives == SIGLIP_POS_LABELS &&
      (in.img_labels == nullptr || in.txt_labels == nullptr)) {
    throw std::invalid_argument(
        "ring sigmoid loss: positives by labels, but a labels pointer is NULL");
  }
  const int K = shards;
  LocalHub hub(K);
  std::vector<ShardResult> results(static_cast<size_t>(K));
  std::vector<siglip_ring_stats> st(static_cast<size_t>(K));
  std::vector<std::exception_ptr> errors(static_cast<size_t>(K));
  std::vector<bool> peer_error(static_cast<size_t>(K), false);

  auto work = [&](int k) {
    try {
      LocalTransport tr(&hub, k);
      const auto ir = ShardRows(in.n, K, k);
      const auto tr_rows = ShardRows(in.m, K, k);
      ShardProblem p;
      p.dtype = dtype;
      p.in = in;
      p.in.n = ir.second - ir.first;
      p.in.m = tr_rows.second - tr_rows.first;
      p.in.img = static_cast<const char*>(in.img) +
                 static_cast<size_t>(ir.first * in.d) * es;
      p.in.txt = static_cast<const char*>(in.txt) +
                 static_cast<size_t>(tr_rows.first * in.d) * es;
      if (in.positives == SIGLIP_POS_LABELS) {
        p.in.img_labels = in.img_labels + ir.first;
        p.in.txt_labels = in.txt_labels + tr_rows.first;
      }
      p.dimg = static_cast<char*>(dimg) + static_cast<size_t>(ir.first * in.d) * es;
      p.dtxt = static_cast<char*>(dtxt) + static_cast<size_t>(tr_rows.first * in.d) * es;
      p.accumulate = accumulate;
      results[k] = RingSigmoidLoss(pool, tr, p, options, &st[k]);
    } catch (const PeerError&) {
      errors[k] = std::current_exception();
      peer_error[k] = true;
    } catch (const std::exception& e) {
      errors[k] = std::current_exception();
      hub.Abort(k, e.what());
    } catch (...) {
      errors[k] = std::current_exception();
      hub.Abort(k, "unknown exception");
    }
  };

  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(K - 1));
  for (int k = 1; k < K; ++k) threads.emplace_back(work, k);
  work(0);
  for (auto& t : threads) t.join();

  // The root cause: a shard's own error before any "another shard failed".
  for (int k = 0; k < K; ++k) {
    if (errors[k] && !peer_error[k]) std::rethrow_exception(errors[k]);
  }
  for (int k = 0; k < K; ++k) {
    if (errors[k]) std::rethrow_exception(errors[k]);
  }
  if (stats != nullptr) *stats = st[0];
  return results[0];
}

}  // namespace ring
}  // namespace siglip

extern "C" {

int siglip_ring_sigmoid_loss_local(siglip_pool* pool, siglip_dtype dtype,
                                   int shards, const siglip_loss_input* in,
                                   const siglip_ring_options* options,
                                   siglip_loss_output* out,
                                   siglip_ring_stats* stats, char* err,
                                   size_t err_len) {
  return siglip::Guard(err, err_len, [&] {
    if (in == nullptr || out == nullptr) {
      throw std::invalid_argument("input or output struct is NULL");
    }
    siglip_ring_options opt{};
    if (options != nullptr) opt = *options;
    const auto r = siglip::ring::LocalRingSigmoidLoss(
        pool, dtype, shards, *in, out->dimg, out->dtxt, out->accumulate != 0,
        opt, stats);
    out->loss = r.loss;
    out->dt_prime = r.dt_prime;
    out->dbias = r.dbias;
  });
}

}  // extern "C"
