import Fbank

/// fairseq's global CMVN statistics file, `gcmvn.npz`: a stored zip of `mean.npy` and `std.npy`,
/// float32 vectors of the feature dimension (what `np.savez` writes in `prep_*_data.py`), and the
/// accumulation of those statistics (`cal_gcmvn_stats`).
public enum GlobalCMVNFile {
    /// Per-dimension mean and standard deviation.
    public struct Stats: Sendable, Equatable {
        public var mean: [Float]
        public var std: [Float]

        /// - Precondition: `mean.count == std.count`.
        public init(mean: [Float], std: [Float]) {
            precondition(mean.count == std.count, "gcmvn mean has \(mean.count) values, std \(std.count)")
            self.mean = mean
            self.std = std
        }

        /// The feature dimension.
        public var dimension: Int { mean.count }

        /// Normalises `m` in place: `(x − mean) / std` per column, in float32 as fairseq's
        /// `GlobalCMVN` transform (`np.subtract`, then `np.divide`).
        /// - Precondition: `m.cols == dimension`.
        public func apply(to m: inout FeatureMatrix) {
            precondition(m.cols == dimension, "global CMVN of dimension \(dimension) applied to \(m.cols) columns")
            let d = dimension
            mean.withUnsafeBufferPointer { mu in
                std.withUnsafeBufferPointer { sd in
                    m.values.withUnsafeMutableBufferPointer { v in
                        var k = 0
                        for _ in 0..<m.rows {
                            for j in 0..<d { v[k + j] = (v[k + j] - mu[j]) / sd[j] }
                            k += d
                        }
                    }
                }
            }
        }

        /// A normalised copy of `m`. See `apply(to:)`.
        public func applied(to m: FeatureMatrix) -> FeatureMatrix {
            var c = m
            apply(to: &c)
            return c
        }
    }

    /// Accumulates per-dimension sums over frames, in float64, as fairseq's `cal_gcmvn_stats`
    /// (mean over all frames; `std = sqrt(max(E[x²] − mean², 1e-8))`). Accumulators of disjoint
    /// parts can be merged, so the statistics can be gathered in parallel.
    public struct Accumulator: Sendable, Equatable {
        public private(set) var frames = 0
        public private(set) var sum: [Double]
        public private(set) var sumOfSquares: [Double]

        public init(dimension: Int) {
            sum = [Double](repeating: 0, count: dimension)
            sumOfSquares = [Double](repeating: 0, count: dimension)
        }

        public var dimension: Int { sum.count }

        /// Adds every row of `m`.
        /// - Precondition: `m.cols == dimension`.
        public mutating func add(_ m: FeatureMatrix) {
            precondition(m.cols == dimension, "gcmvn accumulator of dimension \(dimension) given \(m.cols) columns")
            let d = dimension
            sum.withUnsafeMutableBufferPointer { s in
                sumOfSquares.withUnsafeMutableBufferPointer { q in
                    m.values.withUnsafeBufferPointer { v in
                        var k = 0
                        for _ in 0..<m.rows {
                            for j in 0..<d {
                                let x = Double(v[k + j])
                                s[j] += x
                                q[j] += x * x
                            }
                            k += d
                        }
                    }
                }
            }
            frames += m.rows
        }

        /// Adds the sums of `other` (same dimension).
        public mutating func merge(_ other: Accumulator) {
            precondition(other.dimension == dimension, "merging gcmvn accumulators of dimensions \(dimension) and \(other.dimension)")
            for j in 0..<dimension {
                sum[j] += other.sum[j]
                sumOfSquares[j] += other.sumOfSquares[j]
            }
            frames += other.frames
        }

        /// The statistics, rounded to float32 as fairseq stores them; `nil` before any frame was added.
        public func stats() -> Stats? {
            guard frames > 0 else { return nil }
            let n = Double(frames)
            var mean = [Float](), std = [Float]()
            for j in 0..<dimension {
                let mu = sum[j] / n
                let variance = sumOfSquares[j] / n - mu * mu
                mean.append(Float(mu))
                std.append(Float(max(variance, 1e-8).squareRoot()))
            }
            return Stats(mean: mean, std: std)
        }
    }

    /// Reads `mean.npy` and `std.npy` from a `gcmvn.npz` (numpy's own files included: their local
    /// headers carry ZIP64 extra fields). float64 vectors are accepted and rounded to float32.
    /// - Throws: the zip and npy errors, `FeatureStoreError.badGlobalCMVN` for a missing array, a
    ///   non-vector, or vectors of different lengths.
    public static func read(path: String) throws -> Stats {
        let zip = try StoredZipReader(path: path)
        func vector(_ key: String) throws -> [Float] {
            guard zip.contains(key + ".npy") else {
                throw FeatureStoreError.badGlobalCMVN(path: path, reason: "no '\(key)' array (expected mean.npy and std.npy)")
            }
            return try zip.withBytes(of: zip.entry(named: key + ".npy")) { raw in
                let name = "\(path):\(key).npy"
                let h = try Npy.parseHeader(raw, name: name)
                guard h.shape.count == 1 else {
                    throw FeatureStoreError.badGlobalCMVN(path: path, reason: "\(key) has shape \(h.shape) (expected a vector)")
                }
                guard h.dtype == .float32 || h.dtype == .float64 else {
                    throw FeatureStoreError.badNpy(name: name, reason: "dtype \(h.dtype.rawValue) (expected <f4 or <f8)")
                }
                return Npy.readValues(raw, header: h)
            }
        }
        let mean = try vector("mean"), std = try vector("std")
        guard mean.count == std.count else {
            throw FeatureStoreError.badGlobalCMVN(path: path, reason: "mean has \(mean.count) values, std \(std.count)")
        }
        return Stats(mean: mean, std: std)
    }

    /// Writes `stats` as a stored `gcmvn.npz` (entries `mean.npy`, `std.npy`, float32, in that order),
    /// which `np.load` and fairseq read. Goes through `<path>.tmp` and a rename.
    /// - Parameter overwrite: replace an existing file (otherwise `FeatureStoreError.outputExists`).
    public static func write(_ stats: Stats, to path: String, overwrite: Bool = false) throws {
        let w = try StoredZipWriter(path: path, mode: overwrite ? .overwrite : .create)
        try w.add(name: "mean.npy", bytes: Npy.encode(values: stats.mean, shape: [stats.dimension]))
        try w.add(name: "std.npy", bytes: Npy.encode(values: stats.std, shape: [stats.dimension]))
        try w.finish()
    }
}
