/// Keys or values stored once for several batch rows of a decoding attention (a sentence's prefix,
/// shared by its beams): `rows` (S, P, H, D) sequence-major; batch row b reads the first `lengths[b]`
/// rows of entry `entries[b]` (−1 and 0: none) before its own keys.
public struct SharedKeyRows: Sendable {
    public var rows: Tensor
    public var entries: [Int]
    public var lengths: [Int]

    public init(rows: Tensor, entries: [Int], lengths: [Int]) {
        precondition(rows.rank == 4 && entries.count == lengths.count, "shared rows: \(rows.shape), \(entries.count) entries")
        precondition(zip(entries, lengths).allSatisfy { e, n in n == 0 || (e >= 0 && e < rows.shape[0] && n <= rows.shape[1]) },
                     "shared rows: entries \(entries) with lengths \(lengths) for \(rows.shape)")
        (self.rows, self.entries, self.lengths) = (rows, entries, lengths)
    }

    /// Float offset of row b's first shared row.
    public func offset(_ b: Int) -> Int { max(0, entries[b]) * rows.shape[1] * rows.shape[2] * rows.shape[3] }
    /// Floats from one shared row to the next.
    public var rowStride: Int { rows.shape[2] * rows.shape[3] }
}
