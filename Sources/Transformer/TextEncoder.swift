import Autograd
import NN
import SeededRandom
import TensorCore

/// fairseq's `TransformerEncoder` for the text-input mode (summarisation, spec §4.4): `embed_tokens`
/// (N(0, d^−½), padding row zero) scaled by √d, plus sinusoidal positions, dropout, `layers`
/// (post-LN by default), `layer_norm` only when pre-LN. With `share_all_embeddings` the decoder uses
/// this `embed_tokens` as its own (`PrefixDecoderModel`).
///
/// Source tokens (B, T) right-padded with `lengths` (B) → `EncoderOutput` (B, T, d). fairseq pads the
/// source on the left; positions count real tokens either way, so real rows agree.
public final class TextEncoder: Module {
    public let embedTokens: Embedding
    public let layers: EncoderLayerList
    public let layerNorm: LayerNorm?
    let positions: PositionalTable
    let embedScale: Float
    let inputDropout: Dropout
    let paddingIndex: Int32

    public init<G: RandomNumberGenerator>(config c: ModelConfig, dropoutSeed: UInt64, generator: inout G) {
        let d = c.encoderEmbedDim
        embedTokens = Embedding(c.sourceVocabSize ?? c.vocabSize, d, paddingIndex: c.paddingIdx,
                                std: 1 / Float(d).squareRoot(), generator: &generator)
        layers = EncoderLayerList((0..<c.encoderLayers).map { i in
            TransformerEncoderLayer(dim: d, ffnDim: c.encoderFfnEmbedDim, heads: c.encoderAttentionHeads,
                                    normalizeBefore: c.encoderNormalizeBefore, dropout: c.dropout,
                                    attentionDropout: c.attentionDropout,
                                    activationDropout: c.activationDropout, dropoutSeed: dropoutSeed &+ UInt64(10 * (i + 1)),
                                    generator: &generator)
        })
        layerNorm = c.encoderNormalizeBefore ? LayerNorm(d) : nil
        positions = PositionalTable(dim: d)
        embedScale = c.embedScale(d)
        inputDropout = Dropout(p: c.dropout, generator: Xoshiro256(seed: dropoutSeed))
        paddingIndex = c.paddingIdx
    }

    public var children: [(String, any Module)] {
        var list: [(String, any Module)] = [("embed_tokens", embedTokens), ("layers", layers)]
        if let layerNorm { list.append(("layer_norm", layerNorm)) }
        return list + [("dropout_module", inputDropout)]
    }

    /// - Precondition: token ids below the source vocabulary size (check data with `Int32Tensor.validate(below:)`).
    public func callAsFunction(_ tokens: Int32Tensor, lengths: [Int32], on tape: Tape) -> EncoderOutput {
        let t = tokens.shape[1]
        let pos = positions.embeddings(positions.positions(lengths: lengths, time: t))
        var x = tape.add(tape.affine(embedTokens(tokens, on: tape), embedScale), Variable(pos))
        if lengths.contains(where: { Int($0) < t }) {   // fairseq zeroes padded rows before the layers
            let keep = Tensor(shape: [lengths.count, t, 1], scalars: lengths.flatMap { l in (0..<t).map { $0 < Int(l) ? Float(1) : 0 } })
            x = tape.mul(x, Variable(keep))
        }
        x = inputDropout(x, on: tape)
        let lengthTensor = Int32Tensor(shape: [lengths.count], scalars: lengths)
        x = layers(x, lengths: lengthTensor, on: tape)
        if let layerNorm { x = layerNorm(x, on: tape) }
        return EncoderOutput(states: x, lengths: lengths)
    }
}
