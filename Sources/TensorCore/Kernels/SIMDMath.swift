/// Vector math for the kernels: SIMD16<Float> exp, sigmoid, tanh, max.
///
/// `exp` is Cephes' `expf` scheme: x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite split of ln2), a degree-7
/// polynomial for e^r, and 2^n built in the exponent bits. Relative error ≤ ~2e-7 over [-87.3, 88.7]
/// (measured against Double in the op tests); inputs below -87.3 give 0, above 88.7 are clamped.
/// About 15x faster than calling libm per element (platform notes).
public enum SIMDMath {
    public typealias V = SIMD16<Float>

    @inlinable @inline(__always)
    public static func exp(_ x: V) -> V {
        let upper = V(repeating: 88.72283), lower = V(repeating: -87.33654)
        var xc = x.replacing(with: upper, where: x .> upper)
        xc = xc.replacing(with: lower, where: xc .< lower)
        // Round x/ln2 to nearest with the 1.5·2^23 trick; the integer sits in the low mantissa bits.
        let magic = V(repeating: 12_582_912)
        let t = xc * V(repeating: 1.442_695_04) + magic
        let n = t - magic
        var r = xc - n * V(repeating: 0.693_359_375)
        r = r - n * V(repeating: -2.121_944_4e-4)
        var p = V(repeating: 1.987_569_15e-4)
        p = p * r + V(repeating: 1.398_199_95e-3)
        p = p * r + V(repeating: 8.333_451_9e-3)
        p = p * r + V(repeating: 4.166_579_59e-2)
        p = p * r + V(repeating: 1.666_666_55e-1)
        p = p * r + V(repeating: 5.000_000_12e-1)
        let e = p * (r * r) + r + V(repeating: 1)
        let ni = unsafeBitCast(t, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
        let scale = unsafeBitCast((ni &+ 127) &<< 23, to: V.self)
        return (e * scale).replacing(with: 0, where: x .< lower)
    }

    /// Scalar form of `exp` (same polynomial, for loop tails).
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float { exp(V(repeating: x))[0] }

    @inlinable @inline(__always)
    public static func sigmoid(_ x: V) -> V { 1 / (1 + exp(-x)) }

    /// tanh(x) = 1 − 2/(e^{2x}+1): absolute error ~1e-7, exact limits ±1.
    @inlinable @inline(__always)
    public static func tanh(_ x: V) -> V { 1 - 2 / (exp(2 * x) + 1) }

    /// erf by Abramowitz & Stegun 7.1.26, |error| ≤ 1.5e-7 (absolute): the formula PyTorch's vectorised
    /// CPU `erf` uses, so GELU matches PyTorch's CPU results closely. About 5x faster than libm per element.
    @inlinable @inline(__always)
    public static func erf(_ x: V) -> V {
        let ax = x.replacing(with: -x, where: x .< 0)
        let t = 1 / (V(repeating: 0.327_591_1) * ax + 1)
        var r = V(repeating: 1.061_405_429)
        r = r * t + V(repeating: -1.453_152_027)
        r = r * t + V(repeating: 1.421_413_741)
        r = r * t + V(repeating: -0.284_496_736)
        r = r * t + V(repeating: 0.254_829_592)
        let y = 1 - r * t * exp(-(ax * ax))
        return y.replacing(with: -y, where: x .< 0)
    }

    /// Lane-wise maximum without the scalar loop `pointwiseMax` compiles to.
    @inlinable @inline(__always)
    public static func max(_ a: V, _ b: V) -> V { a.replacing(with: b, where: b .> a) }

    /// The largest lane.
    @inlinable @inline(__always)
    public static func horizontalMax(_ a: V) -> Float {
        // Pairwise halves (a serial scan over 16 lanes is a dependency chain).
        let h8 = a.lowHalf.replacing(with: a.highHalf, where: a.highHalf .> a.lowHalf)
        let h4 = h8.lowHalf.replacing(with: h8.highHalf, where: h8.highHalf .> h8.lowHalf)
        var m = h4[0]
        for i in 1..<4 where h4[i] > m { m = h4[i] }
        return m
    }
}

/// Applies `f` to `n` floats from `x` into `y` in SIMD16 blocks, the tail through a padded vector.
@inlinable @inline(__always)
func mapSIMD(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ f: (SIMD16<Float>) -> SIMD16<Float>) {
    var i = 0
    while i + 16 <= n {
        let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(y + i).storeBytes(of: f(v), as: SIMD16<Float>.self)
        i += 16
    }
    if i < n {
        var v = SIMD16<Float>(repeating: 0)
        for j in 0..<(n - i) { v[j] = x[i + j] }
        let r = f(v)
        for j in 0..<(n - i) { y[i + j] = r[j] }
    }
}

/// Two-input form of `mapSIMD`.
@inlinable @inline(__always)
func zipSIMD(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
             _ f: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>) {
    var i = 0
    while i + 16 <= n {
        let va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
        let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
        UnsafeMutableRawPointer(y + i).storeBytes(of: f(va, vb), as: SIMD16<Float>.self)
        i += 16
    }
    if i < n {
        var va = SIMD16<Float>(repeating: 0), vb = SIMD16<Float>(repeating: 0)
        for j in 0..<(n - i) { va[j] = a[i + j]; vb[j] = b[i + j] }
        let r = f(va, vb)
        for j in 0..<(n - i) { y[i + j] = r[j] }
    }
}

/// Sum of `n` floats (SIMD16 partial sums, then lanes in order: deterministic).
@inlinable
func sumSIMD(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD16<Float>(repeating: 0)
    var i = 0
    while i + 16 <= n {
        acc += UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
        i += 16
    }
    var s: Float = 0
    for j in 0..<16 { s += acc[j] }
    while i < n { s += x[i]; i += 1 }
    return s
}

/// Dot product of `n` floats (same order rules as `sumSIMD`).
@inlinable
func dotSIMD(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD16<Float>(repeating: 0)
    var i = 0
    while i + 16 <= n {
        acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
        i += 16
    }
    var s: Float = 0
    for j in 0..<16 { s += acc[j] }
    while i < n { s += a[i] * b[i]; i += 1 }
    return s
}

/// Largest of `n ≥ 1` floats.
@inlinable
func maxSIMD(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var i = 0
    var m = -Float.infinity
    if n >= 16 {
        var acc = UnsafeRawPointer(x).loadUnaligned(as: SIMD16<Float>.self)
        i = 16
        while i + 16 <= n {
            acc = SIMDMath.max(acc, UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self))
            i += 16
        }
        m = SIMDMath.horizontalMax(acc)
    }
    while i < n { if x[i] > m { m = x[i] }; i += 1 }
    return m
}
