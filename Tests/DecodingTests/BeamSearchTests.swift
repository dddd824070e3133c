import Autograd
import Decoding
import Foundation
import SeededRandom
import TensorCore
import Testing
import Transformer
import _TestSupport

/// A tiny speech model whose output favours EOS more as the decoder runs (so hypotheses end at
/// different lengths): MTLA s = 2, d 16, vocab 9.
func tinyModel(seed: UInt64, kind: String = "MTLA") throws -> PrefixDecoderModel {
    var c = ModelConfig()
    (c.inputFeatPerChannel, c.convKernelSizes, c.convChannels) = (6, "3", 8)
    (c.encoderLayers, c.encoderEmbedDim, c.encoderFfnEmbedDim, c.encoderAttentionHeads) = (1, 16, 24, 2)
    (c.decoderLayers, c.decoderEmbedDim, c.decoderFfnEmbedDim, c.decoderAttentionHeads) = (2, 16, 24, 2)
    (c.decoderAttType, c.decoderKvLoraRank, c.decoderQkNopeHeadDim, c.decoderQkRopeHeadDim, c.decoderVHeadDim) = (kind, 8, 4, 4, 4)
    (c.dropout, c.attentionDropout, c.activationDropout, c.vocabSize) = (0, 0, 0, 9)
    var g = Xoshiro256(seed: seed)
    let m = try PrefixDecoderModel(config: c, generator: &g)
    // Sharpen the distributions so that beams differ clearly.
    m.decoder.outputProjection.weight.value = m.decoder.outputProjection.weight.value * 4
    return m
}

func features(rows: Int, frames: [Int32], seed: UInt64) -> ModelInput {
    var g = Xoshiro256(seed: seed)
    let t = Int(frames.max()!)
    var x = Tensor.randomNormal([rows, t, 6], using: &g)
    x.withUnsafeMutableBufferPointer { p in   // zero padding, as a collater writes it
        for r in 0..<rows { for f in Int(frames[r])..<t { for c in 0..<6 { p[(r * t + f) * 6 + c] = 0 } } }
    }
    return .features(x, lengths: frames)
}

@Suite struct BeamSearchTests {
    /// Beam 1 is greedy decoding: argmax at every step until EOS (or EOS forced at max length).
    @Test(arguments: ["MTLA", "MHA", "MLA"]) func beamOneIsGreedy(_ kind: String) throws {
        let m = try tinyModel(seed: 3, kind: kind)
        let input = features(rows: 1, frames: [14], seed: 1)
        let hyps = try BeamSearch(options: BeamSearchOptions(beam: 1, maxLenB: 8)).generate(m, input: input, context: .serial)
        let tape = Tape(mode: .inference)
        let (prefix, lengths) = m.decoder.prefix(try m.encode(input, on: tape), on: tape)
        var (state, logits) = try m.decoder.startDecoding(prefix: prefix.value, prefixLengths: lengths,
                                                          tokens: Int32Tensor(shape: [1], scalars: [2]), context: .serial)
        var tokens: [Int32] = []
        for step in 0...8 {
            var lp = logits.logSoftmax().scalars
            lp[1] = -.infinity
            if step == 0 { lp[2] = -.infinity }
            if step == 8 { for j in lp.indices where j != 2 { lp[j] = -.infinity } }
            let best = Int32(lp.indices.max { lp[$0] < lp[$1] }!)
            tokens.append(best)
            if best == 2 { break }
            logits = try m.decoder.decodeStep(Int32Tensor(shape: [1], scalars: [best]), state: state, context: .serial)
        }
        _ = state
        #expect(hyps[0].count == 1 && hyps[0][0].tokens == tokens)
    }

