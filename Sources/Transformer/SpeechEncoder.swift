import Autograd
import NN
import SeededRandom
import TensorCore

/// fairseq's `S2TTransformerEncoder` (spec §4.4): `subsample` (Conv1d subsampler with GLU), √d scale,
/// sinusoidal positions (padding index 1; padded frames get the zero row), dropout, pre-LN (or post-LN)
/// `transformer_layers`, `layer_norm` when pre-LN, and the CTC head `ctc_proj` when `ctc_weight > 0`.
/// With `encoder_type` conformer it is `S2TConformerEncoder` (absolute positions): the same front end,
/// then `linear` (d, d), dropout and `conformer_layers`, no final layer norm.
///
/// features (B, T, F) right-padded with `lengths` (B) → `EncoderOutput` (B, T', d), T' after subsampling.
public final class SpeechEncoder: Module {
    public let subsample: Conv1dSubsampler
    public let layers: EncoderLayerList
    /// The Conformer encoder's projection after the positions.
    public let linear: Linear?
    public let layerNorm: LayerNorm?
    public let ctcProjection: Linear?
    let positions: PositionalTable
    let embedScale: Float
    let inputDropout: Dropout

    public init<G: RandomNumberGenerator>(config c: ModelConfig, dropoutSeed: UInt64, generator: inout G) throws {
        let d = c.encoderEmbedDim
        subsample = Conv1dSubsampler(inChannels: c.inputFeatPerChannel * c.inputChannels, midChannels: c.convChannels,
                                     outChannels: d, kernelSizes: try c.kernelSizes(), generator: &generator)
        let conformer = c.encoderType == .conformer
        linear = conformer ? Linear(d, d, generator: &generator) : nil
        layers = EncoderLayerList((0..<c.encoderLayers).map { i -> any SequenceEncoderLayer in
            let seed = dropoutSeed &+ UInt64(10 * (i + 1))
            if conformer {
                return ConformerEncoderLayer(dim: d, ffnDim: c.encoderFfnEmbedDim, heads: c.encoderAttentionHeads,
                                             kernel: c.depthwiseConvKernelSize, dropout: c.dropout, dropoutSeed: seed, generator: &generator)
            }
            return TransformerEncoderLayer(dim: d, ffnDim: c.encoderFfnEmbedDim, heads: c.encoderAttentionHeads,
                                           normalizeBefore: c.encoderNormalizeBefore, dropout: c.dropout,
                                    attentionDropout: c.attentionDropout,
                                           activationDropout: c.activationDropout, dropoutSeed: seed, generator: &generator)
        })
        layerNorm = c.encoderNormalizeBefore && !conformer ? LayerNorm(d) : nil
        ctcProjection = c.ctcWeight > 0 ? Linear(d, c.vocabSize, generator: &generator) : nil
        positions = PositionalTable(dim: d)
        embedScale = c.embedScale(d)
        inputDropout = Dropout(p: c.dropout, generator: Xoshiro256(seed: dropoutSeed))
    }

    public var children: [(String, any Module)] {
        var list: [(String, any Module)] = [("subsample", subsample)]
        if let linear { list.append(("linear", linear)) }
        list.append((linear == nil ? "transformer_layers" : "conformer_layers", layers))
        if let layerNorm { list.append(("layer_norm", layerNorm)) }
        if let ctcProjection { list.append(("ctc_proj", ctcProjection)) }
        return list + [("dropout_module", inputDropout)]
    }

    public func callAsFunction(_ features: Variable, lengths: [Int32], on tape: Tape) -> EncoderOutput {
        let (timeMajor, outLengths) = subsample(features, lengths: lengths, maskingPadding: true, on: tape)
        var x = tape.permute(timeMajor, [1, 0, 2])                                       // (B, T', d)
        let pos = positions.embeddings(positions.positions(lengths: outLengths, time: x.shape[1]))
        x = tape.add(tape.affine(x, embedScale), Variable(pos))
        if let linear { x = linear(x, on: tape) }
        x = inputDropout(x, on: tape)
        x = layers(x, lengths: Int32Tensor(shape: [outLengths.count], scalars: outLengths), on: tape)
        if let layerNorm { x = layerNorm(x, on: tape) }
        return EncoderOutput(states: x, lengths: outLengths)
    }

    /// CTC logits (B, T', V) of the encoder states, or nil without a CTC head.
    public func ctcLogits(_ encoded: EncoderOutput, on tape: Tape) -> Variable? {
        ctcProjection.map { $0(encoded.states, on: tape) }
    }
}
