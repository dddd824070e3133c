import Attention
import Autograd
import NN
import SeededRandom
import TensorCore

/// The reference's `MTLADecoderOnlyLayer` / `RotaryDecoderOnlyLayer` / `MLADecoderOnlyLayer`
/// (spec §4.1, pitfall P7), one class for every attention variant:
///
///     h = LN_a(x);  a = SelfAttn(query h, keys [prefix; h]);  x = LN_a(x + drop_p(a))
///     x = LN_f(x + drop_p(fc2(drop_act(ReLU(fc1(x))))))
///
/// The *same* `self_attn_layer_norm` is applied before attention and after its residual; the prefix
/// (projector output) enters as extra keys/values, not normalised; residual dropout uses
/// `attention_dropout` (the reference stores `self.p` from the attention module).
/// Names: `self_attn.*` (spec §3.2), `self_attn_layer_norm`, `fc1`, `fc2`, `final_layer_norm`.
public final class DecoderOnlyLayer: Module {
    public let selfAttention: any SelfAttention
    public let selfAttentionLayerNorm: LayerNorm
    public let ffn: FFN
    public let finalLayerNorm: LayerNorm
    let residualDropout: Dropout

    public init<G: RandomNumberGenerator>(attention: any SelfAttention, dim: Int, ffnDim: Int, residualDropout p: Float,
                                          activationDropout: Float, dropoutSeed: UInt64, generator: inout G) {
        selfAttention = attention
        selfAttentionLayerNorm = LayerNorm(dim)
        ffn = FFN(dim: dim, hidden: ffnDim, activationDropout: activationDropout,
                  dropoutGenerator: Xoshiro256(seed: dropoutSeed &+ 1), generator: &generator)
        finalLayerNorm = LayerNorm(dim)
        residualDropout = Dropout(p: p, generator: Xoshiro256(seed: dropoutSeed))
    }

    public var children: [(String, any Module)] {
        [("self_attn", selfAttention), ("self_attn_layer_norm", selfAttentionLayerNorm)] + ffn.children
            + [("final_layer_norm", finalLayerNorm), ("dropout_module", residualDropout)]
    }

    /// Training path: text x (B, S, d); `prefix` (B, P, d) with `prefixLengths` real rows each;
    /// `positions` (B, P + S) as `SelfAttention` takes them. → (B, S, d).
    public func callAsFunction(_ x: Variable, prefix: Variable?, prefixLengths: [Int]?, positions: Int32Tensor,
                               on tape: Tape) -> Variable {
        let h = selfAttentionLayerNorm(x, on: tape)
        let a = selfAttention(h, prefix: prefix, prefixLengths: prefixLengths, positions: positions, keyLengths: nil, on: tape)
        return feedForward(selfAttentionLayerNorm(tape.add(x, residualDropout(a, on: tape)), on: tape), on: tape)
    }

    /// The second half of the layer, after the attention residual: (…, d) → (…, d).
    func feedForward(_ x: Variable, on tape: Tape) -> Variable {
        finalLayerNorm(tape.add(x, residualDropout(ffn(x, on: tape), on: tape)), on: tape)
    }
}
