/// A seeded pseudo-random generator (xoshiro256++), the one source of randomness in the toolkit.
///
/// Every component that needs randomness (dither, SpecAugment, dropout, shuffling) takes one of these
/// (or any `RandomNumberGenerator`) explicitly; nothing reads a global generator. The same seed gives
/// the same stream on every platform.
public struct Xoshiro256: RandomNumberGenerator, Sendable, Equatable, Codable {
    // Internal (not private) and the step inlinable, so that loops drawing one value per element (dropout
    // masks) run the generator inline instead of a call per draw; the stream is unchanged.
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// Seeds the four state words from `seed` through SplitMix64, as the xoshiro authors recommend.
    public init(seed: UInt64) {
        var sm = SplitMix64(state: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// A generator for stream `stream` of `seed`: independent streams for parallel workers or utterances.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15) &+ stream)
    }

    @inlinable @inline(__always)
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s0 &+ s3, 23) &+ s0
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }
}

/// SplitMix64, used to expand a 64-bit seed into generator state.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(state: UInt64) { self.state = state }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
