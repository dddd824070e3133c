import Autograd
import NN
import SeededRandom
import TensorCore
import Testing
import Attention

/// A tiny configuration of every variant (d 8, 2 heads; latent r 8, dn 4, dR 2, dv 4) with
/// `q_lora_rank` and `bias` switchable, for gradient and equivalence checks on random weights.
func tinyConfig(qLoraRank: Int = 0, bias: Bool? = nil, downRate: Int = 2) -> AttentionConfig {
    AttentionConfig(embedDim: 8, numHeads: 2, qLoraRank: qLoraRank, kvLoraRank: 8, qkNopeHeadDim: 4, qkRopeHeadDim: 2,
                    vHeadDim: 4, downRate: downRate, bias: bias)
}

/// (B, T) positions: row b = t + offsets[b].
func rowPositions(batch: Int, length: Int, offsets: [Int32]) -> Int32Tensor {
    Int32Tensor(shape: [batch, length], scalars: (0..<batch).flatMap { b in (0..<length).map { Int32($0) + offsets[b] } })
}

/// Gradient variants: the five kinds, MLA/MTLA also with the query low-rank path and biases, MTLA s = 1…4.
let gradientCases: [(AttentionKind, AttentionConfig)] = [
    (.mha, tinyConfig()), (.gqa, tinyConfig()), (.mqa, tinyConfig()), (.mla, tinyConfig()),
    (.mla, tinyConfig(qLoraRank: 4, bias: true)), (.mtla, tinyConfig(downRate: 1)), (.mtla, tinyConfig(downRate: 2)),
    (.mtla, tinyConfig(qLoraRank: 4, bias: true, downRate: 3)), (.mtla, tinyConfig(downRate: 4)),
]

@Suite struct AttentionGradientTests {
    /// Odd cases run with a 3-key prefix, from case 3 on with per-row prefix lengths (packing).
    /// Central differences (h = 1e-2, in Float32) of L = Σ y ⊙ R against the tape's gradients with
    /// respect to the input and every parameter (up to 24 entries each). Tolerance 2e-3·max(1, |g|):
    /// the O(h²) truncation and Float32 rounding of L (|L| ~ 1, eps 6e-8, /2h) are both below 1e-3.
    @Test(arguments: gradientCases.indices) func trainingPathGradientsMatchFiniteDifferences(_ index: Int) throws {
        let (kind, config) = gradientCases[index]
        var g = Xoshiro256(seed: 11 + UInt64(index))
        let m = try makeAttention(kind, config: config, generator: &g)
        // Odd-indexed cases also run with a 3-key prefix (the decoder-only model's prompt), checking its gradient.
        let (b, t, pl) = (2, 7, index % 2 == 1 ? 3 : 0)
        let x = Variable(Tensor.randomNormal([b, t, 8], using: &g), requiresGrad: true)
        let prefix = pl > 0 ? Variable(Tensor.randomNormal([b, pl, 8], using: &g), requiresGrad: true) : nil
        let r = Tensor.randomNormal([b, t, 8], using: &g)
        let p = rowPositions(batch: b, length: t + pl, offsets: [0, 3])
        // From case 3 on, the second row's prefix has one real key and two padded ones (removed by packing).
        let prefixLengths: [Int]? = pl > 0 && index >= 3 ? [3, 1] : nil
        func loss() -> Float {
            let tape = Tape(mode: .inference)
            return (m(x, prefix: prefix, prefixLengths: prefixLengths, positions: p, keyLengths: nil, on: tape).value * r).sum().item
        }
        let tape = Tape()
        let y = m(x, prefix: prefix, prefixLengths: prefixLengths, positions: p, keyLengths: nil, on: tape)
        tape.backward(tape.sum(tape.mul(y, Variable(r))))
        var worst: Float = 0
        for (name, v) in [("x", x)] + (prefix.map { [("prefix", $0)] } ?? []) + m.namedParameters() {
            guard let grad = v.grad else {
                // The reference creates `wkv_b.bias` with bias=True but never uses it.
                #expect(name == "wkv_b.bias", "no gradient for \(name)")
                continue
            }
            var draw = Xoshiro256(seed: UInt64(name.count))
            let picks = v.value.count <= 24 ? Array(0..<v.value.count) : (0..<24).map { _ in draw.nextInt(0, v.value.count) }
            for i in picks {
                let h: Float = 1e-2
                let saved = v.value.scalars[i]
                v.value.withUnsafeMutableBufferPointer { $0[i] = saved + h }
                let up = loss()
                v.value.withUnsafeMutableBufferPointer { $0[i] = saved - h }
                let down = loss()
                v.value.withUnsafeMutableBufferPointer { $0[i] = saved }
                let fd = (up - down) / (2 * h), an = grad.scalars[i]
                let err = abs(fd - an) / max(1, abs(an))
                worst = max(worst, err)
                #expect(err <= 2e-3, "\(kind) \(name)[\(i)]: finite difference \(fd), tape \(an)")
            }
        }
        #expect(worst.isFinite)
    }
}
