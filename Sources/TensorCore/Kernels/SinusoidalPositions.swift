// table (N, D): row p = [sin(p·f_0) … sin(p·f_{h−1}), cos(p·f_0) … cos(p·f_{h−1})] (+ a zero column if D odd),
// f_i = exp(−i·ln(10000)/(h−1)), h = D/2; positions from tokens (B, T) → (B, T)
import Foundation

/// fairseq's `SinusoidalPositionalEmbedding`: the table layout (sines then cosines, the padding row
/// zeroed) and `make_positions` (non-padding tokens numbered from paddingIndex + 1).
public enum SinusoidalPositions {
    /// The (count, dim) table of `SinusoidalPositionalEmbedding.get_embedding`, in Float32 as fairseq
    /// computes it. - Precondition: dim ≥ 4 (fairseq divides by dim/2 − 1).
    public static func table(count: Int, dim: Int, paddingIndex: Int?) -> Tensor {
        precondition(dim >= 4, "sinusoidal positions need dim ≥ 4, got \(dim)")
        let half = dim / 2
        let step = Float(-Foundation.log(10_000.0) / Double(half - 1))
        let freq = (0..<half).map { Float(Foundation.exp(Double(Float(i: $0) * step))) }
        var t = Tensor(zeros: [count, dim])
        t.withUnsafeMutableBufferPointer { p in
            for pos in 0..<count where pos != paddingIndex {
                for i in 0..<half {
                    let a = Double(Float(pos) * freq[i])
                    p[pos * dim + i] = Float(Foundation.sin(a))
                    p[pos * dim + half + i] = Float(Foundation.cos(a))
                }
            }
        }
        return t
    }

    /// fairseq `make_positions`: paddingIndex + (running count of non-padding tokens) for non-padding
    /// tokens, paddingIndex for padding, per row of `tokens` (B, T).
    public static func positions(tokens: Int32Tensor, paddingIndex: Int32) -> Int32Tensor {
        precondition(tokens.rank == 2, "positions: tokens must be (B, T), got \(tokens.shape)")
        let (b, t) = (tokens.shape[0], tokens.shape[1])
        var out = [Int32](repeating: paddingIndex, count: b * t)
        for r in 0..<b {
            var n: Int32 = 0
            for j in 0..<t where tokens.scalars[r * t + j] != paddingIndex {
                n += 1
                out[r * t + j] = paddingIndex + n
            }
        }
        return Int32Tensor(shape: tokens.shape, scalars: out)
    }
}

private extension Float {
    init(i: Int) { self.init(i) }
}
