import Fbank

/// Kaldi CMVN statistics (`compute-cmvn-stats`, `apply-cmvn`): a 2 × (D+1) Float64 matrix, row 0 =
/// Σx per dimension with the frame count in the last column, row 1 = Σx² (last column 0).
/// Stored in arks as `DM` (`cmvn.scp`: `spk ark:offset`).
public struct KaldiCMVNStats: Sendable, Equatable {
    /// The sums themselves (shared with fairseq's global CMVN and utterance CMVN).
    public private(set) var statistics: CMVNAccumulator

    /// Empty statistics for `dim`-dimensional features.
    public init(dim: Int) {
        precondition(dim >= 0)
        statistics = CMVNAccumulator(dimension: dim)
    }

    /// Wraps accumulated statistics.
    public init(statistics: CMVNAccumulator) { self.statistics = statistics }

    /// Statistics read from a Kaldi object (`DM`, or `FM` as some tools write them).
    /// - Throws: `FeatureStoreError.badValue` if the shape is not 2 × (D+1) with D ≥ 1.
    public init(_ object: KaldiObject, name: String) throws {
        let m: KaldiDoubleMatrix
        switch object {
        case let .doubleMatrix(d): m = d
        case let .floatMatrix(f), let .textMatrix(f), let .compressedMatrix(_, f):
            m = KaldiDoubleMatrix(rows: f.rows, cols: f.cols, values: f.values.map(Double.init))
        default:
            throw FeatureStoreError.badValue(name: name, reason: "CMVN stats must be a matrix, found \(object.typeToken)")
        }
        guard m.rows == 2, m.cols >= 2 else {
            throw FeatureStoreError.badValue(name: name, reason: "CMVN stats of shape \(m.rows)x\(m.cols) (expected 2 x (D+1))")
        }
        let d = m.cols - 1
        statistics = CMVNAccumulator(sum: Array(m.values[0..<d]), sumSquares: Array(m.values[d + 1..<2 * d + 1]),
                                     count: m.values[d])
    }

    /// The 2 × (dim+1) matrix as Kaldi stores it.
    public var matrix: KaldiDoubleMatrix {
        KaldiDoubleMatrix(rows: 2, cols: dim + 1, values: statistics.sum + [statistics.count] + statistics.sumSquares + [0])
    }

    public var dim: Int { statistics.dimension }
    /// The (weighted) number of frames accumulated.
    public var count: Double { statistics.count }

    /// Adds every row of `features` (Kaldi's `AccCmvnStats`, weight 1), in Float64.
    /// - Precondition: `features.cols == dim`.
    public mutating func accumulate(_ features: FeatureMatrix) { statistics.add(features) }

    /// Adds other statistics (e.g. per-utterance into per-speaker).
    public mutating func add(_ other: KaldiCMVNStats) { statistics.merge(other.statistics) }

    /// Per-dimension mean Σx / n.
    public var mean: [Double] { statistics.sum.map { $0 / count } }

    /// Per-dimension variance Σx²/n − mean², floored at `varianceFloor` as `apply-cmvn` does (1e-10).
    public func variance(floor varianceFloor: Double = 1e-10) -> [Double] {
        statistics.variance(floor: varianceFloor)
    }

    /// Normalises `features` in place like `apply-cmvn [--norm-vars]`: subtract the mean and, with
    /// `normVars`, divide by the standard deviation (offset and scale computed in Float64, applied in
    /// Float32 as `x * scale + offset`).
    /// - Throws: `FeatureStoreError.badValue` if the count is < 1 or the dimensions differ.
    public func apply(to features: inout FeatureMatrix, normVars: Bool = false) throws {
        guard features.cols == dim else {
            throw FeatureStoreError.badValue(name: "apply-cmvn", reason: "features have \(features.cols) dims, stats \(dim)")
        }
        guard count >= 1 else {
            throw FeatureStoreError.badValue(name: "apply-cmvn", reason: "insufficient statistics: count \(count) < 1")
        }
        let mean = self.mean
        var scale = [Float](repeating: 1, count: dim)
        var offset = [Float](repeating: 0, count: dim)
        if normVars {
            let v = variance()
            for j in 0..<dim {
                let s = 1 / v[j].squareRoot()
                scale[j] = Float(s)
                offset[j] = Float(-mean[j] * s)
            }
        } else {
            for j in 0..<dim { offset[j] = Float(-mean[j]) }
        }
        let d = dim
        let rows = features.rows
        features.values.withUnsafeMutableBufferPointer { x in
            for t in 0..<rows {
                for j in 0..<d { x[t * d + j] = x[t * d + j] * scale[j] + offset[j] }
            }
        }
    }

    /// The statistics as a `DM` object for `KaldiArkWriter.write(key:object:)`.
    public var object: KaldiObject { .doubleMatrix(matrix) }
}
