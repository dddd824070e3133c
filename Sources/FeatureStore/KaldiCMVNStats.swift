import Fbank

/// Kaldi CMVN statistics (`compute-cmvn-stats`, `apply-cmvn`): a 2 × (D+1) Float64 matrix, row 0 =
/// Σx per dimension with the frame count in the last column, row 1 = Σx² (last column 0).
/// Stored in arks as `DM` (`cmvn.scp`: `spk ark:offset`).
public struct KaldiCMVNStats: Sendable, Equatable {
    /// The 2 × (dim+1) matrix.
    public private(set) var matrix: KaldiDoubleMatrix

    /// Empty statistics for `dim`-dimensional features.
    public init(dim: Int) {
        precondition(dim >= 0)
        matrix = KaldiDoubleMatrix(rows: 2, cols: dim + 1, values: [Double](repeating: 0, count: 2 * (dim + 1)))
    }

    /// Statistics read from a Kaldi object (`DM`, or `FM` as some tools write them).
    /// - Throws: `FeatureStoreError.badValue` if the shape is not 2 × (D+1) with D ≥ 1.
    public init(_ object: KaldiObject, name: String) throws {
        switch object {
        case let .doubleMatrix(m): matrix = m
        case let .floatMatrix(m), let .textMatrix(m), let .compressedMatrix(_, m):
            matrix = KaldiDoubleMatrix(rows: m.rows, cols: m.cols, values: m.values.map(Double.init))
        default:
            throw FeatureStoreError.badValue(name: name, reason: "CMVN stats must be a matrix, found \(object.typeToken)")
        }
        guard matrix.rows == 2, matrix.cols >= 2 else {
            throw FeatureStoreError.badValue(name: name, reason: "CMVN stats of shape \(matrix.rows)x\(matrix.cols) (expected 2 x (D+1))")
        }
    }

    public var dim: Int { matrix.cols - 1 }
    /// The (weighted) number of frames accumulated.
    public var count: Double { matrix[0, dim] }

    /// Adds every row of `features` (Kaldi's `AccCmvnStats`, weight 1), in Float64.
    /// - Precondition: `features.cols == dim`.
    public mutating func accumulate(_ features: FeatureMatrix) {
        precondition(features.cols == dim, "features have \(features.cols) dims, stats \(dim)")
        let d = dim
        matrix.values.withUnsafeMutableBufferPointer { s in
            features.values.withUnsafeBufferPointer { x in
                for t in 0..<features.rows {
                    let row = t * d
                    for j in 0..<d {
                        let v = Double(x[row + j])
                        s[j] += v
                        s[d + 1 + j] += v * v
                    }
                }
            }
            s[d] += Double(features.rows)
        }
    }

    /// Adds other statistics (e.g. per-utterance into per-speaker).
    public mutating func add(_ other: KaldiCMVNStats) {
        precondition(other.dim == dim)
        for i in 0..<matrix.values.count { matrix.values[i] += other.matrix.values[i] }
    }

    /// Per-dimension mean Σx / n.
    public var mean: [Double] { (0..<dim).map { matrix[0, $0] / count } }

    /// Per-dimension variance Σx²/n − mean², floored at `varianceFloor` as `apply-cmvn` does (1e-10).
    public func variance(floor varianceFloor: Double = 1e-10) -> [Double] {
        (0..<dim).map { j in
            let m = matrix[0, j] / count
            return max(matrix[1, j] / count - m * m, varianceFloor)
        }
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
