import Foundation
import Scoring

extension ScoreCommand {
    /// Reads (id, text) pairs of a WER input according to `--ids`.
    func utterances(_ path: String) throws -> [(String, String)] {
        let lines = try ScoreInput.lines(path)
        let name = path == "-" ? "<stdin>" : path
        switch ids {
        case .none: return lines.map { ("", $0) }   // ids are line numbers, filled in only where a report needs them
        case .text: return try lines.enumerated().map { try WERReports.splitKaldiText($0.element, file: name, line: $0.offset + 1) }
        case .trn: return try lines.enumerated().map { try WERReports.splitTrn($0.element, file: name, line: $0.offset + 1) }
        }
    }

    func runErrorRate() throws -> String {
        let unit: ErrorRate.Unit = metric == .wer ? .word : .character
        let opts = ErrorRateOptions(lowercase: lowercase, removePunctuation: removePunctuation, allowEmptyReferences: allowEmptyRefs)
        let refU = try utterances(ref[0])
        var hypSets: [[String]] = []
        for h in hyp {
            let hu = try utterances(h)
            if ids == .none {
                try TextLines.checkPaired(hypotheses: hu.map(\.1), hypothesisName: h, references: refU.map(\.1), referenceName: ref[0])
                hypSets.append(hu.map(\.1))
            } else {
                var byId: [String: String] = [:]
                for (id, t) in hu {
                    if byId[id] != nil { throw ScoringError.utteranceMismatch(file: h, id: id, reason: "appears twice") }
                    byId[id] = t
                }
                hypSets.append(try refU.map { (id, _) in
                    guard let t = byId[id] else { throw ScoringError.utteranceMismatch(file: h, id: id, reason: "in the reference but not in the hypotheses") }
                    return t
                })
                if byId.count != refU.count {
                    let refIds = Set(refU.map(\.0))
                    let extra = hu.first { !refIds.contains($0.0) }!.0
                    throw ScoringError.utteranceMismatch(file: h, id: extra, reason: "not in the reference")
                }
            }
        }
        let refs = refU.map(\.1)
        if pairedBs {
            var stats: [[[Int]]] = [], scores: [Double] = []
            for hs in hypSets {
                var er = ErrorRate(unit: unit, options: opts)
                var st: [[Int]] = []
                let tot = try er.score(references: refs, hypotheses: hs, referenceName: ref[0]) { _, r in st.append([r.counts.errors, r.refLength]) }
                stats.append(st); scores.append(tot.refLength > 0 ? 100 * Double(tot.counts.errors) / Double(tot.refLength) : 0)
            }
            let (ea, eb) = PairedBootstrap(samples: bootstrapSamples, seed: seed)
                .compare(baseline: stats[0], system: stats[1], metric: .errorRate, baselineScore: scores[0], systemScore: scores[1])
            return pairedReport(metric == .wer ? "WER" : "CER", ea, eb, signature: "bs:\(bootstrapSamples)|seed:\(seed)|jiwer-default")
        }
        var er = ErrorRate(unit: unit, options: opts)
        let hs = hypSets[0]
        if report == .jiwer {
            // Counts only: the parallel path (no per-utterance alignment steps are needed).
            let total = try er.score(references: refs, hypotheses: hs, referenceName: ref[0], threads: threads)
            return json ? errorRateJSON(total) : "\(total.rate)"
        }
        var utts: [ScoredUtterance] = []
        var total = ErrorRateResult(counts: EditCounts(), refLength: 0, hypLength: 0)
        for k in refs.indices {
            let r0 = er.tokens(refs[k])
            if r0.isEmpty && !allowEmptyRefs { throw ScoringError.emptyReference(file: ref[0], line: k + 1) }
            let a = er.alignment(reference: refs[k], hypothesis: hs[k])
            total.counts += a.counts; total.refLength += a.ref.count; total.hypLength += a.hyp.count
            if report == .pralign || report == .sum || report == .kaldi {
                let pairs: [(ref: String?, hyp: String?)] = a.steps.map { s in
                    switch s {
                    case let .match(r, h), let .substitution(r, h): return (er.text(a.ref[r]), er.text(a.hyp[h]))
                    case let .deletion(r): return (er.text(a.ref[r]), nil)
                    case let .insertion(h): return (nil, er.text(a.hyp[h]))
                    }
                }
                utts.append(ScoredUtterance(id: ids == .none ? "\(k + 1)" : refU[k].0, counts: a.counts, refLength: a.ref.count, pairs: pairs))
            }
        }
        if json { return errorRateJSON(total) }
        switch report {
        case .kaldi: return WERReports.kaldi(utts, unit: metric == .wer ? "WER" : "CER")
        case .sum: return WERReports.sum(utts, title: hyp[0])
        case .pralign: return WERReports.pralign(utts)
        case .jiwer: return "\(total.rate)"
        }
    }

