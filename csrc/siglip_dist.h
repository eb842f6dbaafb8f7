/* siglip_dist.h: the C ABI of the sharded (ring) sigmoid loss and of the
 * communicator between processes (Gloo).
 *
 * Same conventions as siglip.h, which this header extends: opaque handles,
 * plain structs, pointers with explicit sizes, an int status (SIGLIP_OK on
 * success) plus a NUL-terminated message in a caller-owned buffer; no C++
 * exception (Gloo's included), abort() or signal crosses it; the core keeps
 * no pointer to caller memory after a call returns.
 *
 * The ring (Zhai et al. 2023, section 3.3): K shards each hold a slice of the
 * images and of the texts (with their labels). Step 0: each shard computes
 * its own block (which holds the positives). Steps 1..K-1: every shard
 * receives its neighbour's text block and adds that block's loss terms and
 * gradients; the gradient of a text block travels with it and takes a last
 * hop home. The loss, dL/dt' and dL/db are all-reduced at the end. Every
 * block is normalised by the GLOBAL number of images, so the result equals
 * the unsharded loss up to rounding. Memory per shard is O(b d); traffic
 * goes only between ring neighbours; the next block's transfer overlaps the
 * current block's compute (double buffering).
 *
 * Callers must ignore SIGPIPE (Go: signal.Ignore(syscall.SIGPIPE)) before
 * creating a communicator: a peer that dies while a socket write is in
 * flight must not kill this process.
 */
#ifndef SIGLIP_DIST_H_
#define SIGLIP_DIST_H_

#include "siglip.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A peer rank failed: it died, closed its connections, stopped answering
 * within the timeout, never joined the rendezvous, or reported a failure of
 * its own. The message names the rank held responsible and
 * siglip_comm_failed_rank() returns it. The communicator is unusable
 * afterwards (every later call fails with SIGLIP_EPEER at once). */
#define SIGLIP_EPEER 4

/* Options of a ring loss call. Zero-initialise, then set what you need. */
typedef struct {
  /* 0: text blocks travel one way round the ring (K-1 compute steps).
   * 1: both ways at once: about half the compute steps (ceil((K-1)/2)), two
   *    blocks per step, twice the links busy; each direction's gradients
   *    still travel on to their home shard after the last compute step. */
  int bidirectional;
} siglip_ring_options;

/* What one shard measured during a ring call (all fields are this shard's). */
typedef struct {
  double total_seconds;   /* the whole call, from entry to return */
  double compute_seconds; /* inside the loss kernel */
  double wait_seconds;    /* blocked waiting for a transfer to complete */
  int64_t bytes_sent;     /* payload bytes handed to the transport */
  int64_t bytes_received;
  int64_t messages_sent;
  int64_t steps;          /* compute steps, step 0 included */
} siglip_ring_stats;

/* ---------------------------------------------------------------------------
 * In-process ring: K shards in one process, each a worker thread that runs
 * the same per-shard ring driver as a rank of a multi-process ring, over an
 * in-memory transport. The shards share `pool` (their kernel calls take
 * turns on it). For tests, and for the loss of one machine with per-shard
 * working memory O(b d).
 *
 * `in` describes the whole batch exactly as for siglip_sigmoid_loss (n
 * images, m texts, positives by diagonal + offsets or by labels, t', b, and
 * norm: pass n for the paper's loss). Shard k holds image rows
 * [k*bn, min(n, (k+1)*bn)) with bn = ceil(n/K), and text rows likewise with
 * bm = ceil(m/K): the last shard may be smaller (or empty when K does not
 * divide well; empty shards are allowed). `out` as for siglip_sigmoid_loss
 * (dimg and dtxt both given; with accumulate the gradients are added). 
 * 1 <= shards <= 4096. stats (may be NULL) receives shard 0's figures. */
int siglip_ring_sigmoid_loss_local(siglip_pool* pool, siglip_dtype dtype,
                                   int shards, const siglip_loss_input* in,
                                   const siglip_ring_options* options,
                                   siglip_loss_output* out,
                                   siglip_ring_stats* stats, char* err,
                                   size_t err_len);

