// inp (B, T, H, D) [or (B, T, D), H = 1], cos/sin tables (T, D/2), out (B, T, H, D)

/// Rotary position embedding, interleaved pairs (the MTLA/DeepSeek `apply_rotary_emb` layout):
/// pair (x[2i], x[2i+1]) of each head is rotated by angle pos·θ_i with θ_i = base^(−2i/D).
public enum RoPEKernels {
    /// cos and sin of pos·θ_i, each (T, D/2), computed as PyTorch does in Float32
    /// (θ_i = 1 / base^(2i/D) in Float, the angle a Float product, cos/sin rounded from Double).
    public static func tables(positions: [Int32], dim: Int, base: Float = 10_000) -> (cos: [Float], sin: [Float]) {
        precondition(dim % 2 == 0, "rope: head dimension \(dim) must be even")
        let half = dim / 2
        let theta = (0..<half).map { i in 1 / Float(powf_(base, Float(2 * i) / Float(dim))) }
        var c = [Float](repeating: 0, count: positions.count * half), s = c
        for (t, p) in positions.enumerated() {
            for i in 0..<half {
                let angle = Double(Float(p) * theta[i])
                c[t * half + i] = Float(_cos(angle)); s[t * half + i] = Float(_sin(angle))
            }
        }
        return (c, s)
    }

    /// out = rotate(inp) by the tables' angles (by minus them when `inverse`: the backward pass).
    /// In place is allowed (`out == inp`).
    public static func apply(_ inp: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                             batch: Int, seq: Int, heads: Int, dim: Int,
                             cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, inverse: Bool = false) {
        let half = dim / 2
        let sign: Float = inverse ? -1 : 1
        for b in 0..<batch {
            for t in 0..<seq {
                let c = cos + t * half, s = sin + t * half
                for h in 0..<heads {
                    let o = ((b * seq + t) * heads + h) * dim
                    for i in 0..<half {
                        let x0 = inp[o + 2 * i], x1 = inp[o + 2 * i + 1], si = sign * s[i]
                        out[o + 2 * i] = x0 * c[i] - x1 * si
                        out[o + 2 * i + 1] = x0 * si + x1 * c[i]
                    }
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func powf_(_ a: Float, _ b: Float) -> Float { Glibc.powf(a, b) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Glibc.sin(x) }
#else
import Darwin
@inline(__always) func powf_(_ a: Float, _ b: Float) -> Float { Darwin.powf(a, b) }
@inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Darwin.sin(x) }
#endif

extension Tensor {
    /// Interleaved-pair RoPE of `self` (B, T, H, D) or (B, T, D) at `positions` (T values).
    public func rotaryEmbedding(positions: [Int32], base: Float = 10_000, inverse: Bool = false, in ctx: ComputeContext = .serial) -> Tensor {
        precondition(rank == 3 || rank == 4, "rope: input must be (B, T, H, D) or (B, T, D), got \(shape)")
        let (b, t, d) = (shape[0], shape[1], shape[rank - 1]), h = rank == 4 ? shape[2] : 1
        precondition(positions.count == t, "rope: \(positions.count) positions for \(t) time steps")
        let (c, s) = RoPEKernels.tables(positions: positions, dim: d, base: base)
        var out = output(shape, ctx)
        withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
            RoPEKernels.apply(x.baseAddress!, y.baseAddress!, batch: b, seq: t, heads: h, dim: d,
                              cos: c, sin: s, inverse: inverse)
        } }
        return out
    }
}
