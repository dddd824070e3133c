import Fbank

/// One entry of any store as `mtla store inspect` reports it: shape, float64 sum and a SHA-256 of the
/// C-order little-endian float32 values (float64 data rounded, int32 converted, audio as samples in
/// [-1, 1)), so that any two stores, whatever their format, can be compared.
public struct StoreEntrySummary: Sendable, Equatable, Codable {
    public var id: String
    /// Rows (frames, vector length, audio frames).
    public var rows: Int
    /// Columns (1 for vectors and mono audio; channels for audio).
    public var cols: Int
    /// Float64 sum of the values in their stored precision, left to right.
    public var sum: Double
    public var sha256: String

    public init(id: String, rows: Int, cols: Int, sum: Double, sha256: String) {
        self.id = id
        self.rows = rows
        self.cols = cols
        self.sum = sum
        self.sha256 = sha256
    }

    /// Summarises float32 `values` (`rows × cols`); `sum` defaults to their float64 sum (pass the sum
    /// of the original float64 data for float64 stores).
    public init(id: String, rows: Int, cols: Int, values: [Float], sum: Double? = nil) {
        var h = SHA256()
        h.update(float32: values)
        self.init(id: id, rows: rows, cols: cols,
                  sum: sum ?? values.withUnsafeBufferPointer { $0.reduce(0.0) { $0 + Double($1) } },
                  sha256: h.finalizeHex())
    }

    /// Summarises a feature matrix.
    public init(id: String, matrix: FeatureMatrix) {
        self.init(id: id, rows: matrix.rows, cols: matrix.cols, values: matrix.values)
    }
}
