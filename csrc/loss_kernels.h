// loss_kernels.h: the fused sigmoid and softmax loss kernels, templated on
// the element type (float for production, double for the tests that hold
// them against finite differences). The C ABI in siglip.h wraps these.
//
// How the work is laid out (both losses):
//
//   The n x m logit matrix is cut into tiles of br x bc (rows = images,
//   columns = texts). A tile is one task: its dot products go into a
//   per-worker scratch tile (one GEMM), the epilogue turns them into the
//   loss terms and, for the backward, into the logit gradients G in place,
//   and two more GEMMs add G Y into the tile's rows of dL/dimg and G^T X into
//   its columns of dL/dtxt. Extra memory: one tile per worker, whatever n, m.
//
//   Tiles of one image row-block all write the same rows of dL/dimg, and
//   tiles of one text column-block the same rows of dL/dtxt. So tiles run in
//   rounds of "diagonals": in round r, row-block i pairs with column-block
//   (i + r) mod Q. Within a round no two tiles share a row-block or a
//   column-block, so no locks and no per-thread copies of the gradients are
//   needed. Every row-block meets the column-blocks in the same order
//   whatever the number of threads, and per-tile sums are reduced in a fixed
//   order, so results are bit-identical for any thread count.
#ifndef SIGLIP_CSRC_LOSS_KERNELS_H_
#define SIGLIP_CSRC_LOSS_KERNELS_H_

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "siglip.h"
#include "threadpool.h"

namespace siglip {

// The problem of one loss call; see siglip_loss_input for the meaning.
template <typename T>
struct LossArgs {
  int64_t n = 0, m = 0, d = 0;
  const T* img = nullptr;
  const T* txt = nullptr;
  siglip_positives positives = SIGLIP_POS_DIAGONAL;
  const int64_t* img_labels = nullptr;
  const int64_t* txt_labels = nullptr;
  int64_t row_offset = 0, col_offset = 0;
  double t_prime = 0, bias = 0, norm = 1;
};

// Where gradients go; both null: forward only.
template <typename T>
struct LossGrads {
  T* dimg = nullptr;
  T* dtxt = nullptr;
  bool accumulate = false;
};

struct LossScalars {
  double loss = 0, dt_prime = 0, dbias = 0;
};

// Both throw std::invalid_argument with a message naming the problem for bad
// arguments, and std::bad_alloc when scratch memory cannot be had.
template <typename T>
LossScalars SigmoidLoss(ThreadPool& pool, const LossArgs<T>& args,
                        const LossGrads<T>& grads);
template <typename T>
LossScalars SoftmaxLoss(ThreadPool& pool, const LossArgs<T>& args,
                        const LossGrads<T>& grads);

// ---------------------------------------------------------------------------
// Shared machinery of the two kernels.

// Labels remapped to dense ids of the element's width (see epilogue.h).
template <typename T>
struct LabelOf;
template <>
struct LabelOf<float> {
  using type = int32_t;
};
template <>
struct LabelOf<double> {
  using type = int64_t;
};

// The largest tile side. A float tile of 256 x 256 is 256 KiB: it stays in
// L2 between the epilogue and the two gradient GEMMs that read it, and is
// large enough that OpenBLAS's packing of the operands costs a few percent.
template <typename T>
constexpr int64_t kMaxTile = 256;
template <>
constexpr int64_t kMaxTile<double> = 192;

// The tile grid of an n x m logit matrix.
struct Tiling {
  int64_t n, m;    // matrix size
  int64_t br, bc;  // tile rows and columns
  int64_t qr, qc;  // number of row- and column-blocks
  int64_t ld;      // row stride of a scratch tile (bc rounded up to 16)

  int64_t RowBegin(int64_t i) const { return i * br; }
  int64_t Rows(int64_t i) const { return std::min(br, n - i * br); }
  int64_t ColBegin(int64_t j) const { return j * bc; }
  int64_t Cols(int64_t j) const { return std::min(bc, m - j * bc); }
};

// Chooses tiles of at most max_tile, small enough that a grid of about 8 x 8
// blocks keeps up to 8 threads busy on small problems. Depends on n, m and
// max_tile only, never on the thread count (see the determinism note above).
Tiling MakeTiling(int64_t n, int64_t m, int64_t max_tile);

// The rounds of diagonals over a qr x qc grid: every (i, j) exactly once, and
// no row-block or column-block twice within a round.
std::vector<std::vector<std::pair<int64_t, int64_t>>> DiagonalRounds(
    int64_t qr, int64_t qc);

// Checks what both kernels need (sizes, pointers, finite parameters, label
// pointers for SIGLIP_POS_LABELS); throws std::invalid_argument.
template <typename T>
void CheckLossArgs(const char* what, const LossArgs<T>& args,
                   const LossGrads<T>& grads);

// Remaps int64 labels to dense ids: texts get ids 0, 1, ... by first
// appearance; an image whose label no text has gets -1 (never positive).
template <typename L>
void RemapLabels(const int64_t* img_labels, int64_t n,
                 const int64_t* txt_labels, int64_t m, std::vector<L>* row,
                 std::vector<L>* col);

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

// Scratch tiles for every worker, 64-byte aligned.
template <typename T>
std::unique_ptr<T[], FreeDeleter> AllocTiles(int workers, int64_t tile_elems) {
  size_t bytes = sizeof(T) * static_cast<size_t>(tile_elems) *
                 static_cast<size_t>(workers);
  bytes = (bytes + 63) / 64 * 64;
  T* p = static_cast<T*>(std::aligned_alloc(64, bytes));
  if (p == nullptr) throw std::bad_alloc();
  return std::unique_ptr<T[], FreeDeleter>(p);
}

// Sets n x d and m x d gradient buffers to zero, in parallel.
template <typename T>
void ZeroGradients(ThreadPool& pool, T* dimg, int64_t n, T* dtxt, int64_t m,
                   int64_t d);

}  // namespace siglip

#endif  // SIGLIP_CSRC_LOSS_KERNELS_H_
