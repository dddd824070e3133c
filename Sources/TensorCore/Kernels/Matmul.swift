// a (M,K) [or (K,M) when transA], b (K,N) [or (N,K) when transB], out (M,N); batched: a (Bt,...), b (Bt,...)
import CAttentionKernels
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
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: transA ? m : k, b: b,
             ldb: transB ? k : n, beta: beta, out: out, ldc: n)
    }

    /// `gemm` on blocks of larger matrices: `a`, `b` and `out` with row strides `lda`, `ldb`, `ldc`.
    @inlinable
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, out: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m { for j in 0..<n { out[i * ldc + j] = beta == 0 ? 0 : beta * out[i * ldc + j] } }
            return
        }
        // One row or one column: a matrix-vector product. OpenBLAS's sgemm packs the whole matrix operand
        // for every call (a 512×512 weight is 1 MiB copied to be used once), which dominated decode steps
        // at batch 1; sgemv streams it.
        if m == 1 {
            // out (N) = alpha · op(b) · a, a = K contiguous floats either way.
            if beta == 0 { out.update(repeating: 0, count: n) }
            if transB {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(k), alpha, b, Int32(ldb), a, 1, beta, out, 1)
            } else {
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), alpha, b, Int32(ldb), a, 1, beta, out, 1)
            }
            return
        }
        if n == 1 {
            // out (M, stride ldc) = alpha · op(a) · b, b = K floats with stride ldb (transB) or 1.
            for i in 0..<m where beta == 0 { out[i * ldc] = 0 }
            let incb = Int32(transB ? 1 : ldb)
            if transA {
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(m), alpha, a, Int32(lda), b, incb, beta, out, Int32(ldc))
            } else {
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(k), alpha, a, Int32(lda), b, incb, beta, out, Int32(ldc))
            }
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda), b, Int32(ldb),
                    beta, out, Int32(ldc))
    }

    /// Multiply-adds below which a product stays on the calling thread (~20 µs: about what handing
    /// work to a sleeping worker costs).
    public static let parallelWork = 1 << 20

    /// `gemm` on `ctx.threads` threads: a product of at least `parallelWork` multiply-adds is cut along
    /// its longer output side (rows or columns) into one block per worker, each calling BLAS on one
    /// thread. A weight gradient summed over many positions (inner dimension longer than both output
    /// sides) is cut the same way: each block packs the shared operand again, which costs one pass over
    /// it against `n/blocks` passes of arithmetic.
    ///
    /// OpenBLAS's own threads are never used (`ComputeContext.activate` sets it to one thread): after a
    /// threaded call they spin for ~0.1 s (2^28 cycles), and on a 2-core machine they took the second
    /// core from the engine's next parallel loop (a 40-row MLA step at cache 4096 with 2 threads took
    /// 12.9 ms right after the prompt, 7.0 ms with OPENBLAS_THREAD_TIMEOUT=4; training spent 17% of
    /// its samples in their `sched_yield`).
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        beta: Float = 0, out: UnsafeMutablePointer<Float>, ctx: ComputeContext
    ) {
        let lda = transA ? m : k, ldb = transB ? k : n
        let byRows = m >= n
        let side = byRows ? m : n
        let blocks = m * n * k < parallelWork ? 1 : Swift.max(1, Swift.min(ctx.threads, side / 64))
        let ptrs = UncheckedSendable((a, b, out))
        let run = { (block: Int) in
            // Block bounds on multiples of 16 (whole SIMD/kernel panels), the last block to the end.
            let lo = (side * block / blocks) & ~15, hi = block == blocks - 1 ? side : (side * (block + 1) / blocks) & ~15
            let (a, b, out) = ptrs.value
            if byRows {
                product(transA: transA, transB: transB, m: hi - lo, n: n, k: k, alpha: alpha,
                        a: a + (transA ? lo : lo * k), lda: lda, b: b, ldb: ldb, beta: beta, out: out + lo * n, ldc: n)
            } else {
                product(transA: transA, transB: transB, m: m, n: hi - lo, k: k, alpha: alpha, a: a, lda: lda,
                        b: b + (transB ? lo * k : lo), ldb: ldb, beta: beta, out: out + lo, ldc: n)
            }
        }
        if blocks == 1 {
            withSingleThreadedBLAS { run(0) }
        } else {
            ctx.parallelFor(blocks, callsBLAS: true) { range in for block in range { run(block) } }
        }
    }

    /// Output rows up to which x·wᵀ products skip BLAS (`product`).
    public static let fewRows = 64

    /// `gemm` on blocks, except that x·wᵀ with at most `fewRows` rows (a linear layer in a decode step;
    /// alpha 1, beta 0) runs the decode kernel's dot products (`mtla_gemm_nt`: each weight row read once
    /// per 8 rows, no packing; 2.1× OpenBLAS's Haswell sgemm at 40×512×512, which packs the whole weight
    /// on every call).
    static func product(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, beta: Float, out: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if !transA && transB && m <= fewRows && alpha == 1 && beta == 0 && n > 0 && k > 0 {
            mtla_gemm_nt(-1, Int32(m), Int32(n), Int32(k), a, lda, b, ldb, out, ldc)
            return
        }
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
             beta: beta, out: out, ldc: ldc)
    }

    /// Runs `body` with OpenBLAS on one thread (restored afterwards).
    static func withSingleThreadedBLAS(_ body: () -> Void) {
        let previous = openblas_get_num_threads()
        if previous != 1 { openblas_set_num_threads(1) }
        body()
        if previous != 1 { openblas_set_num_threads(previous) }
    }

    /// `batch` independent GEMMs over consecutive (M,K)/(K,N)/(M,N) blocks. A `b` with `bBatchStride`
    /// 0 is shared by every batch entry. Small products run in parallel over the batch with BLAS on one
    /// thread; large ones (or fewer than `ctx.threads`) run one after another, each split over the
    /// workers (`gemm(…, ctx:)`).
    public static func batchedGemm(
        transA: Bool, transB: Bool, batch: Int, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>, bBatchStride: Int? = nil,
        beta: Float = 0, out: UnsafeMutablePointer<Float>, ctx: ComputeContext
    ) {
        let bStride = bBatchStride ?? k * n
        let run = { (i: Int) in
            product(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a + i * m * k,
                    lda: transA ? m : k, b: b + i * bStride, ldb: transB ? k : n, beta: beta, out: out + i * m * n, ldc: n)
        }
        // Below ~256³ flops per product, splitting the batch beats splitting each GEMM.
        if ctx.threads > 1 && batch >= ctx.threads && m * n * k < 1 << 24 && batch * m * n * k >= parallelWork {
            ctx.parallelFor(batch, callsBLAS: true) { range in for i in range { run(i) } }
        } else {
            for i in 0..<batch {
                gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a + i * m * k,
                     b: b + i * bStride, beta: beta, out: out + i * m * n, ctx: ctx)
            }
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
                                   a: a.baseAddress!, b: b.baseAddress!, out: o.baseAddress!, ctx: ctx)
            } } }
            return out
        }
        precondition(shape[rank - 1] == k, "matmul: inner dimensions differ: \(shape) · \(other.shape)\(transposeB ? "ᵀ" : "")")
        let m = count / k
        var out = output(Array(shape.dropLast()) + [n], ctx)
        withUnsafeBufferPointer { a in other.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { o in
            MatmulKernels.gemm(transA: false, transB: transposeB, m: m, n: n, k: k,
                               a: a.baseAddress!, b: b.baseAddress!, out: o.baseAddress!, ctx: ctx)
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
