/// A dense row-major Float32 matrix of features: `rows` frames × `cols` dimensions.
///
/// This is the currency between the front end (Fbank, CMVN, SpecAugment) and the feature stores
/// (npy, zip, Kaldi ark). `values.count == rows * cols`, row `t` is `values[t*cols ..< (t+1)*cols]`.
public struct FeatureMatrix: Sendable, Equatable {
    public var rows: Int
    public var cols: Int
    public var values: [Float]

    /// - Precondition: `values.count == rows * cols` (a programmer error otherwise).
    public init(rows: Int, cols: Int, values: [Float]) {
        precondition(rows >= 0 && cols >= 0 && values.count == rows * cols,
                     "FeatureMatrix \(rows)x\(cols) given \(values.count) values")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    /// A `rows × cols` matrix filled with `value`.
    public init(rows: Int, cols: Int, repeating value: Float = 0) {
        self.init(rows: rows, cols: cols, values: [Float](repeating: value, count: rows * cols))
    }

    public subscript(row: Int, col: Int) -> Float {
        get { values[row * cols + col] }
        set { values[row * cols + col] = newValue }
    }

    /// Row `t` as a new array.
    public func row(_ t: Int) -> [Float] { Array(values[t * cols ..< (t + 1) * cols]) }
}
