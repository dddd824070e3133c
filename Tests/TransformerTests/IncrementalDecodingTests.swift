import Autograd
import SeededRandom
import TensorCore
import Testing
import Transformer
import _TestSupport

/// Incremental decoding (generation step 0 with the prefix, then one token per step) gives the
/// training path's logits at every position, for every variant, in a batch whose rows have different
/// prefix lengths, including after a beam-style reorder of the rows. Tolerance 1e-4 (different
/// summation order of the same terms; a wrong position or chunk phase changes logits by O(0.1)).
@Suite struct IncrementalDecodingTests {
    @Test(arguments: modelVariants.indices) func stepsEqualTrainingPath(_ index: Int) throws {
        let (kind, s) = modelVariants[index]
        let m = try randomModel(tinyConfig(kind, downRate: s), seed: 60 + UInt64(index))
        var g = Xoshiro256(seed: 9)
        let frames: [Int32] = [21, 14, 6], width = 7
        let x = Tensor.randomNormal([3, 21, 6], using: &g)
        let tokens = Int32Tensor(shape: [3, width], scalars: (0..<3).flatMap { _ in
            (0..<width).map { $0 == 0 ? Int32(2) : Int32(4 + g.nextInt(0, 7)) }
        })
        let tape = Tape(mode: .inference)
        let (logits, encoded) = try m(.features(x, lengths: frames), prevTokens: tokens, on: tape)
        let (prefix, lengths) = m.decoder.prefix(encoded, on: tape)
        #expect(lengths == [6, 4, 2])   // ⌊(⌊(L−1)/2⌋ + 1 − 1)/2⌋ + 1 for kernels 3, 3

        func column(_ j: Int) -> Int32Tensor { Int32Tensor(shape: [3], scalars: (0..<3).map { tokens.scalars[$0 * width + j] }) }
        var (state, out) = try m.decoder.startDecoding(prefix: prefix.value, prefixLengths: lengths, tokens: column(0), context: .serial)
        var rows = [0, 1, 2]   // which original row each state row holds
        for j in 0..<width {
            if j > 0 { out = try m.decoder.decodeStep(Int32Tensor(shape: [rows.count], scalars: rows.map { tokens.scalars[$0 * width + j] }),
                                                      state: state, context: .serial) }
            for (r, original) in rows.enumerated() {
                let expected = logits.value.slice(axis: 0, start: original, length: 1).slice(axis: 1, start: j, length: 1)
                let d = DifferenceStats(out.slice(axis: 0, start: r, length: 1).scalars, expected.scalars)
                #expect(d.maxAbs < 1e-4, "\(kind) s=\(s) step \(j) row \(original): \(d)")
            }
            if j == 2 {   // beams: keep rows 2, 0, 0 (duplicate one, drop one), as a beam search would
                state.reorder(parents: [2, 0, 0])
                rows = [2, 0, 0]
            }
        }
        _ = state
    }

    /// Cache bytes during decoding equal the analytic floats per token per layer of spec §1.6 at the
    /// default attention sizes (d 512, 8 heads, r 256, dR 32): MHA 1024, GQA 256, MQA 128, MLA 288,
    /// MTLA (256 + 32)/s per token (⌈T/s⌉ slots of 288 floats).
    @Test(arguments: [("MHA", 1, 1024), ("GQA", 1, 256), ("MQA", 1, 128), ("MLA", 1, 288),
                      ("MTLA", 2, 144), ("MTLA", 3, 96), ("MTLA", 4, 72)])
    func cacheBytesMatchSpecTable(_ kind: String, _ s: Int, _ floatsPerToken: Int) throws {
        var c = tinyConfig(kind, downRate: s)
        (c.decoderEmbedDim, c.decoderAttentionHeads, c.decoderKvLoraRank, c.decoderQkNopeHeadDim) = (512, 8, 256, 64)
        (c.decoderQkRopeHeadDim, c.decoderVHeadDim, c.decoderFfnEmbedDim, c.encoderEmbedDim) = (32, 64, 64, 32)
        var g = Xoshiro256(seed: 1)
        let m = try PrefixDecoderModel(config: c, generator: &g)
        #expect(m.decoder.layers[0].selfAttention.cacheFloatsPerToken == Double(floatsPerToken))
        let (b, p) = (2, 12)
        let prefix = Tensor.randomNormal([b, p, 512], using: &g)
        let (state, _) = try m.decoder.startDecoding(prefix: prefix, prefixLengths: [p, p], tokens: Int32Tensor(shape: [b], repeating: 2),
                                                     context: .serial)
        for t in 1..<6 {
            _ = try m.decoder.decodeStep(Int32Tensor(shape: [b], repeating: 5), state: state, context: .serial)
            let tokens = p + 1 + t
            let slots = (tokens + s - 1) / s   // MTLA: one slot per chunk, the last one partial
            let perLayer = b * slots * s * floatsPerToken * 4
            #expect(state.cacheBytes == c.decoderLayers * perLayer, "\(kind) s=\(s) after \(tokens) tokens")
        }
    }
}
