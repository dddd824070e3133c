// a (M,K) [or (K,M) when transA], b (K,N) [or (N,K) when transB], out (M,N); batched: a (Bt,...), b (Bt,...)
import COpenBLAS

/// GEMM kernels on caller-provided buffers. Transposes are BLAS flags: nothing is copied.
public enum MatmulKernels {
    /// out = alpha · op(a) · op(b) + beta · out, row-major.
    /// - Parameters: `a` holds (M,K) or, when `transA`, (K,M); `b` holds (K,N) or, when `transB`, (N,K).
    @inlinable
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        beta: Float = 0, out: UnsafeMutablePointer<Float>
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<(m * n) { out[i] = beta == 0 ? 0 : beta * out[i] }
            return
        }
        // One row or one column: a matrix-vector product. OpenBLAS's sgemm packs the whole matrix operand
        // for every call (a 512×512 weight is 1 MiB copied to be used once), which dominated decode steps
        // at batch 1; sgemv streams it.
        if m == 1 || n == 1 {
            if beta == 0 { out.update(repeating: 0, count: m * n) }
            if m == 1 {
                // out (N) = alpha · op(b) · a, a = K contiguous floats either way.
                if transB {
                    cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(k), alpha, b, Int32(k), a, 1, beta, out, 1)
                } else {
                    cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), alpha, b, Int32(n), a, 1, beta, out, 1)
                }
            } else {
                // out (M) = alpha · op(a) · b, b = K contiguous floats either way.
                if transA {
                    cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(m), alpha, a, Int32(m), b, 1, beta, out, 1)
                } else {
                    cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(k), alpha, a, Int32(k), b, 1, beta, out, 1)
                }
            }
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(transA ? m : k), b, Int32(transB ? k : n),
                    beta, out, Int32(n))
    }

    /// `batch` independent GEMMs over consecutive (M,K)/(K,N)/(M,N) blocks. A `b` with `bBatchStride`
    /// 0 is shared by every batch entry. Small products run in parallel over the batch with BLAS on one
    /// thread; large ones run one after another with BLAS on `ctx.threads`.
    public static func batchedGemm(
        transA: Bool, transB: Bool, batch: Int, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>, bBatchStride: Int? = nil,
        beta: Float = 0, out: UnsafeMutablePointer<Float>, ctx: ComputeContext
    ) {
        let bStride = bBatchStride ?? k * n
        let run = { (i: Int) in
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                 a: a + i * m * k, b: b + i * bStride, beta: beta, out: out + i * m * n)
        }
        // Below ~256³ flops per product, splitting the batch beats splitting each GEMM.
        if ctx.threads > 1 && batch >= ctx.threads && m * n * k < 1 << 24 {
            ctx.parallelFor(batch, callsBLAS: true) { range in for i in range { run(i) } }
        } else {
            for i in 0..<batch { run(i) }
        }
    }
}

extension Tensor {
    /// Matrix product over the last two axes of `self`, with `other` a matrix.
    ///
    /// `self` (..., M, K) [(..., K, M) when `transposeA`], `other` (K, N) [(N, K) when `transposeB`]
    /// → (..., M, N). With `transposeA` false the leading axes fold into M (one GEMM).
    public func matmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false, in ctx: ComputeContext = .serial) -> Tensor {
        precondition(rank >= 2 && other.rank == 2, "matmul: needs rank ≥ 2 by a matrix, got \(shape) and \(other.shape)")
        let k = other.shape[transposeB ? 1 : 0], n = other.shape[transposeB ? 0 : 1]
        if transposeA {
            precondition(rank == 2, "matmul: transposeA needs a matrix, got \(shape)")
            precondition(shape[0] == k, "matmul: inner dimensions differ: \(shape)ᵀ · \(other.shape)\(transposeB ? "ᵀ" : "")")
            let m = shape[1]
            var out = output([m, n], ctx)
            withUnsafeBufferPointer { a in other.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { o in
                MatmulKernels.gemm(transA: true, transB: transposeB, m: m, n: n, k: k,
                                   a: a.baseAddress!, b: b.baseAddress!, out: o.baseAddress!)
            } } }
            return out
        }
        precondition(shape[rank - 1] == k, "matmul: inner dimensions differ: \(shape) · \(other.shape)\(transposeB ? "ᵀ" : "")")
        let m = count / k
        var out = output(Array(shape.dropLast()) + [n], ctx)
        withUnsafeBufferPointer { a in other.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { o in
            MatmulKernels.gemm(transA: false, transB: transposeB, m: m, n: n, k: k,
                               a: a.baseAddress!, b: b.baseAddress!, out: o.baseAddress!)
        } } }
        return out
    }

    /// Batched matrix product: `self` (..., M, K) [(..., K, M) when `transposeA`] by `other`
    /// (..., K, N) [(..., N, K) when `transposeB`] with equal leading (batch) axes → (..., M, N).
    public func batchedMatmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false,
                              in ctx: ComputeContext = .serial) -> Tensor {
        precondition(rank >= 3 && rank == other.rank && shape.dropLast(2) == other.shape.dropLast(2),
                     "batchedMatmul: batch axes differ: \(shape) and \(other.shape)")
        let m = shape[rank - (transposeA ? 1 : 2)], k = shape[rank - (transposeA ? 2 : 1)]
        let kb = other.shape[rank - (transposeB ? 1 : 2)], n = other.shape[rank - (transposeB ? 2 : 1)]
        precondition(k == kb, "batchedMatmul: inner dimensions differ: \(shape) and \(other.shape)")
        let batch = Shape.count(Array(shape.dropLast(2)))
        var out = output(Array(shape.dropLast(2)) + [m, n], ctx)
        withUnsafeBufferPointer { a in other.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { o in
            MatmulKernels.batchedGemm(transA: transposeA, transB: transposeB, batch: batch, m: m, n: n, k: k,
                                      a: a.baseAddress!, b: b.baseAddress!, out: o.baseAddress!, ctx: ctx)
        } } }
        return out
    }
}
