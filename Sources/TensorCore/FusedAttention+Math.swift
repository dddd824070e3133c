// SIMD helpers shared by the fused attention and the loss kernels (namespaced so they cannot clash with
// other kernels of this module).

/// Owns nothing; carries raw pointers into `DispatchQueue.concurrentPerform`, whose closure is `@Sendable`.
/// Each worker writes only to the disjoint slices the kernel assigns it.
@usableFromInline
struct KernelPointers<P>: @unchecked Sendable {
    @usableFromInline let value: P
    @usableFromInline init(_ value: P) { self.value = value }
}

@usableFromInline
enum KernelMath {
    /// e^x for 16 lanes, relative error about 2 ulp over [-87, 88]; exactly 0 below -87.3 (so e^(−∞) = 0),
    /// +∞ above 88.7, NaN stays NaN. Cephes-style: x = n·ln2 + r, |r| ≤ ln2/2, degree-6 polynomial in r.
    @inlinable @inline(__always)
    static func exp(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let log2e: Float = 1.44269504088896341
        let ln2Hi: Float = 0.693359375
        let ln2Lo: Float = -2.12194440e-4
        var xc = x
        xc.replace(with: 88.3762626647949, where: x .> 88.3762626647949)
        xc.replace(with: -87.3, where: x .< -87.3)
        // Round x·log2(e) to the nearest integer with the 1.5·2^23 trick: afterwards the low mantissa bits
        // of t hold n (the stdlib's SIMD rounding and Float→Int32 conversions compile to scalar loops).
        let magic = SIMD16<Float>(repeating: 12582912)
        let t = xc * log2e + magic
        let n = t - magic
        var r = xc - n * ln2Hi
        r = r - n * ln2Lo
        var p = SIMD16<Float>(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let r2 = r * r
        var y = p * r2 + r + 1
        // 2^n through the exponent bits (n in [-126, 127] after clamping).
        let nBits = unsafeBitCast(t, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
        y = y * unsafeBitCast((nBits &+ 127) &<< 23, to: SIMD16<Float>.self)
        y.replace(with: 0, where: x .< -87.3)
        y.replace(with: .infinity, where: x .> 88.7)
        y.replace(with: x, where: x .!= x)
        return y
    }

    /// Lane-wise maximum without the scalar loop that `pointwiseMax` compiles to.
    @inlinable @inline(__always)
    static func max(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        a.replacing(with: b, where: b .> a)
    }

    @inlinable @inline(__always)
    static func horizontalMax(_ a: SIMD16<Float>) -> Float {
        let h8 = max8(a.lowHalf, a.highHalf)
        let h4 = max4(h8.lowHalf, h8.highHalf)
        var m = h4[0]
        for i in 1..<4 where h4[i] > m { m = h4[i] }
        return m
    }

    @inlinable @inline(__always)
    static func max8(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> { a.replacing(with: b, where: b .> a) }
    @inlinable @inline(__always)
    static func max4(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> { a.replacing(with: b, where: b .> a) }

    /// Loads 16 floats (unaligned).
    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    @inlinable @inline(__always)
    static func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }
}
