import CBLAS

/// Thin wrappers over OpenBLAS for the few dense products SpikeLoop needs (row-major, Float).
public enum BLAS {
    /// C[m×n] = alpha·A[m×k]·B[k×n] + beta·C, row-major with leading dimensions given.
    @inlinable
    public static func gemm(
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        _ = singleThreaded
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y[m] = alpha·A[m×n]·x + beta·y (or Aᵀ·x when transposed), row-major.
    @inlinable
    public static func gemv(
        m: Int, n: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, transpose: Bool = false,
        x: UnsafePointer<Float>, beta: Float, y: UnsafeMutablePointer<Float>
    ) {
        _ = singleThreaded
        cblas_sgemv(
            CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda),
            x, 1, beta, y, 1)
    }

    /// Sets OpenBLAS's own thread count; SpikeLoop parallelizes over the batch itself and uses 1.
    public static func setThreads(_ n: Int) {
        _ = singleThreaded
        openblas_set_num_threads(Int32(n))
    }

    /// OpenBLAS starts with one thread per core, and its threaded GEMM called from two threads at once can
    /// deadlock (seen: two parallel tests spinning in `exec_blas_async` and waiting on its lock). SpikeLoop's callers
    /// parallelize themselves, so the first product sets OpenBLAS to one thread; ``setThreads(_:)`` still overrides.
    @usableFromInline static let singleThreaded: Void = openblas_set_num_threads(1)
}