/* ---------------------------------------------------------------------------
 * Communicator: one rank of a group of processes, connected by Gloo over TCP
 * (a full mesh). One call at a time per communicator (calls are serialised).
 */
typedef struct siglip_comm siglip_comm;

typedef struct {
  int rank; /* 0 <= rank < size */
  int size; /* 1 <= size <= 4096 */
  /* Where the ranks meet: a directory (Gloo's FileStore; it must exist and
   * be shared by all ranks, e.g. a fresh temporary directory on one host or
   * a shared filesystem), or "redis://HOST[:PORT]" (Gloo's RedisStore,
   * default port 6379) for ranks on several hosts. */
  const char* rendezvous;
  /* A name for this job, the same on every rank; it prefixes every key in
   * the store, so a store can serve several jobs. Keys cannot be reused: a
   * second job with the same run id on the same Redis fails with a message
   * that says so. NULL or "" means "siglip". */
  const char* run_id;
  /* The address this rank listens on and announces to its peers. NULL or ""
   * means 127.0.0.1 (all ranks on one host). */
  const char* address;
  /* The bound of every wait: rendezvous, connection, each transfer. > 0. */
  int64_t timeout_ms;
} siglip_comm_options;

/* Joins the group: waits (within the timeout) until every rank has joined
 * the rendezvous, then connects to all of them. A rank that does not join
 * in time gives SIGLIP_EPEER naming it. */
int siglip_comm_create(const siglip_comm_options* options, siglip_comm** out,
                       char* err, size_t err_len);
/* Closes the connections and frees the communicator; NULL is allowed. */
void siglip_comm_destroy(siglip_comm* comm);
int siglip_comm_rank(const siglip_comm* comm);
int siglip_comm_size(const siglip_comm* comm);
/* After a call failed with SIGLIP_EPEER: the rank held responsible (the one
 * that died, stopped, or never joined; when another rank reported the
 * failure first, the rank it named). -1 if there was no such failure. */
int siglip_comm_failed_rank(const siglip_comm* comm);

/* Sums `count` elements of dtype over all ranks, in place: every rank ends
 * with the same values (bit for bit). A ring all-reduce over neighbours
 * (reduce-scatter then all-gather), in pieces, with bounded extra memory. */
int siglip_comm_allreduce_sum(siglip_comm* comm, siglip_dtype dtype, void* buf,
                              int64_t count, char* err, size_t err_len);

/* Every rank gives `bytes` bytes; `out` (size * bytes) receives them in rank
 * order on every rank. */
int siglip_comm_allgather(siglip_comm* comm, const void* in, void* out,
                          int64_t bytes, char* err, size_t err_len);

/* Rank r gives in_bytes[r] bytes (each rank passes the whole in_bytes array,
 * the same on all ranks); `root` receives all of them, concatenated in rank
 * order, into `out` (sum of in_bytes). Other ranks pass out = NULL. */
int siglip_comm_gatherv(siglip_comm* comm, int root, const void* in,
                        const int64_t* in_bytes, void* out, char* err,
                        size_t err_len);

/* Returns when every rank has called it. */
int siglip_comm_barrier(siglip_comm* comm, char* err, size_t err_len);

/* This rank's part of the ring loss: `shard` holds this rank's rows (shard->n
 * images and shard->m texts, possibly 0 of either; labels with them for
 * SIGLIP_POS_LABELS). Shards are ordered by rank: rank r's images are the
 * global images after those of ranks < r (likewise texts), which is what
 * SIGLIP_POS_DIAGONAL pairs (the offsets of `shard` are added to the global
 * indices). shard->norm: the divisor of the loss and gradients; 0 means the
 * GLOBAL number of images (the paper's loss). Every rank must pass the same
 * dtype, d, positives mode, t', b and norm (checked).
 * `out` receives this rank's rows of dL/dimg (n x d) and dL/dtxt (m x d) and
 * the global loss, dL/dt', dL/db (the same on every rank). */
int siglip_ring_sigmoid_loss(siglip_pool* pool, siglip_comm* comm,
                             siglip_dtype dtype, const siglip_loss_input* shard,
                             const siglip_ring_options* options,
                             siglip_loss_output* out, siglip_ring_stats* stats,
                             char* err, size_t err_len);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIGLIP_DIST_H_ */
