import COpenBLAS

/// How many threads the engine may use (its own parallel loops and OpenBLAS's GEMM together), and
/// where the tensors it makes get their memory.
///
/// There is no hidden global: every entry point that computes takes a context. Setting it also sets
/// OpenBLAS's thread count (OpenBLAS's setting is process-wide, so contexts with different counts
/// should not run concurrently; inside the engine's own parallel regions BLAS runs on 1 thread).
///
/// Memory: a kernel's output comes from the `buffers` of the context it is given, or, when that
/// context has none (`.serial`), from the cache of the tensor it is called on, or from malloc. Copies
/// of a context share its cache; two contexts made separately have separate caches.
public struct ComputeContext: Sendable, Equatable {
    public let threads: Int
    /// The buffer cache tensors made through this context reuse (nil: plain malloc).
    public let buffers: BufferCache?

    /// - Parameters:
    ///   - buffers: the cache this context owns; by default a new one (1 GiB limit).
    /// - Precondition: `threads >= 1`.
    public init(threads: Int, buffers: BufferCache? = BufferCache()) {
        precondition(threads >= 1, "thread count must be at least 1, got \(threads)")
        self.threads = threads
        self.buffers = buffers
    }

    /// Same thread count and the same cache (by identity).
    public static func == (a: ComputeContext, b: ComputeContext) -> Bool {
        a.threads == b.threads && a.buffers === b.buffers
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
