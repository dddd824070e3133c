import Attention
import Autograd
import SeededRandom
import TensorCore
import Transformer

/// A tiny speech model config (6-d features, d 16, 2 heads, latent r 8, dn 4, dR 4, dv 4, vocab 11,
/// dropout off) of the given decoder attention variant.
func tinyConfig(_ kind: String, downRate: Int = 2, text: Bool = false, tied: Bool = false, kernels: String = "3,3") -> ModelConfig {
    var c = ModelConfig()
    c.inputMode = text ? .text : .speech
    c.inputFeatPerChannel = 6
    c.convKernelSizes = kernels
    c.convChannels = 8
    c.encoderLayers = 1
    c.encoderEmbedDim = 16
    c.encoderFfnEmbedDim = 24
    c.encoderAttentionHeads = 2
    c.encoderNormalizeBefore = !text
    c.decoderLayers = 2
    c.decoderEmbedDim = 16
    c.decoderFfnEmbedDim = 24
    c.decoderAttentionHeads = 2
    c.decoderAttType = kind
    c.decoderKvLoraRank = 8
    c.decoderQkNopeHeadDim = 4
    c.decoderQkRopeHeadDim = 4
    c.decoderVHeadDim = 4
    c.decoderDownRate = downRate
    c.decoderNormalizeBefore = !text
    c.shareDecoderInputOutputEmbed = tied
    c.ctcWeight = text ? 0 : 1
    c.dropout = 0
    c.attentionDropout = 0
    c.activationDropout = 0
    c.vocabSize = 11
    c.sourceVocabSize = text ? 13 : nil
    return c
}

/// The variants every model-level equivalence test runs over.
let modelVariants: [(String, Int)] = [("MHA", 1), ("GQA", 1), ("MQA", 1), ("MLA", 1), ("MTLA", 1), ("MTLA", 2), ("MTLA", 3)]

/// A model with random weights, its LayerNorm affine parameters perturbed too (so a misplaced norm shows).
func randomModel(_ config: ModelConfig, seed: UInt64) throws -> PrefixDecoderModel {
    var g = Xoshiro256(seed: seed)
    let m = try PrefixDecoderModel(config: config, generator: &g)
    for (name, p) in m.namedParameters() where name.contains("norm") {
        p.value = Tensor.randomUniform(p.shape, low: name.hasSuffix("weight") ? 0.5 : -0.5,
                                       high: name.hasSuffix("weight") ? 1.5 : 0.5, using: &g)
    }
    return m
}

/// Row `b` of a (B, …) tensor, keeping the first `length` entries of axis 1.
func row(_ t: Tensor, _ b: Int, length: Int) -> Tensor {
    t.slice(axis: 0, start: b, length: 1).slice(axis: 1, start: 0, length: length)
}

func row(_ t: Int32Tensor, _ b: Int, length: Int) -> Int32Tensor {
    let w = t.shape[1]
    return Int32Tensor(shape: [1, length], scalars: Array(t.scalars[(b * w)..<(b * w + length)]))
}
