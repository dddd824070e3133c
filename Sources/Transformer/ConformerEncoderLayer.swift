import Autograd
import NN
import SeededRandom
import TensorCore

/// fairseq's Conformer `FeedForwardModule`: `layer_norm`, `w_1` (hidden, d), swish, dropout, `w_2`, dropout.
public final class ConformerFeedForward: Module {
    public let layerNorm: LayerNorm, w1: Linear, w2: Linear
    let dropout1: Dropout, dropout2: Dropout

    init<G: RandomNumberGenerator>(dim: Int, hidden: Int, dropout: Float, dropoutSeed: UInt64, generator: inout G) {
        layerNorm = LayerNorm(dim)
        w1 = Linear(dim, hidden, generator: &generator)
        w2 = Linear(hidden, dim, generator: &generator)
        dropout1 = Dropout(p: dropout, generator: Xoshiro256(seed: dropoutSeed))
        dropout2 = Dropout(p: dropout, generator: Xoshiro256(seed: dropoutSeed &+ 1))
    }

    public var children: [(String, any Module)] {
        [("layer_norm", layerNorm), ("w_1", w1), ("w_2", w2), ("dropout1", dropout1), ("dropout2", dropout2)]
    }

    func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        dropout2(w2(dropout1(tape.activation(w1(layerNorm(x, on: tape), on: tape), .silu), on: tape), on: tape), on: tape)
    }
}

/// fairseq's Conformer `ConvolutionModule`: `layer_norm`, `pointwise_conv1` (2C, C, 1) → GLU,
/// `depthwise_conv` (C, 1, K), `batch_norm`, swish, `pointwise_conv2` (C, C, 1), dropout; no biases.
/// x (B, T, C) → (B, T, C). Padded frames are zeroed before the depthwise convolution, so they reach
/// real frames exactly as the zero padding of a row alone would (the reference lets them through).
public final class ConformerConvolution: Module {
    public let layerNorm: LayerNorm
    public let pointwiseConv1: Conv1d, depthwiseConv: DepthwiseConv1d, batchNorm: BatchNorm1d, pointwiseConv2: Conv1d
    let dropout: Dropout

    init<G: RandomNumberGenerator>(dim: Int, kernel: Int, dropout p: Float, dropoutSeed: UInt64, generator: inout G) {
        layerNorm = LayerNorm(dim)
        pointwiseConv1 = Conv1d(dim, 2 * dim, kernel: 1, bias: false, generator: &generator)
        depthwiseConv = DepthwiseConv1d(channels: dim, kernel: kernel, generator: &generator)
        batchNorm = BatchNorm1d(dim)
        pointwiseConv2 = Conv1d(dim, dim, kernel: 1, bias: false, generator: &generator)
        dropout = Dropout(p: p, generator: Xoshiro256(seed: dropoutSeed))
    }

    public var children: [(String, any Module)] {
        [("layer_norm", layerNorm), ("pointwise_conv1", pointwiseConv1), ("depthwise_conv", depthwiseConv),
         ("batch_norm", batchNorm), ("pointwise_conv2", pointwiseConv2), ("dropout", dropout)]
    }

    func callAsFunction(_ x: Variable, lengths: [Int32], on tape: Tape) -> Variable {
        let (b, t) = (x.shape[0], x.shape[1])
        var h = tape.glu(pointwiseConv1(tape.transpose(layerNorm(x, on: tape), 1, 2), on: tape), axis: 1)   // (B, C, T)
        if lengths.contains(where: { Int($0) < t }) {
            let keep = Tensor(shape: [b, 1, t], scalars: lengths.flatMap { l in (0..<t).map { $0 < Int(l) ? Float(1) : 0 } })
            h = tape.mul(h, Variable(keep))
        }
        h = tape.activation(batchNorm(depthwiseConv(h, on: tape), lengths: lengths, on: tape), .silu)
        return tape.transpose(dropout(pointwiseConv2(h, on: tape), on: tape), 1, 2)
    }
}

/// fairseq's `ConformerEncoderLayer` with absolute positions (the SLU encoder, spec §4.4):
///
///     x = x + ½·ffn1(x);  x = x + drop(self_attn(self_attn_layer_norm(x)));  x = x + conv_module(x)
///     x = final_layer_norm(x + ½·ffn2(x))
///
/// self_attn is fairseq's `MultiheadAttention` (`q_proj`, `k_proj`, `v_proj`, `out_proj`).
public final class ConformerEncoderLayer: SequenceEncoderLayer {
    public let ffn1: ConformerFeedForward
    public let selfAttentionLayerNorm: LayerNorm
    public let selfAttention: EncoderSelfAttention
    public let convModule: ConformerConvolution
    public let ffn2: ConformerFeedForward
    public let finalLayerNorm: LayerNorm
    let attentionDropout: Dropout

    public init<G: RandomNumberGenerator>(dim: Int, ffnDim: Int, heads: Int, kernel: Int, dropout: Float,
                                          dropoutSeed: UInt64, generator: inout G) {
        ffn1 = ConformerFeedForward(dim: dim, hidden: ffnDim, dropout: dropout, dropoutSeed: dropoutSeed, generator: &generator)
        selfAttentionLayerNorm = LayerNorm(dim)
        attentionDropout = Dropout(p: dropout, generator: Xoshiro256(seed: dropoutSeed &+ 2))
        selfAttention = EncoderSelfAttention(dim: dim, heads: heads, dropout: dropout, generator: &generator)
        convModule = ConformerConvolution(dim: dim, kernel: kernel, dropout: dropout, dropoutSeed: dropoutSeed &+ 3, generator: &generator)
        ffn2 = ConformerFeedForward(dim: dim, hidden: ffnDim, dropout: dropout, dropoutSeed: dropoutSeed &+ 4, generator: &generator)
        finalLayerNorm = LayerNorm(dim)
    }

    public var children: [(String, any Module)] {
        [("ffn1", ffn1), ("self_attn_layer_norm", selfAttentionLayerNorm), ("self_attn_dropout", attentionDropout),
         ("self_attn", selfAttention), ("conv_module", convModule), ("ffn2", ffn2), ("final_layer_norm", finalLayerNorm)]
    }

    public func callAsFunction(_ x: Variable, lengths: Int32Tensor, on tape: Tape) -> Variable {
        var h = tape.add(x, tape.affine(ffn1(x, on: tape), 0.5))
        h = tape.add(h, attentionDropout(selfAttention(selfAttentionLayerNorm(h, on: tape), lengths: lengths, on: tape), on: tape))
        h = tape.add(h, convModule(h, lengths: lengths.scalars, on: tape))
        return finalLayerNorm(tape.add(h, tape.affine(ffn2(h, on: tape), 0.5)), on: tape)
    }
}
