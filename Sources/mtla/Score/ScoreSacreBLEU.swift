import Foundation
import Scoring

extension ScoreCommand {
    func runSacreBLEU() throws -> String {
        let (hyps, refs) = try pairedLines(rstrip: true)
        let seedString = "\(seed)"
        switch metric {
        case .bleu:
            let tok = try BLEUTokenizerKind(name: tokenize)
            let smooth = try BLEUSmoothing(name: smoothMethod)
            let bleu = BLEU(tokenizer: tok, lowercase: lowercase, smoothing: smooth, smoothValue: smoothValue, effectiveOrder: sentence)
            if sentence {
                var lines: [String] = [], objs: [JSONValue] = []
                for (k, h) in hyps[0].enumerated() {
                    let s = bleu.sentenceScore(hypothesis: h, references: refs.map { $0[k] })
                    lines.append(s.formatted(width: width, signature: ""))
                    objs.append(bleuJSON(s, signature: bleu.signature(nrefs: refs.count)))
                }
                return json ? JSONValue.array(objs).render() : lines.joined(separator: "\n")
            }
            if pairedBs {
                // The resampled BLEU formula reproduces sacreBLEU's float32 arithmetic for exp smoothing only.
                guard smooth == .exp else { throw ScoringError.invalidOption("--paired-bs supports BLEU with --smooth-method exp only") }
                let sa = bleu.segmentStatistics(hypotheses: hyps[0], references: refs)
                let sb = bleu.segmentStatistics(hypotheses: hyps[1], references: refs)
                let a = bleu.corpusScore(hypotheses: hyps[0], references: refs).score
                let b = bleu.corpusScore(hypotheses: hyps[1], references: refs).score
                let (ea, eb) = PairedBootstrap(samples: bootstrapSamples, seed: seed)
                    .compare(baseline: sa, system: sb, metric: .bleu(maxOrder: 4), baselineScore: a, systemScore: b)
                return pairedReport("BLEU", ea, eb, signature: bleu.signature(nrefs: refs.count, bootstrap: bootstrapSamples, seed: seedString))
            }
            let s = bleu.corpusScore(hypotheses: hyps[0], references: refs)
            let sig = bleu.signature(nrefs: refs.count)
            return json ? bleuJSON(s, signature: sig).render() : s.formatted(width: width, signature: sig)
        case .chrf:
            guard (1...6).contains(charOrder), (0...4).contains(wordOrder) else {
                throw ScoringError.invalidOption("chrF orders: --char-order 1...6, --word-order 0...4")
            }
            let c = CHRF(charOrder: charOrder, wordOrder: wordOrder, beta: beta, lowercase: lowercase)
            if pairedBs {
                let sa = c.segmentStatistics(hypotheses: hyps[0], references: refs)
                let sb = c.segmentStatistics(hypotheses: hyps[1], references: refs)
                let (ea, eb) = PairedBootstrap(samples: bootstrapSamples, seed: seed).compare(
                    baseline: sa, system: sb, metric: .chrf(charOrder: charOrder, wordOrder: wordOrder, beta: beta),
                    baselineScore: c.corpusScore(hypotheses: hyps[0], references: refs),
                    systemScore: c.corpusScore(hypotheses: hyps[1], references: refs))
                return pairedReport(c.name, ea, eb, signature: c.signature(nrefs: refs.count, bootstrap: bootstrapSamples, seed: seedString))
            }
            let sig = c.signature(nrefs: refs.count)
            if sentence {
                let scores = hyps[0].indices.map { k in c.sentenceScore(hypothesis: hyps[0][k], references: refs.map { $0[k] }) }
                if json { return JSONValue.array(scores.map { metricJSON(c.name, $0, sig, []) }).render() }
                return scores.map { "\(c.name)|\(sig) = \(pyFixed($0, width))" }.joined(separator: "\n")
            }
            let s = c.corpusScore(hypotheses: hyps[0], references: refs)
            return json ? metricJSON(c.name, s, sig, []).render() : "\(c.name)|\(sig) = \(pyFixed(s, width))"
        default:
            if pairedBs { throw ScoringError.invalidOption("--paired-bs is available for bleu, chrf, wer and cer") }
            let t = TER(normalized: terNormalized, noPunct: noPunct, caseSensitive: caseSensitive)
            let (s, edits, len) = t.corpusScore(hypotheses: hyps[0], references: refs)
            let sig = t.signature(nrefs: refs.count)
            return json ? metricJSON("TER", s, sig, [("num_edits", .int(edits)), ("ref_length", .number(len))]).render()
                        : "TER|\(sig) = \(pyFixed(s, width))"
        }
    }

    /// sacreBLEU's JSON fields, plus the statistics.
    func metricJSON(_ name: String, _ score: Double, _ sig: String, _ extra: [(String, JSONValue)], verbose: String? = nil) -> JSONValue {
        var o: [(String, JSONValue)] = [("name", .string(name)), ("score", .number(score)), ("signature", .string(sig))]
        if let verbose { o.append(("verbose_score", .string(verbose))) }
        o += extra
        for part in sig.split(separator: "|") {
            let kv = part.split(separator: ":", maxSplits: 1)
            if kv.count == 2 { o.append((String(kv[0]), .string(String(kv[1])))) }
        }
        return .object(o)
    }

    func bleuJSON(_ s: BLEUScore, signature: String) -> JSONValue {
        metricJSON("BLEU", s.score, signature, [
            ("counts", .array(s.counts.map { .int($0) })), ("totals", .array(s.totals.map { .int($0) })),
            ("precisions", .array(s.precisions.map { .number($0) })), ("bp", .number(s.bp)),
            ("sys_len", .int(s.sysLen)), ("ref_len", .int(s.refLen)), ("ratio", .number(s.ratio)),
        ], verbose: s.verbose)
    }

    /// sacreBLEU's `--paired-bs -f text` table (one metric), or JSON.
    func pairedReport(_ name: String, _ a: BootstrapEstimate, _ b: BootstrapEstimate, signature: String) -> String {
        if json {
            func est(_ e: BootstrapEstimate) -> JSONValue {
                .object([("score", .number(e.score)), ("p_value", e.pValue.map { .number($0) } ?? .null),
                         ("mean", .number(e.mean)), ("ci", .number(e.ci))])
            }
            return JSONValue.object([("name", .string(name)), ("signature", .string(signature)),
                                     ("baseline", .object([("system", .string(hyp[0])), ("result", est(a))])),
                                     ("system", .object([("system", .string(hyp[1])), ("result", est(b))]))]).render()
        }
        func cell(_ e: BootstrapEstimate) -> String { "\(pyFixed(e.score, 1)) (\(pyFixed(e.mean, 1)) ± \(pyFixed(e.ci, 1)))" }
        let p = b.pValue ?? 1
        let pCell = "(p = \(pyFixed(p, 4)))" + (p < 0.05 ? "*" : "")
        let table = FancyGrid.render(headers: ["System", "\(name) (μ ± 95% CI)"],
                                     rows: [["Baseline: \(hyp[0])", cell(a)], [hyp[1], cell(b) + "\n" + pCell]],
                                     align: [.right, .center])
        return table + "\n\n------------------------------------------------------------\n"
            + "Paired bootstrap resampling test with \(bootstrapSamples) resampling trials\n"
            + "\(name): \(signature)\n"
    }
}
