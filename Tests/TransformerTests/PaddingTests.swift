import Autograd
import SeededRandom
import TensorCore
import Testing
import Transformer
import _TestSupport

/// A batch gives the outputs of its rows one by one (spec §4.1 padding, issue 5): encoder states,
/// CTC logits and decoder logits at every real position, for every attention variant, speech and
/// text input. Tolerance 1e-4: the same sums in a different GEMM blocking (batched vs single rows)
/// differ by a few Float32 ulps per layer; a padding leak changes outputs by O(0.1).
@Suite struct PaddingTests {
    @Test(arguments: modelVariants.indices) func speechBatchEqualsRowsAlone(_ index: Int) throws {
        let (kind, s) = modelVariants[index]
        let m = try randomModel(tinyConfig(kind, downRate: s), seed: 40 + UInt64(index))
        var g = Xoshiro256(seed: 7)
        let frames: [Int32] = [23, 16, 9], texts = [6, 3, 5]
        let x = Tensor.randomNormal([3, 23, 6], using: &g)
        let tokens = paddedTokens(texts, width: 6, using: &g)
        try expectBatchEqualsRows(m, input: .features(x, lengths: frames), tokens: tokens, textLengths: texts) { b in
            .features(row(x, b, length: Int(frames[b])), lengths: [frames[b]])
        }
    }

    /// The training path (a recording tape, dropout off) keeps each row to its own prefix too.
    @Test(arguments: modelVariants.indices) func recordingBatchEqualsRowsAlone(_ index: Int) throws {
        let (kind, s) = modelVariants[index]
        let m = try randomModel(tinyConfig(kind, downRate: s), seed: 60 + UInt64(index))
        m.setTraining(false)
        var g = Xoshiro256(seed: 9)
        let frames: [Int32] = [21, 14, 8], texts = [5, 6, 2]
        let x = Tensor.randomNormal([3, 21, 6], using: &g)
        let tokens = paddedTokens(texts, width: 6, using: &g)
        try expectBatchEqualsRows(m, input: .features(x, lengths: frames), tokens: tokens, textLengths: texts, mode: .recording) { b in
            .features(row(x, b, length: Int(frames[b])), lengths: [frames[b]])
        }
    }

    /// The Conformer encoder (evaluation: BatchNorm's running statistics, set to non-trivial values).
    @Test func conformerBatchEqualsRowsAlone() throws {
        var config = tinyConfig("MTLA", downRate: 2)
        config.encoderType = .conformer
        config.depthwiseConvKernelSize = 5
        let m = try randomModel(config, seed: 12)
        var g = Xoshiro256(seed: 13)
        for (name, b) in m.namedBuffers() where name.hasSuffix("running_mean") || name.hasSuffix("running_var") {
            b.value = Tensor.randomUniform(b.shape, low: name.hasSuffix("var") ? 0.5 : -0.5, high: 1.5, using: &g)
        }
        m.setTraining(false)
        let frames: [Int32] = [25, 12], texts = [4, 6]
        let x = Tensor.randomNormal([2, 25, 6], using: &g)
        let tokens = paddedTokens(texts, width: 6, using: &g)
        try expectBatchEqualsRows(m, input: .features(x, lengths: frames), tokens: tokens, textLengths: texts) { b in
            .features(row(x, b, length: Int(frames[b])), lengths: [frames[b]])
        }
    }

    @Test(arguments: ["MHA", "MTLA"]) func textBatchEqualsRowsAlone(_ kind: String) throws {
        let m = try randomModel(tinyConfig(kind, downRate: 3, text: true, tied: true), seed: 5)
        var g = Xoshiro256(seed: 8)
        let sources: [Int32] = [9, 4, 7], texts = [5, 5, 2]
        let src = Int32Tensor(shape: [3, 9], scalars: sources.flatMap { l in
            (0..<9).map { $0 < Int(l) ? Int32(4 + g.nextInt(0, 9)) : 1 }
        })
        let tokens = paddedTokens(texts, width: 5, using: &g)
        try expectBatchEqualsRows(m, input: .tokens(src, lengths: sources), tokens: tokens, textLengths: texts) { b in
            .tokens(row(src, b, length: Int(sources[b])), lengths: [sources[b]])
        }
    }

    /// (B, width) decoder inputs: EOS, then random ids, then padding (id 1).
    func paddedTokens(_ lengths: [Int], width: Int, using g: inout Xoshiro256) -> Int32Tensor {
        Int32Tensor(shape: [lengths.count, width], scalars: lengths.flatMap { l in
            (0..<width).map { j -> Int32 in j == 0 ? 2 : j < l ? Int32(4 + g.nextInt(0, 7)) : 1 }
        })
    }

    func expectBatchEqualsRows(_ m: PrefixDecoderModel, input: ModelInput, tokens: Int32Tensor, textLengths: [Int],
                               mode: GradientMode = .inference, alone: (Int) -> ModelInput) throws {
        let tape = Tape(mode: mode)
        let (logits, encoded) = try m(input, prevTokens: tokens, on: tape)
        let ctc = m.ctcLogits(encoded, on: tape)
        for b in 0..<input.batch {
            let (one, oneEncoded) = try m(alone(b), prevTokens: row(tokens, b, length: textLengths[b]), on: tape)
            let frames = Int(oneEncoded.lengths[0])
            #expect(encoded.lengths[b] == oneEncoded.lengths[0])
            let enc = DifferenceStats(row(encoded.states.value, b, length: frames).scalars, oneEncoded.states.value.scalars)
            #expect(enc.maxAbs < 1e-4, "row \(b) encoder: \(enc)")
            if let ctc, let oneCTC = m.ctcLogits(oneEncoded, on: tape) {
                let d = DifferenceStats(row(ctc.value, b, length: frames).scalars, oneCTC.value.scalars)
                #expect(d.maxAbs < 1e-4, "row \(b) ctc: \(d)")
            }
            let d = DifferenceStats(row(logits.value, b, length: textLengths[b]).scalars, one.value.scalars)
            #expect(d.maxAbs < 1e-4, "row \(b) logits: \(d)")
        }
    }
}
