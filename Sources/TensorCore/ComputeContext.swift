import COpenBLAS

/// How many threads the engine may use (its own parallel loops and OpenBLAS's GEMM together), and
/// where the tensors it makes get their memory.
///
/// There is no hidden global: every entry point that computes takes a context. The engine splits
/// GEMMs over its own workers and runs OpenBLAS on one thread (`activate`): OpenBLAS's idle threads
/// spin and would take the second core from the engine's next parallel loop.
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

    /// Puts OpenBLAS on one thread (the engine's `gemm(…, ctx:)` splits products over `threads`
    /// workers itself). Call once before computing with this context.
    public func activate() {
        openblas_set_num_threads(1)
    }

    /// The thread count OpenBLAS currently uses.
    public static var blasThreads: Int { Int(openblas_get_num_threads()) }

    /// The OpenBLAS kernel family in use (e.g. "Cooperlake", "Haswell").
    public static var blasCoreName: String { String(cString: openblas_get_corename()) }
}
