import Autograd
import NN
import SeededRandom
import TensorCore

/// fairseq's `MultiheadAttention` as the encoders use it: bidirectional self-attention with biased
/// `q_proj`, `k_proj`, `v_proj`, `out_proj` (d, d), q scaled by d_h^(−1/2) after its projection, no
/// positional rotation, padded keys masked. x (B, T, d) with `lengths` (B) → (B, T, d).
///
/// In training the attention weights get dropout `dropout` (fairseq's `attention_dropout`), inside the kernel.
public final class EncoderSelfAttention: Module {
    public let qProj: Linear, kProj: Linear, vProj: Linear, outProj: Linear
    public let heads: Int
    let attentionDropout: Dropout

    /// fairseq initialises q/k/v with xavier-uniform gain 1/√2 and out_proj with xavier-uniform, biases 0.
    public init<G: RandomNumberGenerator>(dim: Int, heads: Int, dropout: Float = 0, generator: inout G) {
        precondition(dim % heads == 0, "EncoderSelfAttention: \(dim) not divisible by \(heads) heads")
        self.heads = heads
        func xavier(_ gain: Float) -> Linear {
            let bound = gain * (6 / Float(2 * dim)).squareRoot()
            return Linear(weight: Tensor.randomUniform([dim, dim], low: -bound, high: bound, using: &generator), bias: Tensor(zeros: [dim]))
        }
        qProj = xavier(1 / Float(2).squareRoot())
        kProj = xavier(1 / Float(2).squareRoot())
        vProj = xavier(1 / Float(2).squareRoot())
        outProj = xavier(1)
        attentionDropout = Dropout(p: dropout, generator: Xoshiro256(seed: generator.next()))
    }

    public var children: [(String, any Module)] {
        [("k_proj", kProj), ("v_proj", vProj), ("q_proj", qProj), ("out_proj", outProj), ("dropout_module", attentionDropout)]
    }

    public func callAsFunction(_ x: Variable, lengths: Int32Tensor?, on tape: Tape) -> Variable {
        let (b, t, d) = (x.shape[0], x.shape[1], x.shape[2]), dh = d / heads
        let q = tape.reshape(tape.affine(qProj(x, on: tape), 1 / Float(dh).squareRoot()), [b, t, heads, dh])
        let k = tape.reshape(kProj(x, on: tape), [b, t, heads, dh])
        let v = tape.reshape(vProj(x, on: tape), [b, t, heads, dh])
        let o = tape.scaledDotProductAttention(q, k, v, layout: .sequenceMajor, scale: 1, keyLengths: lengths,
                                               dropout: attentionDropout.attentionDropout(on: tape))
        return outProj(tape.reshape(o, [b, t, d]), on: tape)
    }
}
