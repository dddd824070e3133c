import Foundation

extension RandomNumberGenerator {
    /// A uniform Double in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A standard normal sample (Box–Muller; the second value of each pair is discarded so that the
    /// stream position depends only on the number of calls).
    @inlinable
    public mutating func nextGaussian() -> Double {
        var u1 = nextUnitDouble()
        while u1 <= .leastNonzeroMagnitude { u1 = nextUnitDouble() }
        let u2 = nextUnitDouble()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// A uniform integer in `lower..<upper` (numpy's `randint(lower, upper)` range convention).
    /// - Precondition: `lower < upper`.
    @inlinable
    public mutating func nextInt(_ lower: Int, _ upper: Int) -> Int {
        precondition(lower < upper, "empty range \(lower)..<\(upper)")
        return Int.random(in: lower..<upper, using: &self)
    }
}
