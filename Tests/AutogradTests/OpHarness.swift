// The op-test harness (ggml lesson): every differentiable op is one `OpCase`, checked in two modes:
//   forward  — the fast kernel (through the tape, inference mode) against the naive Double reference;
//   gradient — the tape's backward against central finite differences of the Double reference.
// Adding an op = adding one case to `OpCase.all` (OpCases.swift).
import Autograd
import SeededRandom
import TensorCore
import Testing

/// A tolerance and why it is what it is. Errors are measured as |fast − ref| / max(1, |ref|).
struct Tolerance: Sendable {
    let value: Double
    let reason: String
    init(_ value: Double, _ reason: String) { self.value = value; self.reason = reason }

    /// Float32 result of short sums/products vs the Double reference: rounding ~1e-7 per term.
    static let float32 = Tolerance(1e-5, "Float32 rounding of sums of ≤ ~50 terms (~6e-8 each) vs Double")
    /// Float32 analytic gradient vs Double central differences with h = 1e-4: truncation O(h²) ~1e-8,
    /// so the error is the Float32 rounding of forward values reused in backward.
    static let gradient = Tolerance(1e-4, "Float32 backward (rounding ~1e-6 relative, a few terms) vs Double FD (h=1e-4, error ~1e-8)")
}

struct OpCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// Shapes of the Float inputs, drawn N(0, 1) (or U[0.5, 1.5] with `positive`) from a seeded generator.
    let shapes: [[Int]]
    var positive = false
    /// Inputs that get no gradient check (e.g. constants).
    var constant: Set<Int> = []
    var forwardTolerance = Tolerance.float32
    var gradientTolerance = Tolerance.gradient
    let forward: @Sendable (Tape, [Variable]) -> Variable
    let reference: @Sendable ([[Double]]) -> [Double]

    var testDescription: String { name }

    /// Deterministic inputs for this case (seed from the name, so adding a case changes no other).
    func inputs() -> [Tensor] {
        var g = Xoshiro256(seed: name.utf8.reduce(1469598103934665603) { ($0 ^ UInt64($1)) &* 1099511628211 })
        return shapes.map { s in
            positive ? Tensor.randomUniform(s, low: 0.5, high: 1.5, using: &g) : Tensor.randomNormal(s, using: &g)
        }
    }
}

enum Harness {
    /// max_i |a_i − b_i| / max(1, |b_i|).
    static func error(_ a: [Float], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
        return zip(a, b).reduce(0) { Swift.max($0, abs(Double($1.0) - $1.1) / Swift.max(1, abs($1.1))) }
    }

    static func error(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { Swift.max($0, abs($1.0 - $1.1) / Swift.max(1, abs($1.1))) }
    }

    /// Central differences of Σ_i w_i · reference(x)_i with respect to input `k`, in Double.
    static func finiteDifferences(_ c: OpCase, _ x: [[Double]], k: Int, weights w: [Double], h: Double = 1e-4) -> [Double] {
        func loss(_ x: [[Double]]) -> Double { zip(c.reference(x), w).reduce(0) { $0 + $1.0 * $1.1 } }
        var xp = x
        return (0..<x[k].count).map { j in
            xp[k][j] = x[k][j] + h
            let up = loss(xp)
            xp[k][j] = x[k][j] - h
            let down = loss(xp)
            xp[k][j] = x[k][j]
            return (up - down) / (2 * h)
        }
    }
}
