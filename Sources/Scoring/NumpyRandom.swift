/// numpy's `default_rng(seed)` as far as sacreBLEU's bootstrap needs it: `SeedSequence` (pool of
/// four 32-bit words), `PCG64` (128-bit LCG with XSL-RR output) and bounded integers by Lemire's
/// method on buffered 32-bit halves, so that `integers(0, n)` draws numpy's exact values.
public struct NumpyPCG64: Sendable {
    private var state: UInt128
    private let inc: UInt128
    private var buffered: UInt32? = nil
    static let multiplier: UInt128 = (UInt128(0x2360ED051FC65DA4) << 64) | UInt128(0x4385DF649FCCF645)

    /// `Generator(PCG64(SeedSequence(seed)))` for a non-negative integer seed below 2^32.
    public init(seed: UInt32) {
        let w = Self.seedSequenceWords(entropy: [seed], count: 4)
        let initState = (UInt128(w[0]) << 64) | UInt128(w[1])
        let initSeq = (UInt128(w[2]) << 64) | UInt128(w[3])
        inc = (initSeq << 1) | 1
        state = 0
        step()
        state = state &+ initState
        step()
    }

    /// The state and increment (for tests against numpy's `bit_generator.state`).
    public var stateAndIncrement: (UInt128, UInt128) { (state, inc) }

    @inline(__always) private mutating func step() { state = state &* Self.multiplier &+ inc }

    /// The next raw 64-bit output.
    public mutating func next64() -> UInt64 {
        step()
        let hi = UInt64(truncatingIfNeeded: state >> 64), lo = UInt64(truncatingIfNeeded: state)
        let rot = UInt64(truncatingIfNeeded: state >> 122)
        let x = hi ^ lo
        return (x >> rot) | (x << ((64 &- rot) & 63))
    }

    /// numpy's buffered 32-bit output: low half of a 64-bit output first, then its high half.
    public mutating func next32() -> UInt32 {
        if let b = buffered { buffered = nil; return b }
        let v = next64()
        buffered = UInt32(truncatingIfNeeded: v >> 32)
        return UInt32(truncatingIfNeeded: v)
    }

    /// A uniform integer in `0..<n` (`n <= 2^32 - 1`), numpy's `buffered_bounded_lemire_uint32`.
    public mutating func integer(below n: UInt32) -> UInt32 {
        precondition(n > 0)
        let rngExcl = UInt64(n)
        var m = UInt64(next32()) &* rngExcl
        var leftover = UInt32(truncatingIfNeeded: m)
        if leftover < n {
            let threshold = (UInt32.max &- (n &- 1)) % n
            while leftover < threshold {
                m = UInt64(next32()) &* rngExcl
                leftover = UInt32(truncatingIfNeeded: m)
            }
        }
        return UInt32(truncatingIfNeeded: m >> 32)
    }

    /// `SeedSequence(entropy).generate_state(count, np.uint64)`.
    public static func seedSequenceWords(entropy: [UInt32], count: Int) -> [UInt64] {
        let initA: UInt32 = 0x43b0d7e5, multA: UInt32 = 0x931e8875, initB: UInt32 = 0x8b51f9dd, multB: UInt32 = 0x58f38ded
        let mixL: UInt32 = 0xca01f9dd, mixR: UInt32 = 0x4973f715
        var hashConst = initA
        func hashmix(_ vIn: UInt32) -> UInt32 {
            var v = vIn ^ hashConst
            hashConst = hashConst &* multA
            v = v &* hashConst
            v ^= v >> 16
            return v
        }
        func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
            var r = (mixL &* x) &- (mixR &* y)
            r ^= r >> 16
            return r
        }
        var pool = [UInt32](repeating: 0, count: 4)
        for i in 0..<4 { pool[i] = hashmix(i < entropy.count ? entropy[i] : 0) }
        for s in 0..<4 { for d in 0..<4 where s != d { pool[d] = mix(pool[d], hashmix(pool[s])) } }
        if entropy.count > 4 { for s in 4..<entropy.count { for d in 0..<4 { pool[d] = mix(pool[d], hashmix(entropy[s])) } } }
        var hb = initB
        var words32: [UInt32] = []
        for i in 0..<(2 * count) {
            var v = pool[i % 4]
            v ^= hb
            hb = hb &* multB
            v = v &* hb
            v ^= v >> 16
            words32.append(v)
        }
        return (0..<count).map { UInt64(words32[2 * $0]) | (UInt64(words32[2 * $0 + 1]) << 32) }
    }
}

/// numpy's pairwise summation (`pairwise_sum` in `loops_utils.h`), for float and double, so that
/// means of resampled scores match `np.mean` bit for bit.
public func numpyPairwiseSum<T: BinaryFloatingPoint>(_ a: UnsafeBufferPointer<T>) -> T {
    let n = a.count
    if n < 8 {
        var r: T = -0.0
        for x in a { r += x }
        return r
    } else if n <= 128 {
        var r = [T](repeating: 0, count: 8)
        for k in 0..<8 { r[k] = a[k] }
        var i = 8
        while i < n - (n % 8) {
            for k in 0..<8 { r[k] += a[i + k] }
            i += 8
        }
        var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
        while i < n { res += a[i]; i += 1 }
        return res
    } else {
        var n2 = n / 2
        n2 -= n2 % 8
        return numpyPairwiseSum(UnsafeBufferPointer(rebasing: a[0..<n2])) + numpyPairwiseSum(UnsafeBufferPointer(rebasing: a[n2..<n]))
    }
}