    /// A padded batch of three sentences gives each sentence's hypotheses alone (beam 4); every
    /// hypothesis's positional scores are the model's teacher-forced log-probabilities of its tokens and
    /// its score their sum over length^lenpen; hypotheses come best first. 1e-4: the same sums in
    /// another order (incremental vs full path).
    @Test func batchEqualsSentencesAloneAndScoresAreConsistent() throws {
        let m = try tinyModel(seed: 5)
        let frames: [Int32] = [16, 9, 12]
        let input = features(rows: 3, frames: frames, seed: 2)
        let search = try BeamSearch(options: BeamSearchOptions(beam: 4, maxLenB: 7, lenpen: 0.7))
        let batch = try search.generate(m, input: input, context: .serial)
        guard case let .features(x, _) = input else { return }
        for r in 0..<3 {
            let alone = try search.generate(m, input: .features(x.slice(axis: 0, start: r, length: 1).slice(axis: 1, start: 0, length: Int(frames[r])),
                                                                lengths: [frames[r]]), context: .serial)[0]
            #expect(batch[r].map(\.tokens) == alone.map(\.tokens), "sentence \(r)")
            #expect(batch[r].count == 4)
            for (a, b) in zip(batch[r], alone) { #expect(abs(a.score - b.score) < 1e-4) }
            #expect(zip(batch[r], batch[r].dropFirst()).allSatisfy { $0.score >= $1.score })
            for h in batch[r] {
                let prev = Int32Tensor(shape: [1, h.tokens.count], scalars: [2] + h.tokens.dropLast())
                let one = ModelInput.features(x.slice(axis: 0, start: r, length: 1).slice(axis: 1, start: 0, length: Int(frames[r])),
                                              lengths: [frames[r]])
                let logits = try m(one, prevTokens: prev, on: Tape(mode: .inference)).logits.value
                let lp = logits.reshaped([h.tokens.count, 9]).logSoftmax().scalars
                for (i, t) in h.tokens.enumerated() {
                    #expect(abs(lp[i * 9 + Int(t)] - h.positionalScores[i]) < 1e-4, "sentence \(r) token \(i)")
                }
                let expected = h.positionalScores.reduce(0, +) / Float(pow(Double(h.tokens.count), 0.7))
                #expect(abs(expected - h.score) < 1e-4)
                #expect(h.tokens.last == 2 && !h.tokens.dropLast().contains(2) && !h.tokens.contains(1))
            }
        }
    }

    /// The meter's measured peak cache bytes equal the analytic size at the longest point of the
    /// search (every hypothesis forced to max length: prefix + BOS + max_len tokens in `beam` rows),
    /// with the prefix and BOS held once for the sentence's beams: their ⌊(P + 1)/s⌋ complete slots are
    /// shared after step 0, every later slot (MTLA: the partial one included) is each beam's own.
    @Test(arguments: [("MHA", 1), ("MLA", 1), ("MTLA", 2), ("MTLA", 3)]) func meterMeasuresTheCache(_ kind: String, _ s: Int) throws {
        var m = try tinyModel(seed: 8, kind: kind)
        if s != 2 {
            var c = m.config
            c.decoderDownRate = s
            var g = Xoshiro256(seed: 8)
            m = try PrefixDecoderModel(config: c, generator: &g)
        }
        let input = features(rows: 1, frames: [13], seed: 3)
        let meter = GenerationMeter()
        let (beam, maxLen) = (3, 6)
        let hyps = try BeamSearch(options: BeamSearchOptions(beam: beam, maxLenB: maxLen, minLen: maxLen))
            .generate(m, input: input, context: .serial, meter: meter)
        #expect(hyps[0].allSatisfy { $0.tokens.count == maxLen + 1 })
        let prefix = 7   // 13 frames → ⌊(13 − 1)/2⌋ + 1 after one stride-2 convolution
        let tokens = prefix + 1 + maxLen
        let perToken = meter.analyticFloatsPerToken
        let slots = (tokens + s - 1) / s   // MTLA: ⌈T/s⌉ slots of s tokens' worth
        let shared = (prefix + 1) / s, own = slots - shared
        #expect(Double(meter.peakCacheBytes) == Double(shared + beam * own) * Double(s) * perToken * 4)
        #expect(Double(meter.peakCacheBytes) < Double(beam * slots * s) * perToken * 4)   // than a copy per beam
        #expect(meter.decoderSteps == maxLen + 1 && meter.sentences == 1 && meter.generatedTokens == maxLen + 1)
        #expect(meter.encoderSeconds > 0 && meter.decoderSeconds > 0 && meter.searchSeconds >= 0)
        let memory = MemorySampler(interval: 0.01).stop()
        #expect(memory.peakRSS > 0 && memory.peakTensor > 0)
        let report = EfficiencyReport(attention: kind, meter: meter, memory: memory, audioSeconds: 0.13)
        #expect(report.table.contains("KV cache") && (report.realTimeFactor ?? 0) > 0)
    }

    /// Decoding keeps its large buffers (logits and activations of 64 KiB or more) in the context's
    /// buffer cache: a second decode of the same batch allocates none afresh, and a decode of 4× the
    /// steps allocates no more than a short one (this model's KV caches stay below 64 KiB, so only the
    /// per-step buffers count, and every step after the first reuses them).
    @Test func decodingReusesItsWorkspace() throws {
        var c = try tinyModel(seed: 8).config
        c.vocabSize = 5000   // (rows × 5000) float logits ≥ 64 KiB
        var g = Xoshiro256(seed: 8)
        let m = try PrefixDecoderModel(config: c, generator: &g)
        let input = features(rows: 2, frames: [13, 9], seed: 3)
        func fresh(steps: Int, twice: Bool = false) throws -> (first: Int, second: Int) {
            let context = ComputeContext(threads: 1)
            let search = try BeamSearch(options: BeamSearchOptions(beam: 4, maxLenB: steps, minLen: steps))
            _ = try search.generate(m, input: input, context: context, meter: GenerationMeter())
            let first = context.buffers!.statistics
            guard twice else { return (first.fresh, 0) }
            _ = try search.generate(m, input: input, context: context, meter: GenerationMeter())
            let second = context.buffers!.statistics
            #expect(second.reused > first.reused)
            return (first.fresh, second.fresh - first.fresh)
        }
        let short = try fresh(steps: 8, twice: true)
        #expect(short.first > 0 && short.second == 0, "fresh large buffers: first decode \(short.first), second \(short.second)")
        let long = try fresh(steps: 32)
        #expect(long.first <= short.first, "fresh large buffers: 8 steps \(short.first), 32 steps \(long.first)")
    }

    @Test func invalidOptionsAreErrors() {
        #expect(throws: DecodingError.self) { try BeamSearch(options: BeamSearchOptions(beam: 0)) }
        #expect(throws: DecodingError.self) { try BeamSearch(options: BeamSearchOptions(temperature: 0)) }
    }
}
