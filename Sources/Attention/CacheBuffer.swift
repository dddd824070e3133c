import TensorCore

/// A (B, capacity, width) Float buffer holding `count` rows per batch entry, grown by doubling, so
/// appending a decoding step copies only the new rows (amortised O(width) per token). Rows past
/// `count` are zero and never read: attention over the buffer passes `count` as the key length of
/// every batch row (the fused kernel stops there).
struct CacheBuffer {
    private(set) var storage: Tensor
    private(set) var count = 0
    let width: Int

    init(batch: Int, width: Int, capacity: Int = 16) {
        self.width = width
        storage = Tensor(zeros: [batch, capacity, width])
    }

    var batch: Int { storage.shape[0] }
    var capacity: Int { storage.shape[1] }

    /// The rows in use, (B, count, width) (a copy).
    var rows: Tensor { storage.slice(axis: 1, start: 0, length: count) }

    /// Makes room for `extra` more rows.
    mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var newCapacity = max(capacity, 1)
        while newCapacity < count + extra { newCapacity *= 2 }
        var grown = Tensor(zeros: [batch, newCapacity, width])
        let (b, cap, w, n) = (batch, capacity, width, count)
        storage.withUnsafeBufferPointer { old in grown.withUnsafeMutableBufferPointer { new in
            ShapeKernels.copyWindow(old.baseAddress!, srcLength: cap, srcStart: 0, new.baseAddress!, dstLength: newCapacity,
                                    dstStart: 0, outer: b, length: n, inner: w)
        } }
        storage = grown
    }

    /// Appends `rows` (B, L, width).
    mutating func append(_ new: Tensor) {
        precondition(new.rank == 3 && new.shape[0] == batch && new.shape[2] == width, "cache append: \(new.shape)")
        reserve(new.shape[1])
        let (b, cap, w, n, l) = (batch, capacity, width, count, new.shape[1])
        new.withUnsafeBufferPointer { src in storage.withUnsafeMutableBufferPointer { dst in
            ShapeKernels.copyWindow(src.baseAddress!, srcLength: l, srcStart: 0, dst.baseAddress!, dstLength: cap,
                                    dstStart: n, outer: b, length: l, inner: w)
        } }
        count += l
    }

    /// Adds `slots` zero rows (to be filled through `withRows`).
    mutating func grow(by slots: Int) {
        reserve(slots)
        count += slots
    }

    /// Write access: `body(pointer, capacity)`; row (b, i) starts at `(b·capacity + i)·width`.
    mutating func withRows<R>(_ body: (UnsafeMutablePointer<Float>, Int) -> R) -> R {
        let cap = capacity
        return storage.withUnsafeMutableBufferPointer { body($0.baseAddress!, cap) }
    }

    /// Keeps batch row `parents[i]` as row i.
    mutating func reorder(_ parents: [Int]) { storage = selectRows(storage, parents) }

    /// Floats in use (B·count·width), the cache size spec §1.6 tabulates.
    var usedCount: Int { batch * count * width }

    /// (B) key lengths for attention over `storage`.
    var keyLengths: Int32Tensor { Int32Tensor(shape: [batch], repeating: Int32(count)) }
}
