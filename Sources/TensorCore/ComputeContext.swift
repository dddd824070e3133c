import COpenBLAS

/// How many threads the engine may use: its own parallel loops and OpenBLAS's GEMM together.
///
/// There is no hidden global: every entry point that computes takes a context. Setting it also sets
/// OpenBLAS's thread count (OpenBLAS's setting is process-wide, so contexts with different counts
/// should not run concurrently; inside the engine's own parallel regions BLAS runs on 1 thread).
public struct ComputeContext: Sendable, Equatable {
    public let threads: Int

    /// - Precondition: `threads >= 1`.
    public init(threads: Int) {
        precondition(threads >= 1, "thread count must be at least 1, got \(threads)")
        self.threads = threads
    }

    /// Makes OpenBLAS use `threads` threads. Call once before computing with this context.
    public func activate() {
        openblas_set_num_threads(Int32(threads))
    }

    /// The thread count OpenBLAS currently uses.
    public static var blasThreads: Int { Int(openblas_get_num_threads()) }

    /// The OpenBLAS kernel family in use (e.g. "Cooperlake", "Haswell").
    public static var blasCoreName: String { String(cString: openblas_get_corename()) }
}
