/// Element-wise comparison statistics between two equally long arrays.
public struct DifferenceStats: Sendable, CustomStringConvertible {
    public var maxAbs: Double
    public var meanAbs: Double
    public var argmax: Int

    public init<A: Collection, B: Collection>(_ a: A, _ b: B)
    where A.Element: BinaryFloatingPoint, B.Element: BinaryFloatingPoint {
        precondition(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
        var maxAbs = 0.0, sum = 0.0, arg = 0
        for (i, (x, y)) in zip(a, b).enumerated() {
            let d = abs(Double(x) - Double(y))
            sum += d
            if d > maxAbs || d.isNaN { maxAbs = d; arg = i }
        }
        self.maxAbs = maxAbs
        self.meanAbs = a.isEmpty ? 0 : sum / Double(a.count)
        self.argmax = arg
    }

    public var description: String { "max |diff| \(maxAbs) at \(argmax), mean |diff| \(meanAbs)" }
}
