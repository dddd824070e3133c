import Autograd
import NN
import SeededRandom
import TensorCore

/// fairseq's `TransformerEncoderLayer`: self-attention and feed-forward blocks, each with a residual,
/// pre-LN (`normalize_before`, the speech encoders) or post-LN (fairseq's text default).
/// Names: `self_attn.*`, `self_attn_layer_norm`, `fc1`, `fc2`, `final_layer_norm`.
/// x (B, T, d), `lengths` (B) valid frames → (B, T, d). Residual dropout uses `dropout`.
public final class TransformerEncoderLayer: SequenceEncoderLayer {
    public let selfAttention: EncoderSelfAttention
    public let selfAttentionLayerNorm: LayerNorm
    public let ffn: FFN
    public let finalLayerNorm: LayerNorm
    public let normalizeBefore: Bool
    let residualDropout: Dropout

    public init<G: RandomNumberGenerator>(dim: Int, ffnDim: Int, heads: Int, normalizeBefore: Bool, dropout: Float,
                                          attentionDropout: Float = 0, activationDropout: Float, dropoutSeed: UInt64,
                                          generator: inout G) {
        selfAttention = EncoderSelfAttention(dim: dim, heads: heads, dropout: attentionDropout, generator: &generator)
        selfAttentionLayerNorm = LayerNorm(dim)
        ffn = FFN(dim: dim, hidden: ffnDim, activationDropout: activationDropout,
                  dropoutGenerator: Xoshiro256(seed: dropoutSeed &+ 1), generator: &generator)
        finalLayerNorm = LayerNorm(dim)
        self.normalizeBefore = normalizeBefore
        residualDropout = Dropout(p: dropout, generator: Xoshiro256(seed: dropoutSeed))
    }

    public var children: [(String, any Module)] {
        [("self_attn", selfAttention), ("self_attn_layer_norm", selfAttentionLayerNorm)] + ffn.children
            + [("final_layer_norm", finalLayerNorm), ("dropout_module", residualDropout)]
    }

    public func callAsFunction(_ x: Variable, lengths: Int32Tensor, on tape: Tape) -> Variable {
        var residual = x
        var h = normalizeBefore ? selfAttentionLayerNorm(x, on: tape) : x
        h = tape.add(residual, residualDropout(selfAttention(h, lengths: lengths, on: tape), on: tape))
        if !normalizeBefore { h = selfAttentionLayerNorm(h, on: tape) }
        residual = h
        if normalizeBefore { h = finalLayerNorm(h, on: tape) }
        h = tape.add(residual, residualDropout(ffn(h, on: tape), on: tape))
        return normalizeBefore ? h : finalLayerNorm(h, on: tape)
    }
}
