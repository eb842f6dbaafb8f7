// blas.h: the GEMMs of the core, typed for float and double, on OpenBLAS.
//
// The core calls BLAS from inside its own thread pool, one GEMM per task, so
// OpenBLAS must run single-threaded: SetBlasThreads(1) is called when a pool
// is created (two thread pools fighting over two cores cost far more than
// they give).
#ifndef SIGLIP_CSRC_BLAS_H_
#define SIGLIP_CSRC_BLAS_H_

#include <cblas.h>

#include <cstdint>

extern "C" void openblas_set_num_threads(int num_threads);

namespace siglip {

// C = alpha * op(A) op(B) + beta * C, row-major; op(X) is X or X^T.
// M x N result, K inner dimension; lda/ldb/ldc are row strides in elements.
inline void Gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                 float alpha, const float* A, int64_t lda, const float* B,
                 int64_t ldb, float beta, float* C, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(M),
              static_cast<int>(N), static_cast<int>(K), alpha, A,
              static_cast<int>(lda), B, static_cast<int>(ldb), beta, C,
              static_cast<int>(ldc));
}

inline void Gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K,
                 double alpha, const double* A, int64_t lda, const double* B,
                 int64_t ldb, double beta, double* C, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
              trans_b ? CblasTrans : CblasNoTrans, static_cast<int>(M),
              static_cast<int>(N), static_cast<int>(K), alpha, A,
              static_cast<int>(lda), B, static_cast<int>(ldb), beta, C,
              static_cast<int>(ldc));
}

// Sets OpenBLAS's own thread count (process-wide).
inline void SetBlasThreads(int threads) { openblas_set_num_threads(threads); }

}  // namespace siglip

#endif  // SIGLIP_CSRC_BLAS_H_
