/// A reusable hash table from 128-bit n-gram keys to three counters, cleared in O(1) by an epoch.
///
/// Used for BLEU, chrF and ROUGE-N clipped counts: no per-n-gram allocation, no string keys. Raw buffers
/// (owned by a small class), so hot loops pay neither copy-on-write nor exclusivity checks.
struct NGramTable {
    /// Frees the buffers when the last copy of the table goes away.
    private final class Owner {
        var buffers: [UnsafeMutableRawPointer] = []
        deinit { for b in buffers { b.deallocate() } }
    }
    private var khi: UnsafeMutablePointer<UInt64>
    private var klo: UnsafeMutablePointer<UInt64>
    private var stamp: UnsafeMutablePointer<UInt32>
    /// First counter (e.g. reference count).
    private(set) var a: UnsafeMutablePointer<Int32>
    /// Second counter (e.g. hypothesis count).
    private(set) var b: UnsafeMutablePointer<Int32>
    /// Scratch counter.
    private(set) var c: UnsafeMutablePointer<Int32>
    private var usedBuf: UnsafeMutablePointer<Int>
    private var usedCount = 0
    private var capacity: Int
    private var epoch: UInt32 = 1
    private var mask: Int
    private let owner = Owner()

    init(capacity: Int = 256) {
        var cap = 64
        while cap < capacity * 2 { cap <<= 1 }
        self.capacity = cap
        mask = cap - 1
        (khi, klo, stamp, a, b, c, usedBuf) = Self.allocate(cap, owner)
    }

    private static func allocate(_ cap: Int, _ owner: Owner) -> (UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<UInt32>,
                                                                  UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int>) {
        for b in owner.buffers { b.deallocate() }
        let khi = UnsafeMutablePointer<UInt64>.allocate(capacity: cap), klo = UnsafeMutablePointer<UInt64>.allocate(capacity: cap)
        let stamp = UnsafeMutablePointer<UInt32>.allocate(capacity: cap)
        stamp.initialize(repeating: 0, count: cap)
        let a = UnsafeMutablePointer<Int32>.allocate(capacity: cap), b = UnsafeMutablePointer<Int32>.allocate(capacity: cap)
        let c = UnsafeMutablePointer<Int32>.allocate(capacity: cap), used = UnsafeMutablePointer<Int>.allocate(capacity: cap)
        owner.buffers = [UnsafeMutableRawPointer(khi), UnsafeMutableRawPointer(klo), UnsafeMutableRawPointer(stamp),
                         UnsafeMutableRawPointer(a), UnsafeMutableRawPointer(b), UnsafeMutableRawPointer(c), UnsafeMutableRawPointer(used)]
        return (khi, klo, stamp, a, b, c, used)
    }

    /// Slots in use since the last `clear()`, in insertion order.
    var used: UnsafeBufferPointer<Int> { UnsafeBufferPointer(start: usedBuf, count: usedCount) }

    /// Empties the table, keeping its storage; `expected` entries will fit without growth.
    mutating func clear(expected: Int) {
        if expected * 2 > capacity {
            var cap = capacity
            while cap < expected * 2 { cap <<= 1 }
            (khi, klo, stamp, a, b, c, usedBuf) = Self.allocate(cap, owner)
            capacity = cap
            mask = cap - 1
            epoch = 1
        } else {
            epoch &+= 1
            if epoch == 0 { stamp.update(repeating: 0, count: capacity); epoch = 1 }
        }
        usedCount = 0
    }

    @inline(__always) private func home(_ hi: UInt64, _ lo: UInt64) -> Int {
        var h = hi &* 0x9E3779B97F4A7C15 ^ (lo &+ 0x632BE59BD9B4E019) &* 0xBF58476D1CE4E5B9
        h ^= h >> 31
        return Int(truncatingIfNeeded: h) & mask
    }

    /// The slot of `hi, lo`, inserted with zero counters if absent.
    @inline(__always)
    mutating func slot(_ hi: UInt64, _ lo: UInt64) -> Int {
        var s = home(hi, lo)
        while true {
            if stamp[s] != epoch {
                stamp[s] = epoch; khi[s] = hi; klo[s] = lo; a[s] = 0; b[s] = 0; c[s] = 0
                usedBuf[usedCount] = s; usedCount += 1
                return s
            }
            if khi[s] == hi && klo[s] == lo { return s }
            s = (s + 1) & mask
        }
    }

    /// The slot of `hi, lo` if present.
    @inline(__always)
    func find(_ hi: UInt64, _ lo: UInt64) -> Int? {
        var s = home(hi, lo)
        while true {
            if stamp[s] != epoch { return nil }
            if khi[s] == hi && klo[s] == lo { return s }
            s = (s + 1) & mask
        }
    }
}

/// Packing of word n-grams (up to 4 ids of 32 bits) into a 128-bit key.
@inline(__always)
func wordNGramKey(_ ids: UnsafeBufferPointer<Int32>, _ start: Int, _ n: Int) -> (UInt64, UInt64) {
    var hi: UInt64 = 0, lo: UInt64 = 0
    for k in 0..<n {
        let v = UInt64(UInt32(bitPattern: ids[start + k]))
        if k < 2 { hi = (hi << 32) | v } else { lo = (lo << 32) | v }
    }
    return (hi, lo)
}

/// Packing of character n-grams (up to 6 scalars of 21 bits) into a 128-bit key.
@inline(__always)
func charNGramKey(_ s: UnsafeBufferPointer<UInt32>, _ start: Int, _ n: Int) -> (UInt64, UInt64) {
    var hi: UInt64 = 0, lo: UInt64 = 0
    for k in 0..<n {
        let v = UInt64(s[start + k])
        if k < 3 { hi = (hi << 21) | v } else { lo = (lo << 21) | v }
    }
    return (hi, lo)
}
