import Foundation
import Autograd
import TensorCore
import Transformer

/// fairseq's `SequenceGenerator` with `BeamSearch` (spec §4.5), batched: every sentence keeps `beam`
/// rows; a step scores all rows' next tokens, takes each sentence's top 2·beam candidates over
/// beam × V (step 0: the first row only), finalises the EOS candidates among the first `beam`
/// (score / length^lenpen), keeps the first `beam` other candidates, and reorders every layer's
/// cache by their parent rows; finished sentences leave the batch. Padded rows are masked in the
/// model, so a batch gives the hypotheses of its sentences one by one.
public struct BeamSearch {
    public let options: BeamSearchOptions

    public init(options: BeamSearchOptions) throws { self.options = try options.validated() }

    /// Hypotheses per sentence of `input`, best first (up to `beam` each).
    /// - Throws: `ModelError.invalidInput` for input that does not fit the model.
    /// `meter` (optional) accumulates stage times, token counts and the caches' live bytes per step.
    public func generate(_ model: PrefixDecoderModel, input: ModelInput, context: ComputeContext,
                         meter: GenerationMeter? = nil) throws -> [[Hypothesis]] {
        let meter = meter ?? GenerationMeter()
        model.setTraining(false)
        let tape = Tape(context: context, mode: .inference)
        let (prefix, prefixLengths) = try meter.time(\.encoderSeconds) {
            let encoded = try model.encode(input, on: tape)
            let p = model.decoder.prefix(encoded, on: tape)
            return (p.states.value, p.lengths)
        }
        let sourceLength: Int
        switch input {
        case let .features(x, _): sourceLength = x.shape[1]
        case let .tokens(t, _): sourceLength = t.shape[1]
        }
        return try search(model.decoder, prefix: prefix, prefixLengths: prefixLengths, sourceLength: sourceLength,
                          context: context, meter: meter)
    }

    /// The search alone, from a decoder prefix (B, P, d) with `prefixLengths` real rows (the encoder's
    /// projected output, or any prefix, e.g. for speed measurements); `sourceLength` sets max_len.
    public func search(_ decoder: DecoderOnly, prefix: Tensor, prefixLengths: [Int], sourceLength: Int, context: ComputeContext,
                       meter: GenerationMeter? = nil) throws -> [[Hypothesis]] {
        let meter = meter ?? GenerationMeter()
        decoder.setTraining(false)
        meter.analyticFloatsPerToken = decoder.layers.items.reduce(0) { $0 + $1.selfAttention.cacheFloatsPerToken }
        let sentences = prefix.shape[0], beam = options.beam, cfg = decoder.config
        let maxLen = options.maxLength(sourceLength: sourceLength)
        let v = cfg.vocabSize, eos = cfg.eos

        var finalized = Array(repeating: [Hypothesis](), count: sentences)
        // Active sentences and, per row (sentence-major, `width` rows each), tokens and cumulative scores.
        var active = Array(0..<sentences)
        var width = 1
        var tokens = Array(repeating: [eos], count: sentences)
        var cumulative = Array(repeating: [Float](), count: sentences)
        var ignore = Array(repeating: Array(repeating: false, count: beam), count: sentences)
        let t0 = DispatchTime.now().uptimeNanoseconds
        var (state, logits) = try decoder.startDecoding(prefix: prefix, prefixLengths: prefixLengths,
                                                        tokens: Int32Tensor(shape: [sentences], repeating: eos), context: context)
        let firstSeconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        meter.decoderSeconds += firstSeconds
        meter.recordStep(cacheBytes: state.cacheBytes, tokens: (prefixLengths.max() ?? 0) + 1, seconds: firstSeconds)
        let searchStart = DispatchTime.now().uptimeNanoseconds
        var decoderNanos: UInt64 = 0
        defer {
            meter.searchSeconds += Double(DispatchTime.now().uptimeNanoseconds - searchStart - decoderNanos) / 1e9
            meter.decoderSeconds += Double(decoderNanos) / 1e9
            meter.attentionSeconds += state.attentionSeconds
            meter.sentences += sentences
            meter.generatedTokens += finalized.reduce(0) { $0 + ($1.first?.tokens.count ?? 0) }
        }
        for step in 0...maxLen {
            let lprobs = scores(logits, step: step, maxLen: maxLen, config: cfg)
            var parents: [Int] = [], next: [Int32] = []
            var nextTokens: [[Int32]] = [], nextCumulative: [[Float]] = [], nextIgnore: [[Bool]] = [], stillActive: [Int] = []
            lprobs.withUnsafeBufferPointer { lp in
                for (slot, sentence) in active.enumerated() {
                    let rows = (slot * width)..<((slot + 1) * width)
                    let candidates = topCandidates(lp, rows: step == 0 ? rows.lowerBound..<(rows.lowerBound + 1) : rows,
                                                   cumulative: cumulative, step: step, vocab: v)
                    // EOS among the first `beam` candidates finalises a hypothesis.
                    var eosMask = candidates.map { $0.token == eos && $0.score != -.infinity }
                    for j in 0..<min(beam, eosMask.count) where ignore[slot][j] { eosMask[j] = false }
                    for j in 0..<min(beam, candidates.count) where eosMask[j] && finalized[sentence].count < beam {
                        let c = candidates[j], row = c.row
                        let cum = cumulative[row] + [c.score]
                        let positional = cum.indices.map { $0 == 0 ? cum[0] : cum[$0] - cum[$0 - 1] }
                        let length = Float(step + 1)
                        finalized[sentence].append(Hypothesis(tokens: Array(tokens[row].dropFirst()) + [eos],
                                                              score: c.score / Float(Foundation.pow(Double(length), options.lenpen)),
                                                              positionalScores: positional))
                    }
                    if finalized[sentence].count >= beam || step == maxLen { continue }   // the sentence is done
                    // Next beams: the first `beam` candidates that are neither EOS nor ignored.
                    for j in 0..<min(beam, eosMask.count) { eosMask[j] = eosMask[j] || ignore[slot][j] }
                    let order = candidates.indices.sorted { (eosMask[$0] ? 1 : 0, $0) < (eosMask[$1] ? 1 : 0, $1) }.prefix(beam)
                    stillActive.append(sentence)
                    nextIgnore.append(order.map { eosMask[$0] })
                    for j in order {
                        let c = candidates[j]
                        parents.append(c.row)
                        next.append(c.token)
                        nextTokens.append(tokens[c.row] + [c.token])
                        nextCumulative.append(cumulative[c.row] + [c.score])
                    }
                }
            }
            if stillActive.isEmpty { break }
            active = stillActive
            (tokens, cumulative, ignore, width) = (nextTokens, nextCumulative, nextIgnore, beam)
            let t0 = DispatchTime.now().uptimeNanoseconds
            state.reorder(parents: parents)
            logits = try decoder.decodeStep(Int32Tensor(shape: [next.count], scalars: next), state: state, context: context)
            let elapsed = DispatchTime.now().uptimeNanoseconds - t0
            decoderNanos += elapsed
            meter.recordStep(cacheBytes: state.cacheBytes, tokens: (prefixLengths.max() ?? 0) + step + 2, seconds: Double(elapsed) / 1e9)
        }
        return finalized.map { hyps in hyps.enumerated().sorted { ($0.element.score, -$0.offset) > ($1.element.score, -$1.offset) }.map(\.element) }
    }