    /// The `--json` object of WER/CER (jiwer's names; rates as fractions).
    func errorRateJSON(_ total: ErrorRateResult) -> String {
        var o: [(String, JSONValue)] = [(metric == .wer ? "wer" : "cer", .number(total.rate)), ("hits", .int(total.counts.hits)),
                                        ("substitutions", .int(total.counts.substitutions)), ("deletions", .int(total.counts.deletions)),
                                        ("insertions", .int(total.counts.insertions)), ("ref_len", .int(total.refLength))]
        if metric == .wer { o += [("mer", .number(total.mer)), ("wil", .number(total.wil)), ("wip", .number(total.wip))] }
        return JSONValue.object(o).render()
    }

    func runAccuracy() throws -> String {
        let (hyps, refs) = try pairedLines(rstrip: false)
        let r = metric == .acc ? Accuracy.exactMatch(hypotheses: hyps[0], references: refs[0])
                               : Accuracy.intent(hypotheses: hyps[0], references: refs[0])
        if json { return JSONValue.object([("correct", .int(r.correct)), ("total", .int(r.total)), ("accuracy", .number(r.accuracy))]).render() }
        return "\(metric == .acc ? "Accuracy" : "Intent accuracy") = \(pyFixed(100 * r.accuracy, 2)) (\(r.correct) / \(r.total))"
    }

    func runROUGE() throws -> String {
        let (hyps, refs) = try pairedLines(rstrip: false)
        var rouge = ROUGE(useStemmer: stem || mtlaPreset)
        let m = rouge.meanScore(targets: refs[0], predictions: hyps[0])
        let all = [("rouge1", m.rouge1), ("rouge2", m.rouge2), ("rougeL", m.rougeL), ("rougeLsum", m.rougeLsum)]
        let scale = mtlaPreset ? 100.0 : 1.0
        if json {
            return JSONValue.object(all.map { ($0.0, .object([("precision", .number($0.1.precision * scale)), ("recall", .number($0.1.recall * scale)),
                                                              ("fmeasure", .number($0.1.fmeasure * scale))])) }).render()
        }
        return all.map { "\($0.0): P = \(pyFixed(100 * $0.1.precision, 2)) R = \(pyFixed(100 * $0.1.recall, 2)) F = \(pyFixed(100 * $0.1.fmeasure, 2))" }
            .joined(separator: "\n")
    }

    func runSLURP() throws -> String {
        let result: SLURPResult
        if text {
            let (hyps, refs) = try pairedLines(rstrip: false)
            let g = SLURPMetrics.examplesFromText(refs[0]), p = SLURPMetrics.examplesFromText(hyps[0])
            let order = refs[0].indices.map { "\($0 + 1)" }
            result = try SLURPMetrics.evaluate(goldOrder: order, gold: Dictionary(uniqueKeysWithValues: zip(order, g)),
                                               predictions: p.enumerated().map { ($0.offset + 1, "\($0.offset + 1)", $0.element) })
        } else {
            let g = try SLURPMetrics.readGold(try ScoreInput.data(ref[0]), name: ref[0])
            let p = try SLURPMetrics.readPredictions(try ScoreInput.data(hyp[0]), name: hyp[0])
            result = try SLURPMetrics.evaluate(goldOrder: g.order, gold: g.examples, predictions: p, predictionName: hyp[0], strict: strict)
        }
        var log = FileHandle.standardError
        if result.notPredicted > 0 { print("WARNING - Gold examples not predicted: \(result.notPredicted) (out of \(result.goldRecordings))", to: &log) }
        if !result.unknownPredictions.isEmpty {
            print("WARNING - \(result.unknownPredictions.count) predictions name files not in the gold data (ignored; --strict to fail)", to: &log)
        }
        let macro = average == "macro"
        if json {
            var o: [(String, JSONValue)] = [("average", .string(average))]
            for (key, _, t) in result.tables {
                let v = macro ? t.macro : t.micro, c = t.total
                o.append((key, .object([("precision", .number(v.precision)), ("recall", .number(v.recall)), ("f1", .number(v.f1)),
                                        ("tp", .number(c.tp)), ("fp", .number(c.fp)), ("fn", .number(c.fn))])))
            }
            o += [("gold_recordings", .int(result.goldRecordings)), ("not_predicted", .int(result.notPredicted)),
                  ("unknown_predictions", .int(result.unknownPredictions.count))]
            return JSONValue.object(o).render()
        }
        return SLURPReport.text(result, macro: macro)
    }
}

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
}
