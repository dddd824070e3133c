import TensorCore

/// A (B, capacity, width) Float buffer holding `counts[b]` rows for batch entry b, grown by doubling,
/// so appending a decoding step copies only the new rows (amortised O(width) per token). Rows past a
/// batch entry's count are zero and never read: attention over the buffer passes `counts` as the key
/// lengths (the fused kernel stops there). Entries may hold different counts (ragged batches).
struct CacheBuffer {
    private(set) var storage: Tensor
    private(set) var counts: [Int]
    let width: Int

    init(batch: Int, width: Int, capacity: Int = 16) {
        self.width = width
        counts = Array(repeating: 0, count: batch)
        storage = Tensor(zeros: [batch, capacity, width])
    }

    var batch: Int { storage.shape[0] }
    var capacity: Int { storage.shape[1] }
    /// The largest count (the rows `rows` returns).
    var maxCount: Int { counts.max() ?? 0 }

    /// The rows in use, (B, maxCount, width), zero past each entry's count (a copy).
    var rows: Tensor { storage.slice(axis: 1, start: 0, length: maxCount) }

    /// Makes room for `extra[b]` more rows in entry b.
    mutating func reserve(_ extra: [Int]) {
        let needed = zip(counts, extra).map { $0 + $1 }.max() ?? 0
        guard needed > capacity else { return }
        var newCapacity = max(capacity, 1)
        while newCapacity < needed { newCapacity *= 2 }
        var grown = Tensor(zeros: [batch, newCapacity, width])
        let (b, cap, w, n) = (batch, capacity, width, maxCount)
        storage.withUnsafeBufferPointer { old in grown.withUnsafeMutableBufferPointer { new in
            ShapeKernels.copyWindow(old.baseAddress!, srcLength: cap, srcStart: 0, new.baseAddress!, dstLength: newCapacity,
                                    dstStart: 0, outer: b, length: n, inner: w)
        } }
        storage = grown
    }

    /// Appends the first `lengths[b]` rows of `new` (B, L, width) to entry b (all L when nil).
    mutating func append(_ new: Tensor, lengths: [Int]? = nil) {
        precondition(new.rank == 3 && new.shape[0] == batch && new.shape[2] == width, "cache append: \(new.shape)")
        let l = new.shape[1], take = lengths ?? Array(repeating: l, count: batch)
        precondition(take.count == batch && take.allSatisfy { (0...l).contains($0) }, "cache append: lengths \(take) for L = \(l)")
        reserve(take)
        let (cap, w, n, start) = (capacity, width, batch, counts)
        new.withUnsafeBufferPointer { src in storage.withUnsafeMutableBufferPointer { dst in
            for b in 0..<n {
                (dst.baseAddress! + (b * cap + start[b]) * w).update(from: src.baseAddress! + b * l * w, count: take[b] * w)
            }
        } }
        for b in 0..<batch { counts[b] += take[b] }
    }

    /// Adds `slots[b]` zero rows to entry b (to be filled through `withRows`).
    mutating func grow(by slots: [Int]) {
        reserve(slots)
        for b in 0..<batch { counts[b] += slots[b] }
    }

    /// Write access: `body(pointer, capacity)`; row (b, i) starts at `(b·capacity + i)·width`.
    mutating func withRows<R>(_ body: (UnsafeMutablePointer<Float>, Int) -> R) -> R {
        let cap = capacity
        return storage.withUnsafeMutableBufferPointer { body($0.baseAddress!, cap) }
    }

    /// Keeps batch entry `parents[i]` as entry i.
    mutating func reorder(_ parents: [Int]) {
        storage = selectRows(storage, parents)
        counts = parents.map { counts[$0] }
    }

    /// Floats in use (Σ_b counts[b]·width), the cache size spec §1.6 tabulates.
    var usedCount: Int { counts.reduce(0, +) * width }

    /// (B) key lengths for attention over `storage`.
    var keyLengths: Int32Tensor { Int32Tensor(shape: [batch], scalars: counts.map { Int32($0) }) }
}
