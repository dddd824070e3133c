/// A reusable hash table from 128-bit n-gram keys to three counters, cleared in O(1) by an epoch.
///
/// Used for BLEU, chrF and ROUGE-N clipped counts: no per-n-gram allocation, no string keys.
struct NGramTable {
    struct Key: Equatable { var hi: UInt64; var lo: UInt64 }

    private var khi: [UInt64]
    private var klo: [UInt64]
    private var stamp: [UInt32]
    var a: [Int32]   // first counter (e.g. reference count)
    var b: [Int32]   // second counter (e.g. hypothesis count)
    var c: [Int32]   // scratch counter
    private var epoch: UInt32 = 1
    private var mask: Int
    /// Slots in use since the last `clear()`, in insertion order.
    private(set) var used: [Int] = []

    init(capacity: Int = 256) {
        var cap = 64
        while cap < capacity * 2 { cap <<= 1 }
        khi = Array(repeating: 0, count: cap); klo = khi
        stamp = Array(repeating: 0, count: cap)
        a = Array(repeating: 0, count: cap); b = a; c = a
        mask = cap - 1
    }

    /// Empties the table, keeping its storage; `expected` entries will fit without growth.
    mutating func clear(expected: Int) {
        if expected * 2 > khi.count {
            var cap = khi.count
            while cap < expected * 2 { cap <<= 1 }
            khi = Array(repeating: 0, count: cap); klo = khi
            stamp = Array(repeating: 0, count: cap)
            a = Array(repeating: 0, count: cap); b = a; c = a
            mask = cap - 1
            epoch = 1
        } else {
            epoch &+= 1
            if epoch == 0 { for i in stamp.indices { stamp[i] = 0 }; epoch = 1 }
        }
        used.removeAll(keepingCapacity: true)
    }

    /// The slot of `hi, lo`, inserted with zero counters if absent.
    @inline(__always)
    mutating func slot(_ hi: UInt64, _ lo: UInt64) -> Int {
        var h = hi &* 0x9E3779B97F4A7C15 ^ (lo &+ 0x632BE59BD9B4E019) &* 0xBF58476D1CE4E5B9
        h ^= h >> 31
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            if stamp[s] != epoch {
                stamp[s] = epoch; khi[s] = hi; klo[s] = lo; a[s] = 0; b[s] = 0; c[s] = 0
                used.append(s)
                return s
            }
            if khi[s] == hi && klo[s] == lo { return s }
            s = (s + 1) & mask
        }
    }

    /// The slot of `hi, lo` if present.
    @inline(__always)
    func find(_ hi: UInt64, _ lo: UInt64) -> Int? {
        var h = hi &* 0x9E3779B97F4A7C15 ^ (lo &+ 0x632BE59BD9B4E019) &* 0xBF58476D1CE4E5B9
        h ^= h >> 31
        var s = Int(truncatingIfNeeded: h) & mask
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
