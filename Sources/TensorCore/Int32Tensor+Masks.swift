/// Masks for `maskedFill` (nonzero = masked), in the layouts attention uses.
extension Int32Tensor {
    /// (B, T): 1 at positions `t >= lengths[b]` (padding), 0 elsewhere; fairseq's `lengths_to_padding_mask`.
    /// - Precondition: every length in `0...maxLength`.
    public static func paddingMask(lengths: [Int], maxLength: Int) -> Int32Tensor {
        var m = [Int32](repeating: 0, count: lengths.count * maxLength)
        for (b, n) in lengths.enumerated() {
            precondition(n >= 0 && n <= maxLength, "paddingMask: length \(n) outside 0...\(maxLength)")
            for t in n..<maxLength { m[b * maxLength + t] = 1 }
        }
        return Int32Tensor(shape: [lengths.count, maxLength], scalars: m)
    }

    /// (T, S): 1 where key s lies in the future of query t (s > t + offset), for a causal decoder;
    /// `offset` is the number of cached positions before the first query.
    public static func causalMask(queries t: Int, keys s: Int, offset: Int = 0) -> Int32Tensor {
        var m = [Int32](repeating: 0, count: t * s)
        for i in 0..<t { for j in 0..<s where j > i + offset { m[i * s + j] = 1 } }
        return Int32Tensor(shape: [t, s], scalars: m)
    }
}
