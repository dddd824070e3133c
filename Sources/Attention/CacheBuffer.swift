import TensorCore

/// A (B, capacity, width) Float buffer holding `counts[b]` rows for batch entry b, grown by doubling,
/// so appending a decoding step copies only the new rows (amortised O(width) per token). Rows past a
/// batch entry's count are zero and never read: attention over the buffer passes `counts` as the key
/// lengths (the fused kernel stops there). Entries may hold different counts (ragged batches).
///
/// **Shared rows.** The first reorder that gives several entries the same parent (beam search
/// expanding each sentence to its beams after step 0) does not copy the parents' rows: they move to a
/// `shared` buffer (S, P, width), one entry per parent, read by every entry descended from it
/// (`sharedIndex`), and the entries' own rows restart after them (`keepOwn` rows per entry may stay
/// own: MTLA's partial last slot, which later tokens still change). Attention then reads an entry's
/// shared rows, then its own (`DecodePrefix`); shared rows no entry reads any more are dropped.
struct CacheBuffer {
    private(set) var storage: Tensor
    /// Own rows per entry (after its shared rows, if any).
    private(set) var counts: [Int]
    let width: Int
    /// Rows stored once for several entries, (S, P, width); nil until the first sharing reorder.
    private(set) var shared: Tensor?
    /// Valid rows of each shared entry.
    private(set) var sharedCounts: [Int] = []
    /// The shared entry each batch entry reads before its own rows (−1: none).
    private(set) var sharedIndex: [Int]

    init(batch: Int, width: Int, capacity: Int = 16) {
        self.width = width
        counts = Array(repeating: 0, count: batch)
        sharedIndex = Array(repeating: -1, count: batch)
        storage = Tensor(zeros: [batch, capacity, width])
    }

    var batch: Int { storage.shape[0] }
    var capacity: Int { storage.shape[1] }
    /// Shared rows read by each entry.
    var prefixCounts: [Int] { sharedIndex.map { $0 < 0 ? 0 : sharedCounts[$0] } }
    /// All rows of each entry: shared then own.
    var totalCounts: [Int] { zip(prefixCounts, counts).map { $0 + $1 } }
    /// The largest total (the rows `rows` returns).
    var maxCount: Int { totalCounts.max() ?? 0 }

    /// Every entry's rows, shared then own, (B, maxCount, width), zero past each entry's total (a copy).
    var rows: Tensor {
        guard let shared else { return storage.slice(axis: 1, start: 0, length: maxCount) }
        let (b, n, w, cap, p) = (batch, maxCount, width, capacity, shared.shape[1])
        var out = Tensor(zeros: [b, n, w])
        let prefix = prefixCounts
        shared.withUnsafeBufferPointer { sp in storage.withUnsafeBufferPointer { op in out.withUnsafeMutableBufferPointer { dst in
            for e in 0..<b {
                let row = dst.baseAddress! + e * n * w
                if sharedIndex[e] >= 0 { row.update(from: sp.baseAddress! + sharedIndex[e] * p * w, count: prefix[e] * w) }
                (row + prefix[e] * w).update(from: op.baseAddress! + e * cap * w, count: counts[e] * w)
            }
        } } }
        return out
    }

    /// Makes room for `extra[b]` more own rows in entry b.
    mutating func reserve(_ extra: [Int]) {
        let needed = zip(counts, extra).map { $0 + $1 }.max() ?? 0
        guard needed > capacity else { return }
        var newCapacity = max(capacity, 1)
        while newCapacity < needed { newCapacity *= 2 }
        var grown = Tensor(zeros: [batch, newCapacity, width])
        let (b, cap, w, n) = (batch, capacity, width, counts.max() ?? 0)
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

    /// Adds `slots[b]` zero own rows to entry b (to be filled through `withRows`).
    mutating func grow(by slots: [Int]) {
        reserve(slots)
        for b in 0..<batch { counts[b] += slots[b] }
    }

    /// Write access to the own rows: `body(pointer, capacity)`; own row (b, i) starts at `(b·capacity + i)·width`.
    mutating func withRows<R>(_ body: (UnsafeMutablePointer<Float>, Int) -> R) -> R {
        let cap = capacity
        return storage.withUnsafeMutableBufferPointer { body($0.baseAddress!, cap) }
    }

    /// Keeps batch entry `parents[i]` as entry i. When several entries take the same parent and
    /// nothing is shared yet, the parents' rows become shared rows (all but the last `keepOwn[b]` of
    /// entry b) instead of being copied for each child.
    mutating func reorder(_ parents: [Int], keepOwn: [Int]? = nil) {
        if shared == nil && Set(parents).count < parents.count && counts.contains(where: { $0 > 0 }) {
            share(keepOwn: keepOwn ?? Array(repeating: 0, count: batch))
        }
        storage = selectRows(storage, parents)
        counts = parents.map { counts[$0] }
        sharedIndex = parents.map { sharedIndex[$0] }
        dropUnreadSharedRows()
    }

    /// Moves each entry's own rows but its last `keepOwn[b]` into a new shared entry of its own.
    private mutating func share(keepOwn: [Int]) {
        let moved = zip(counts, keepOwn).map { max(0, $0 - $1) }, kept = zip(counts, moved).map { $0 - $1 }
        let (b, w, cap, p) = (batch, width, capacity, max(1, moved.max() ?? 0))
        var common = Tensor(zeros: [b, p, w]), own = Tensor(zeros: [b, max(16, kept.max() ?? 0), w])
        let ownCap = own.shape[1]
        storage.withUnsafeBufferPointer { src in common.withUnsafeMutableBufferPointer { sp in own.withUnsafeMutableBufferPointer { op in
            for e in 0..<b {
                let row = src.baseAddress! + e * cap * w
                (sp.baseAddress! + e * p * w).update(from: row, count: moved[e] * w)
                (op.baseAddress! + e * ownCap * w).update(from: row + moved[e] * w, count: kept[e] * w)
            }
        } } }
        (shared, sharedCounts, sharedIndex, storage, counts) = (common, moved, Array(0..<b), own, kept)
    }

    /// Removes the shared entries no batch entry reads (sentences that left the batch).
    private mutating func dropUnreadSharedRows() {
        guard let current = shared else { return }
        let read = Array(Set(sharedIndex.filter { $0 >= 0 })).sorted()
        guard read.count < sharedCounts.count else { return }
        if read.isEmpty {
            (shared, sharedCounts) = (nil, [])
            return
        }
        var renumber = [Int](repeating: -1, count: sharedCounts.count)
        for (i, e) in read.enumerated() { renumber[e] = i }
        shared = selectRows(current, read)
        sharedCounts = read.map { sharedCounts[$0] }
        sharedIndex = sharedIndex.map { $0 < 0 ? -1 : renumber[$0] }
    }

    /// Floats in use: every entry's own rows plus each shared entry once (what is actually held; spec
    /// §1.6's per-row figure counts the shared rows once per entry instead).
    var usedCount: Int { (counts.reduce(0, +) + sharedCounts.reduce(0, +)) * width }

    /// (B) own key lengths for attention over `storage`.
    var keyLengths: Int32Tensor { Int32Tensor(shape: [batch], scalars: counts.map { Int32($0) }) }

    /// The shared rows as attention inputs: (S, P, heads, width/heads) with each entry's shared entry
    /// and count, or nil when nothing is shared.
    func sharedRows(heads: Int) -> SharedKeyRows? {
        guard let shared else { return nil }
        return SharedKeyRows(rows: shared.reshaped([shared.shape[0], shared.shape[1], heads, width / heads]),
                             entries: sharedIndex, lengths: prefixCounts)
    }
}
