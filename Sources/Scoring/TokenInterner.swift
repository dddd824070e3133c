/// Maps byte strings (tokens) to dense `Int32` ids without allocating a `String` per token.
///
/// Open addressing with linear probing over an arena of token bytes; ids are assigned in order of
/// first appearance, so equal tokens get equal ids and the ids can index arrays.
public struct TokenInterner: Sendable {
    private var arena: [UInt8] = []
    private var offsets: [Int] = []      // per id: start in arena
    private var lengths: [Int32] = []    // per id
    private var hashes: [UInt64] = []    // per id
    private var slots: [Int32]           // -1 = empty, else id
    private var mask: Int

    public init(capacity: Int = 1 << 12) {
        var cap = 16
        while cap < capacity * 2 { cap <<= 1 }
        slots = Array(repeating: -1, count: cap)
        mask = cap - 1
    }

    /// Number of distinct tokens.
    public var count: Int { lengths.count }

    @inline(__always)
    static func hash(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        var i = r.lowerBound
        while i < r.upperBound {
            h = (h ^ UInt64(p[i])) &* 0x100000001b3
            i += 1
        }
        return (h ^ (h >> 29)) &* 0xbf58476d1ce4e5b9
    }

    /// The id of the token `p[r]`, adding it if new.
    @inline(__always)
    public mutating func intern(_ p: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int32 {
        let h = Self.hash(p, r)
        var s = Int(truncatingIfNeeded: h) & mask
        let len = r.count
        while true {
            let id = slots[s]
            if id < 0 { break }
            let i = Int(id)
            if hashes[i] == h && Int(lengths[i]) == len {
                let off = offsets[i]
                var same = true
                arena.withUnsafeBufferPointer { a in
                    var k = 0
                    while k < len { if a[off + k] != p[r.lowerBound + k] { same = false; break }; k += 1 }
                }
                if same { return id }
            }
            s = (s + 1) & mask
        }
        let id = Int32(lengths.count)
        offsets.append(arena.count)
        arena.append(contentsOf: UnsafeBufferPointer(rebasing: p[r]))
        lengths.append(Int32(len))
        hashes.append(h)
        slots[s] = id
        if lengths.count * 2 > slots.count { grow() }
        return id
    }

    /// The id of a `String` token.
    public mutating func intern(_ s: String) -> Int32 {
        s.withUTF8Buffer { b in intern(b, 0..<b.count) }
    }

    /// The bytes of token `id` as a String.
    public func string(_ id: Int32) -> String {
        let i = Int(id)
        return String(decoding: arena[offsets[i]..<(offsets[i] + Int(lengths[i]))], as: UTF8.self)
    }

    private mutating func grow() {
        let cap = slots.count * 2
        slots = Array(repeating: -1, count: cap)
        mask = cap - 1
        for id in 0..<lengths.count {
            var s = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(id)
        }
    }
}
