// loss_common.cc: tiling, scheduling, checks and label handling shared by
// the sigmoid and softmax kernels (see loss_kernels.h).
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "loss_kernels.h"

namespace siglip {

namespace {

int64_t RoundUp(int64_t x, int64_t k) { return (x + k - 1) / k * k; }

// A block size for a dimension of `size`: about size / 8 (so that small
// problems still give 8 blocks for the threads), a multiple of 16, at least
// 32 (smaller GEMMs are all overhead) and at most max_tile.
int64_t BlockSize(int64_t size, int64_t max_tile) {
  int64_t b = RoundUp((size + 7) / 8, 16);
  if (b < 32) b = 32;
  if (b > max_tile) b = max_tile;
  if (b > size) b = size;
  return b;
}

}  // namespace

Tiling MakeTiling(int64_t n, int64_t m, int64_t max_tile) {
  Tiling t;
  t.n = n;
  t.m = m;
  t.br = BlockSize(n, max_tile);
  t.bc = BlockSize(m, max_tile);
  t.qr = (n + t.br - 1) / t.br;
  t.qc = (m + t.bc - 1) / t.bc;
  t.ld = RoundUp(t.bc, 16);
  return t;
}

std::vector<std::vector<std::pair<int64_t, int64_t>>> DiagonalRounds(
    int64_t qr, int64_t qc) {
  const int64_t q = std::max(qr, qc);
  std::vector<std::vector<std::pair<int64_t, int64_t>>> rounds;
  rounds.reserve(q);
  for (int64_t r = 0; r < q; ++r) {
    std::vector<std::pair<int64_t, int64_t>> round;
    for (int64_t i = 0; i < qr; ++i) {
      const int64_t j = (i + r) % q;
      if (j < qc) round.emplace_back(i, j);
    }
    if (!round.empty()) rounds.push_back(std::move(round));
  }
  return rounds;
}

template <typename T>
void CheckLossArgs(const char* what, const LossArgs<T>& a,
                   const LossGrads<T>& g) {
  auto fail = [&](const std::string& msg) {
    throw std::invalid_argument(std::string(what) + ": " + msg);
  };
  if (a.n < 1) fail("no images (n = " + std::to_string(a.n) + ")");
  if (a.m < 1) fail("no texts (m = " + std::to_string(a.m) + ")");
  if (a.d < 1) fail("embedding width d = " + std::to_string(a.d) + " < 1");
  // The GEMMs take int sizes and strides.
  const int64_t kMaxDim = std::numeric_limits<int>::max();
  if (a.n > kMaxDim || a.m > kMaxDim || a.d > kMaxDim) {
    fail("a dimension exceeds 2^31 - 1");
  }
  if (a.img == nullptr) fail("image embeddings pointer is NULL");
  if (a.txt == nullptr) fail("text embeddings pointer is NULL");
  if ((g.dimg == nullptr) != (g.dtxt == nullptr)) {
    fail("give both gradient buffers, or neither for the forward pass only");
  }
  if (!std::isfinite(a.t_prime)) fail("t' is not finite");
  const double t = std::exp(a.t_prime);
  if (!(t <= static_cast<double>(std::numeric_limits<T>::max()))) {
    fail("t = exp(t') overflows: t' = " + std::to_string(a.t_prime));
  }
  if (!std::isfinite(a.bias)) fail("bias is not finite");
  if (!(a.norm > 0) || !std::isfinite(a.norm)) {
    fail("norm must be finite and > 0, got " + std::to_string(a.norm));
  }
  switch (a.positives) {
    case SIGLIP_POS_DIAGONAL:
    case SIGLIP_POS_NONE:
      break;
    case SIGLIP_POS_LABELS:
      if (a.img_labels == nullptr || a.txt_labels == nullptr) {
        fail("positives by labels, but a labels pointer is NULL");
      }
      break;
    default:
      fail("unknown positives mode " + std::to_string(a.positives));
  }
}

template <typename L>
void RemapLabels(const int64_t* img_labels, int64_t n,
                 const int64_t* txt_labels, int64_t m, std::vector<L>* row,
                 std::vector<L>* col) {
  std::unordered_map<int64_t, L> ids;
  ids.reserve(static_cast<size_t>(m));
  col->resize(static_cast<size_t>(m));
  for (int64_t j = 0; j < m; ++j) {
    auto it = ids.emplace(txt_labels[j], static_cast<L>(ids.size())).first;
    (*col)[j] = it->second;
  }
  row->resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    auto it = ids.find(img_labels[i]);
    (*row)[i] = it == ids.end() ? L(-1) : it->second;
  }
}

template <typename T>
void ZeroGradients(ThreadPool& pool, T* dimg, int64_t n, T* dtxt, int64_t m,
                   int64_t d) {
  // Chunks of rows, enough of them to spread over the pool.
  const int64_t kChunk = 256;
  const int64_t img_chunks = (n + kChunk - 1) / kChunk;
  const int64_t txt_chunks = (m + kChunk - 1) / kChunk;
  pool.ParallelFor(img_chunks + txt_chunks, [&](int64_t task, int) {
    T* base = task < img_chunks ? dimg : dtxt;
    const int64_t rows = task < img_chunks ? n : m;
    const int64_t c = task < img_chunks ? task : task - img_chunks;
    const int64_t r0 = c * kChunk;
    const int64_t r1 = std::min(rows, r0 + kChunk);
    std::memset(base + r0 * d, 0, sizeof(T) * static_cast<size_t>((r1 - r0) * d));
  });
}

template void CheckLossArgs<float>(const char*, const LossArgs<float>&,
                                   const LossGrads<float>&);
template void CheckLossArgs<double>(const char*, const LossArgs<double>&,
                                    const LossGrads<double>&);
template void RemapLabels<int32_t>(const int64_t*, int64_t, const int64_t*,
                                   int64_t, std::vector<int32_t>*,
                                   std::vector<int32_t>*);
template void RemapLabels<int64_t>(const int64_t*, int64_t, const int64_t*,
                                   int64_t, std::vector<int64_t>*,
                                   std::vector<int64_t>*);
template void ZeroGradients<float>(ThreadPool&, float*, int64_t, float*,
                                   int64_t, int64_t);
template void ZeroGradients<double>(ThreadPool&, double*, int64_t, double*,
                                    int64_t, int64_t);

}  // namespace siglip
