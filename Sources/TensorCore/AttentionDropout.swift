/// Dropout on attention probabilities inside the fused kernel: probability (b, h, i, j) is kept with
/// probability 1 − p and then scaled by 1/(1 − p). Whether it is kept is a hash of (seed, row, key),
/// row = (b·Hq + h)·Tq + i, so forward, backward and the reference kernel draw the same mask without
/// storing it, for any tiling or thread count (FlashAttention's counter-based scheme).
public struct AttentionDropout: Sendable, Equatable {
    public let p: Float
    public let seed: UInt64
    let threshold: UInt32
    let scale: Float

    /// - Precondition: 0 < p < 1.
    public init(p: Float, seed: UInt64) {
        precondition(p > 0 && p < 1, "attention dropout p must be in (0, 1), got \(p)")
        self.p = p
        self.seed = seed
        threshold = UInt32(min(Double(UInt32.max), (Double(p) * 4_294_967_296).rounded(.down)))
        scale = 1 / (1 - p)
    }

    /// A 32-bit mix with good avalanche (Chris Wellons' lowbias32).

    static func mix(_ x: UInt32) -> UInt32 {
        var x = x
        x ^= x >> 16; x &*= 0x7FEB_352D; x ^= x >> 15; x &*= 0x846C_A68B; x ^= x >> 16
        return x
    }

    /// The per-row key of row index `row` ((b·Hq + h)·Tq + i).

    public func rowKey(_ row: Int) -> UInt32 {
        let r = UInt64(truncatingIfNeeded: row)
        return Self.mix(UInt32(truncatingIfNeeded: seed) ^ Self.mix(UInt32(truncatingIfNeeded: seed >> 32) ^ Self.mix(UInt32(truncatingIfNeeded: r)
                        &+ UInt32(truncatingIfNeeded: r >> 32) &* 0x9E37_79B9)))
    }

    /// The factor of key `j` in the row with key `rowKey`: 0 (dropped) or 1/(1 − p).

    public func factor(rowKey: UInt32, key j: Int) -> Float {
        Self.mix(rowKey ^ (UInt32(truncatingIfNeeded: j) &* 0x9E37_79B9)) < threshold ? 0 : scale
    }

    /// `factor` for keys j0 ..< j0 + 16.

    func factors(rowKey: UInt32, firstKey j0: Int) -> SIMD16<Float> {
        var j = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) &+ UInt32(truncatingIfNeeded: j0)
        j &*= 0x9E37_79B9
        var x = SIMD16<UInt32>(repeating: rowKey) ^ j
        x ^= x &>> 16; x &*= 0x7FEB_352D; x ^= x &>> 15; x &*= 0x846C_A68B; x ^= x &>> 16
        return SIMD16<Float>(repeating: 0).replacing(with: scale, where: x .>= SIMD16<UInt32>(repeating: threshold))
    }

    /// Multiplies `count` entries of a row (keys j0 …) by their factors.

    func apply(_ row: UnsafeMutablePointer<Float>, count: Int, rowKey: UInt32, firstKey j0: Int) {
        var c = 0
        while c + 16 <= count {
            KernelMath.store(KernelMath.load(row + c) * factors(rowKey: rowKey, firstKey: j0 + c), row + c)
            c += 16
        }
        while c < count { row[c] *= factor(rowKey: rowKey, key: j0 + c); c += 1 }
    }
}
