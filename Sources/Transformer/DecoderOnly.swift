import Attention
import Autograd
import NN
import SeededRandom
import TensorCore

/// The reference's `MTLADecoderOnly` (and its Rotary/MLA siblings; spec §4.1–4.3): `projector` maps
/// the encoder states to a prefix that every layer sees as extra keys/values; text tokens are embedded
/// (√d scale, no absolute positions: RoPE only), run through `layers`, the final `layer_norm` (speech
/// archs) and `output_projection`.
///
/// Positions (§4.2): prefix row j has position j; text token k of row b has position L_b + k, L_b the
/// row's real prefix length. Unlike the reference (pitfalls P8, P9), padded prefix rows are removed
/// from every row's keys in training and decoding, so MTLA's chunks start at the row's first key and
/// a batch gives the outputs of its rows one by one; at batch 1 without padding this is the reference.
public final class DecoderOnly: Module {
    public let embedTokens: Embedding
    public let layers: ModuleList<DecoderOnlyLayer>
    public let layerNorm: LayerNorm?
    public let outputProjection: OutputProjection
    public let projector: EncoderProjector
    public let config: ModelConfig
    let embedScale: Float
    let inputDropout: Dropout

    /// `sharedEmbedding`: the text encoder's table, used as this decoder's (`share_all_embeddings`); nil draws one.
    public init<G: RandomNumberGenerator>(config c: ModelConfig, dropoutSeed: UInt64, sharedEmbedding: Embedding? = nil,
                                          generator: inout G) throws {
        let d = c.decoderEmbedDim, kind = try c.attentionKind(), attention = try c.attentionConfig()
        config = c
        if let shared = sharedEmbedding {
            guard shared.weight.value.shape == [c.vocabSize, d] else {
                throw ModelError.invalidConfig(field: "share_all_embeddings", value: "true",
                                               expected: "an encoder table of (\(c.vocabSize), \(d)), not \(shared.weight.value.shape)")
            }
            embedTokens = shared
        } else {
            embedTokens = Embedding(c.vocabSize, d, paddingIndex: c.paddingIdx, std: 1 / Float(d).squareRoot(), generator: &generator)
        }
        var list: [DecoderOnlyLayer] = []
        for i in 0..<c.decoderLayers {
            let attn = try makeAttention(kind, config: attention, generator: &generator)
            list.append(DecoderOnlyLayer(attention: attn, dim: d, ffnDim: c.decoderFfnEmbedDim, residualDropout: c.attentionDropout,
                                         activationDropout: c.activationDropout, dropoutSeed: dropoutSeed &+ UInt64(10 * (i + 1)),
                                         generator: &generator))
        }
        layers = ModuleList(list)
        layerNorm = c.decoderNormalizeBefore ? LayerNorm(d) : nil
        outputProjection = c.shareDecoderInputOutputEmbed ? OutputProjection(weight: embedTokens.weight)
            : OutputProjection(vocabulary: c.vocabSize, dim: d, generator: &generator)
        projector = EncoderProjector(rate: c.encoderProjectorDsRate, encoderDim: c.encoderEmbedDim, decoderDim: d,
                                     generator: &generator)
        embedScale = c.embedScale(d)
        inputDropout = Dropout(p: c.dropout, generator: Xoshiro256(seed: dropoutSeed))
    }

    public var children: [(String, any Module)] {
        var list: [(String, any Module)] = [("embed_tokens", embedTokens), ("layers", layers)]
        if let layerNorm { list.append(("layer_norm", layerNorm)) }
        return list + [("output_projection", outputProjection), ("projector", projector), ("dropout_module", inputDropout)]
    }

    /// The prefix (B, T/k, d) and its real rows per batch row, from the encoder's output.
    public func prefix(_ encoded: EncoderOutput, on tape: Tape) -> (states: Variable, lengths: [Int]) {
        (projector(encoded.states, on: tape), projector.outputLengths(encoded.lengths, time: encoded.states.shape[1]))
    }

    /// √d · E[tokens]: (B, S) → (B, S, d).
    func embed(_ tokens: Int32Tensor, on tape: Tape) -> Variable {
        tape.affine(embedTokens(tokens, on: tape), embedScale)
    }

    /// Final layer norm and output projection: (…, d) → logits (…, V).
    func logits(_ x: Variable, on tape: Tape) -> Variable {
        outputProjection(layerNorm.map { $0(x, on: tape) } ?? x, on: tape)
    }

    /// Training path (teacher forcing): `prevTokens` (B, S) (EOS first) after a prefix (B, P, d) with
    /// `prefixLengths` real rows → logits (B, S, V). Padded text positions give logits that the loss
    /// must ignore; they do not affect real positions (causality).
    public func callAsFunction(_ prevTokens: Int32Tensor, prefix: Variable, prefixLengths: [Int], on tape: Tape) -> Variable {
        let (b, s, p) = (prevTokens.shape[0], prevTokens.shape[1], prefix.shape[1])
        precondition(prefix.shape[0] == b && prefixLengths.count == b, "decoder: prefix \(prefix.shape) for \(b) rows")
        let positions = Int32Tensor(shape: [b, p + s], scalars: prefixLengths.flatMap { l in
            (0..<p).map(Int32.init) + (0..<s).map { Int32(l + $0) }
        })
        var x = inputDropout(embed(prevTokens, on: tape), on: tape)
        for layer in layers.items {
            x = layer(x, prefix: prefix, prefixLengths: prefixLengths, positions: positions, on: tape)
        }
        return logits(x, on: tape)
    }
}
