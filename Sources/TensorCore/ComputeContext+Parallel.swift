import COpenBLAS
import Dispatch

/// A value that crosses into `concurrentPerform`'s `@Sendable` closure. The engine's parallel loops
/// give each worker a disjoint output range, which is what makes this sound.
@usableFromInline
struct UncheckedSendable<Value>: @unchecked Sendable {
    @usableFromInline let value: Value
    @usableFromInline init(_ value: Value) { self.value = value }
}

extension ComputeContext {
    /// One thread and no buffer cache: the default of the convenience wrappers (their outputs take
    /// the cache of the tensor they are called on).
    public static let serial = ComputeContext(threads: 1, buffers: nil)

    /// Runs `body` on disjoint chunks covering `0..<count`, on at most `threads` workers.
    ///
    /// Chunk boundaries depend only on `count`, `threads` and `grain`, and each index is handled by
    /// exactly one call, so a kernel that writes only its own indices gives the same result for a given
    /// thread count on every run. Work below `grain` indices per worker runs inline.
    ///
    /// - Parameters:
    ///   - grain: the fewest indices worth sending to a worker.
    ///   - callsBLAS: set when `body` calls OpenBLAS: BLAS runs on 1 thread inside the region (no
    ///     oversubscription) and goes back to its previous count afterwards.
    public func parallelFor(_ count: Int, grain: Int = 1, callsBLAS: Bool = false, _ body: (Range<Int>) -> Void) {
        let workers = Swift.min(threads, count / Swift.max(grain, 1))
        if workers <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        let previous = callsBLAS ? openblas_get_num_threads() : 1
        if previous != 1 { openblas_set_num_threads(1) }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let lo = count * w / workers, hi = count * (w + 1) / workers
                if lo < hi { box.value(lo..<hi) }
            }
        }
        if previous != 1 { openblas_set_num_threads(previous) }
    }
}
