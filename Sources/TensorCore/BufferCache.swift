import Synchronization

/// Keeps freed tensor buffers of 64 KiB or more for reuse by the next tensor of the same size class
/// (four classes per power of two, so a buffer is at most 25% larger than asked for).
///
/// Why: a fresh multi-megabyte buffer from malloc is often fresh pages from the kernel, and touching
/// them costs more than the kernel that fills them (measured: adding a row vector to 4096×1024 takes
/// 0.6 ms into a reused buffer, 8 ms into a fresh one). A training step allocates the same sizes every
/// step, so after the first step every buffer is a reused one and the resident size stays flat. Beam
/// search changes its sizes a little from step to step (finished sentences leave the batch, batches
/// differ in length); size classes let those steps reuse the buffers of earlier ones as a workspace.
///
/// It changes no result (buffers are always written before they are read), only where memory comes
/// from; it holds at most `limitBytes` of free buffers. There is no process-wide instance: a
/// `ComputeContext` owns one (`ComputeContext.buffers`), tensors made through that context take their
/// buffers from it, and each `TensorStorage` keeps a reference to the cache it came from and gives its
/// buffer back there, so the cache lives as long as its context or any of its tensors. Callers may
/// lower its limit (0 turns caching off) or `trim()` it (e.g. after training).
public final class BufferCache: Sendable {
    /// The default limit of a context's cache: 1 GiB of free buffers.
    public static let defaultLimitBytes = 1 << 30

    /// Buffers below this size go straight back to malloc, which handles them well.
    public static let minimumBytes = 1 << 16

    private struct State {
        var free: [Int: [Int]] = [:]   // size class (bytes) → addresses (bit patterns) of free buffers
        var cachedBytes = 0
        var limitBytes: Int
        var statistics = Statistics()
    }

    /// Requests of buffers of at least `minimumBytes` since the cache was made: served by a fresh
    /// allocation, or by a free buffer of the same size (a reused workspace).
    public struct Statistics: Sendable, Equatable {
        public var fresh = 0
        public var reused = 0
        public init(fresh: Int = 0, reused: Int = 0) { (self.fresh, self.reused) = (fresh, reused) }
    }
    private let state: Mutex<State>

    public init(limitBytes: Int = BufferCache.defaultLimitBytes) {
        state = Mutex(State(limitBytes: limitBytes))
    }

    deinit { trim() }

    /// Counts of large-buffer requests so far (see `Statistics`).
    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Bytes held in free buffers now.
    public var cachedBytes: Int { state.withLock { $0.cachedBytes } }

    /// Sets the most free bytes kept (frees buffers beyond it).
    public func setLimit(bytes: Int) {
        let excess: [Int] = state.withLock { s in
            s.limitBytes = max(0, bytes)
            var freed: [Int] = []
            while s.cachedBytes > s.limitBytes, let size = s.free.keys.max(), let addr = s.free[size]?.popLast() {
                if s.free[size]!.isEmpty { s.free[size] = nil }
                s.cachedBytes -= size
                freed.append(addr)
            }
            return freed
        }
        excess.forEach { UnsafeMutableRawPointer(bitPattern: $0)!.deallocate() }
    }

    /// Frees every cached buffer.
    public func trim() {
        let all: [Int] = state.withLock { s in
            defer { s.free = [:]; s.cachedBytes = 0 }
            return s.free.values.flatMap { $0 }
        }
        all.forEach { UnsafeMutableRawPointer(bitPattern: $0)!.deallocate() }
    }

    /// The size class of a `bytes`-byte request of at least `minimumBytes`: `bytes` rounded up to a
    /// multiple of a quarter of its power of two (e.g. 64 KiB, 80 KiB, 96 KiB, 112 KiB, 128 KiB, 160 KiB …).
    public static func sizeClass(_ bytes: Int) -> Int {
        let quarter = 1 << max(0, (Int.bitWidth - 1 - bytes.leadingZeroBitCount) - 2)
        return (bytes + quarter - 1) / quarter * quarter
    }

    /// A 64-byte-aligned buffer of at least `bytes` bytes (a cached one of its size class when available).
    public func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        guard bytes >= Self.minimumBytes else { return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64) }
        let size = Self.sizeClass(bytes)
        let reused: Int? = state.withLock { s in
            guard let addr = s.free[size]?.popLast() else { s.statistics.fresh += 1; return nil }
            if s.free[size]!.isEmpty { s.free[size] = nil }
            s.cachedBytes -= size
            s.statistics.reused += 1
            return addr
        }
        return reused.map { UnsafeMutableRawPointer(bitPattern: $0)! } ?? UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
    }

    /// Returns a buffer from `allocate` with the `bytes` it was asked for (kept if it fits under the
    /// limit, freed otherwise).
    public func release(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
        if bytes >= Self.minimumBytes {
            let size = Self.sizeClass(bytes)
            let kept = state.withLock { s in
                guard s.cachedBytes + size <= s.limitBytes else { return false }
                s.free[size, default: []].append(Int(bitPattern: pointer))
                s.cachedBytes += size
                return true
            }
            if kept { return }
        }
        pointer.deallocate()
    }
}
