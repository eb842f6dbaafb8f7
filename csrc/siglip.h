/* siglip.h: the C ABI of the siglip kernel core.
 *
 * This header is the only door between Go (or any other caller) and the C++
 * core. It is deliberately narrow, in the style of sqlite3.h:
 *   - opaque handles (siglip_pool), plain structs, pointers with explicit sizes;
 *   - every fallible call returns an int status (SIGLIP_OK on success) and, on
 *     failure, writes a NUL-terminated message into a caller-owned buffer;
 *   - no C++ exception, abort() or signal crosses it;
 *   - the core keeps no pointer to caller memory after a call returns.
 *
 * Matrices are dense and row-major with no padding: element (i, k) of an
 * n x d matrix is at index i * d + k. The element type of a call is chosen by
 * a siglip_dtype: float32 for production, float64 for the tests that hold the
 * kernels against finite differences.
 */
#ifndef SIGLIP_H_
#define SIGLIP_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. */
#define SIGLIP_OK 0
#define SIGLIP_EINVAL 1    /* bad argument: sizes, NULL pointers, dtype, labels */
#define SIGLIP_ENOMEM 2    /* an allocation failed */
#define SIGLIP_EINTERNAL 3 /* an unexpected C++ exception, reported as text */

/* Element types. */
typedef enum { SIGLIP_F32 = 1, SIGLIP_F64 = 2 } siglip_dtype;

/* Which (image i, text j) pairs are positives.
 *   SIGLIP_POS_DIAGONAL: (i, j) is positive iff i + row_offset == j + col_offset.
 *                        With both offsets 0 and n == m this is the paper's default.
 *   SIGLIP_POS_LABELS:   (i, j) is positive iff img_labels[i] == txt_labels[j].
 *   SIGLIP_POS_NONE:     every pair is a negative (an off-diagonal ring block).
 */
typedef enum {
  SIGLIP_POS_DIAGONAL = 0,
  SIGLIP_POS_LABELS = 1,
  SIGLIP_POS_NONE = 2
} siglip_positives;

/* A pool of worker threads. All kernels run on the pool they are given; BLAS
 * runs single-threaded inside it, so two pools never fight over the cores.
 * A pool may be shared by several callers: calls on one pool are serialised. */
typedef struct siglip_pool siglip_pool;

/* Creates a pool of `threads` threads (the caller's thread counts as one).
 * threads <= 0 means all online cores. */
int siglip_pool_create(int threads, siglip_pool** out, char* err, size_t err_len);
/* Destroys a pool; NULL is allowed. */
void siglip_pool_destroy(siglip_pool* pool);
/* The number of threads of a pool. */
int siglip_pool_threads(const siglip_pool* pool);

/* Input of a loss call. The embeddings are used as given: normalising them is
 * the towers' job.
 *
 * Scaling: the loss and all gradients are divided by `norm` (> 0). The
 * unsharded sigmoid loss passes norm = n, the number of images; a shard of a
 * ring passes the GLOBAL number of images. */
typedef struct {
  int64_t n;         /* images (rows of img), >= 1 */
  int64_t m;         /* texts (rows of txt), >= 1 */
  int64_t d;         /* embedding width, >= 1 */
  const void* img;   /* n x d, dtype of the call */
  const void* txt;   /* m x d, dtype of the call */
  siglip_positives positives;
  const int64_t* img_labels; /* n labels, for SIGLIP_POS_LABELS, else NULL */
  const int64_t* txt_labels; /* m labels, for SIGLIP_POS_LABELS, else NULL */
  int64_t row_offset;        /* for SIGLIP_POS_DIAGONAL */
  int64_t col_offset;        /* for SIGLIP_POS_DIAGONAL */
  double t_prime;            /* log temperature t'; t = exp(t') */
  double bias;               /* b; ignored by the softmax loss */
  double norm;               /* divisor of the loss and gradients */
} siglip_loss_input;

/* Output of a loss call.
 * dimg (n x d) and dtxt (m x d) receive dL/dimg and dL/dtxt; both NULL asks
 * for the forward pass only (the loss value, one GEMM's worth of work).
 * With accumulate != 0 the gradients are ADDED to what the buffers hold (a
 * ring adds block after block); otherwise they are overwritten. The scalars
 * are always overwritten with this call's contribution. In the forward pass
 * only, the sigmoid loss still gives dt_prime and dbias (they come free with
 * the loss terms); the softmax loss sets them to 0 (they need its second
 * pass). */
typedef struct {
  void* dimg;
  void* dtxt;
  int accumulate;
  double loss;
  double dt_prime; /* dL/dt' */
  double dbias;    /* dL/db (0 for the softmax loss) */
} siglip_loss_output;

/* The sigmoid loss of Zhai et al. 2023:
 *   l_ij = exp(t') <img_i, txt_j> + b,  z_ij = +1 for positives, -1 otherwise,
 *   L = (1/norm) sum_ij softplus(-z_ij l_ij),
 * forward and backward in one pass over tiles of the logit matrix, which is
 * never stored: extra memory is O(threads x tile). */
int siglip_sigmoid_loss(siglip_pool* pool, siglip_dtype dtype,
                        const siglip_loss_input* in, siglip_loss_output* out,
                        char* err, size_t err_len);

/* The CLIP softmax loss (the paper's baseline; no bias):
 *   L = 1/2 [ (1/n) sum_i (LSE_j l_ij - mean_{j in P(i)} l_ij)
 *           + (1/m) sum_j (LSE_i l_ij - mean_{i in P(j)} l_ij) ],
 * where P(i) is the set of positives of row i (the diagonal, or equal labels).
 * Every image and every text must have at least one positive. Two passes over
 * tiles (online log-sum-exp, then gradients); the n x m matrix is never
 * stored. `norm` and the offsets are ignored: only the unsharded loss exists;
 * positives must be SIGLIP_POS_DIAGONAL (n == m, offsets 0) or LABELS. */
int siglip_softmax_loss(siglip_pool* pool, siglip_dtype dtype,
                        const siglip_loss_input* in, siglip_loss_output* out,
                        char* err, size_t err_len);

/* The dot products of every row of a (n x d) with every row of b (m x d):
 * out (n x m, row-major) = a b^T, the score matrix of evaluation (zero-shot
 * classification, retrieval). Unlike the losses this stores n x m values: it
 * is for evaluation sets, not training batches. Split into row blocks over
 * the pool, BLAS single-threaded in each. */
int siglip_similarities(siglip_pool* pool, siglip_dtype dtype, int64_t n,
                        int64_t m, int64_t d, const void* a, const void* b,
                        void* out, char* err, size_t err_len);

/* Times C = A B^T with A (m x k), B (n x k), in dtype, on OpenBLAS with its own
 * `threads` threads: the roofline that the losses are measured against. Runs
 * `iters` timed calls after one warm-up and writes the median seconds.
 * Inputs are filled by the call; nothing is needed from the caller. */
int siglip_gemm_benchmark(siglip_dtype dtype, int threads, int64_t m, int64_t n,
                          int64_t k, int iters, double* median_seconds,
                          char* err, size_t err_len);

/* A short description of the build: SIMD target chosen at run time by
 * Highway, BLAS library and its core type. Static storage; never NULL. */
const char* siglip_build_info(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIGLIP_H_ */
