import Fbank

/// fairseq's global CMVN statistics file, `gcmvn.npz`: a stored zip of `mean.npy` and `std.npy`,
/// float32 vectors of the feature dimension (what `np.savez` writes in `prep_*_data.py`). The
/// statistics themselves are Fbank's `GlobalCMVN` (accumulated with `CMVNAccumulator`, as fairseq's
/// `cal_gcmvn_stats`).
public enum GlobalCMVNFile {
    /// Reads `mean.npy` and `std.npy` from a `gcmvn.npz` (numpy's own files included: their local
    /// headers carry ZIP64 extra fields). float64 vectors are accepted and rounded to float32.
    /// - Throws: the zip and npy errors, `FeatureStoreError.badGlobalCMVN` for a missing array, a
    ///   non-vector, or vectors of different lengths.
    public static func read(path: String) throws -> GlobalCMVN {
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
        return GlobalCMVN(mean: mean, std: std)
    }

    /// Writes `stats` as a stored `gcmvn.npz` (entries `mean.npy`, `std.npy`, float32, in that order),
    /// which `np.load` and fairseq read. Goes through `<path>.tmp` and a rename.
    /// - Parameter overwrite: replace an existing file (otherwise `FeatureStoreError.outputExists`).
    public static func write(_ stats: GlobalCMVN, to path: String, overwrite: Bool = false) throws {
        let w = try StoredZipWriter(path: path, mode: overwrite ? .overwrite : .create)
        try w.add(name: "mean.npy", bytes: Npy.encode(values: stats.mean, shape: [stats.mean.count]))
        try w.add(name: "std.npy", bytes: Npy.encode(values: stats.std, shape: [stats.mean.count]))
        try w.finish()
    }
}
