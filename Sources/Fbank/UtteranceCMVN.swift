import Foundation

/// Per-utterance mean and variance normalisation, as fairseq's `UtteranceCMVN` transform:
/// `x ← (x − mean) / sqrt(max(E[x²] − mean², 1e-10))` per dimension, statistics in Float64.
public struct UtteranceCMVN: Sendable, Equatable {
    public var normMeans: Bool
    public var normVars: Bool
    public init(normMeans: Bool = true, normVars: Bool = true) {
        self.normMeans = normMeans
        self.normVars = normVars
    }

    /// Normalises `m` in place. An empty matrix is left as it is.
    public func apply(to m: inout FeatureMatrix) {
        guard m.rows > 0 else { return }
        var stats = CMVNAccumulator(dimension: m.cols)
        stats.add(m)
        let (mean, std) = stats.meanAndStd(varianceFloor: 1e-10)
        let meanF = mean.map { Float($0) }, stdF = std.map { Float($0) }
        let cols = m.cols
        m.values.withUnsafeMutableBufferPointer { v in
            for t in 0..<m.rows {
                for d in 0..<cols {
                    var x = v[t * cols + d]
                    if normMeans { x -= meanF[d] }
                    if normVars { x /= stdF[d] }
                    v[t * cols + d] = x
                }
            }
        }
    }
}

/// Float64 sums of x and x² per dimension plus a frame count: the statistics behind utterance and
/// global CMVN, fairseq's `gcmvn.npz` and Kaldi's 2×(D+1) cmvn stats.
public struct CMVNAccumulator: Sendable, Equatable {
    public private(set) var sum: [Double]
    public private(set) var sumSquares: [Double]
    public private(set) var count: Double

    public init(dimension: Int) {
        sum = [Double](repeating: 0, count: dimension)
        sumSquares = sum
        count = 0
    }

    /// Statistics as they are stored in Kaldi's matrix: `sum`, `sumSquares`, `count`.
    public init(sum: [Double], sumSquares: [Double], count: Double) {
        precondition(sum.count == sumSquares.count)
        self.sum = sum
        self.sumSquares = sumSquares
        self.count = count
    }

    public var dimension: Int { sum.count }

    /// Adds every frame of `m`. - Precondition: `m.cols == dimension`.
    public mutating func add(_ m: FeatureMatrix) {
        precondition(m.cols == dimension, "CMVN dimension \(dimension), features \(m.cols)")
        let d = dimension
        sum.withUnsafeMutableBufferPointer { s in
            sumSquares.withUnsafeMutableBufferPointer { q in
                m.values.withUnsafeBufferPointer { v in
                    for t in 0..<m.rows {
                        for j in 0..<d {
                            let x = Double(v[t * d + j])
                            s[j] += x
                            q[j] += x * x
                        }
                    }
                }
            }
        }
        count += Double(m.rows)
    }

    /// Merges another accumulator (e.g. from another worker).
    public mutating func merge(_ other: CMVNAccumulator) {
        precondition(other.dimension == dimension)
        for j in 0..<dimension { sum[j] += other.sum[j]; sumSquares[j] += other.sumSquares[j] }
        count += other.count
    }

    /// Mean and standard deviation `sqrt(max(E[x²] − mean², floor))` (fairseq uses 1e-8 for global
    /// statistics and 1e-10 per utterance).
    public func meanAndStd(varianceFloor: Double) -> (mean: [Double], std: [Double]) {
        (sum.map { $0 / max(count, 1) }, variance(floor: varianceFloor).map { $0.squareRoot() })
    }

    /// Per-dimension variance `max(E[x²] − mean², floor)`.
    public func variance(floor: Double) -> [Double] {
        let n = max(count, 1)
        return (0..<dimension).map { j in
            let m = sum[j] / n
            return max(sumSquares[j] / n - m * m, floor)
        }
    }
}

/// Global CMVN with fixed statistics: `x ← (x − mean) / std` (fairseq's `GlobalCMVN`).
public struct GlobalCMVN: Sendable, Equatable {
    public var mean: [Float]
    public var std: [Float]
    public init(mean: [Float], std: [Float]) {
        precondition(mean.count == std.count)
        self.mean = mean
        self.std = std
    }

    /// From accumulated statistics, with fairseq's variance floor of 1e-8.
    public init(statistics: CMVNAccumulator) {
        let (m, s) = statistics.meanAndStd(varianceFloor: 1e-8)
        self.init(mean: m.map { Float($0) }, std: s.map { Float($0) })
    }

    /// The feature dimension.
    public var dimension: Int { mean.count }

    /// A normalised copy of `m` (see `apply(to:name:)`).
    public func applied(to m: FeatureMatrix, name: String = "features") throws -> FeatureMatrix {
        var c = m
        try apply(to: &c, name: name)
        return c
    }

    /// Normalises `m` in place, in float32 as fairseq's `GlobalCMVN` transform.
    /// - Throws: `FbankError.cmvnDimension` when `m.cols` differs from the statistics.
    public func apply(to m: inout FeatureMatrix, name: String) throws {
        guard m.cols == mean.count else { throw FbankError.cmvnDimension(name: name, expected: m.cols, found: mean.count) }
        let cols = m.cols
        m.values.withUnsafeMutableBufferPointer { v in
            for t in 0..<m.rows {
                for d in 0..<cols { v[t * cols + d] = (v[t * cols + d] - mean[d]) / std[d] }
            }
        }
    }
}
