// Pointer helpers shared by the fused attention and the loss kernels; their vector math (exp, max) is
// SIMDMath's, the one implementation in the module.

/// Owns nothing; carries raw pointers into `DispatchQueue.concurrentPerform`, whose closure is `@Sendable`.
/// Each worker writes only to the disjoint slices the kernel assigns it.
@usableFromInline
struct KernelPointers<P>: @unchecked Sendable {
    @usableFromInline let value: P
    @usableFromInline init(_ value: P) { self.value = value }
}

@usableFromInline
enum KernelMath {
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