    struct Candidate { var score: Float; var token: Int32; var row: Int }

    /// Log-probabilities (rows, V) of the logits with fairseq's rules for `step`: temperature, NaN and
    /// pad → −∞, unk penalty, only EOS at `maxLen`, no EOS before `min_len`.
    func scores(_ logits: Tensor, step: Int, maxLen: Int, config: ModelConfig) -> Tensor {
        var scaled = logits
        if options.temperature != 1 {   // fairseq divides the logits in place (`div_`), so divide, not multiply
            let t = Float(options.temperature)
            scaled.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] /= t } }
        }
        var lp = scaled.logSoftmax()
        let v = config.vocabSize, (pad, unk, eos) = (Int(config.paddingIdx), Int(config.unk), Int(config.eos))
        lp.withUnsafeMutableBufferPointer { p in
            for r in 0..<(p.count / v) {
                let row = p.baseAddress! + r * v
                for j in 0..<v where row[j].isNaN { row[j] = -.infinity }
                row[pad] = -.infinity
                row[unk] -= Float(options.unkpen)
                if step >= maxLen {
                    for j in 0..<v where j != eos { row[j] = -.infinity }
                } else if step < options.minLen {
                    row[eos] = -.infinity
                }
            }
        }
        return lp
    }

    /// The top min(2·beam, candidates − 1) of `rows` × V by cumulative score (descending; ties by
    /// flattened index, as a stable top-k), each with its token and parent row.
    func topCandidates(_ lp: UnsafeBufferPointer<Float>, rows: Range<Int>, cumulative: [[Float]], step: Int, vocab v: Int) -> [Candidate] {
        let k = min(2 * options.beam, rows.count * v - 1)
        var best: [(Float, Int)] = []   // (score, flat index), kept sorted, at most k
        best.reserveCapacity(k + 1)
        for (b, row) in rows.enumerated() {
            let base = step == 0 ? 0 : cumulative[row][step - 1]
            for j in 0..<v {
                let s = lp[row * v + j] + base, flat = b * v + j
                if best.count == k, let last = best.last, !(s > last.0) { continue }
                var i = best.count
                while i > 0 && s > best[i - 1].0 { i -= 1 }
                best.insert((s, flat), at: i)
                if best.count > k { best.removeLast() }
            }
        }
        return best.map { Candidate(score: $0.0, token: Int32($0.1 % v), row: rows.lowerBound + $0.1 / v) }
    }
}
