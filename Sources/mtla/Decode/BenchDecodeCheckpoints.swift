import ArgumentParser
import Corpus
import Decoding
import Foundation
import Scoring
import TensorCore
import Transformer

extension BenchDecodeCommand {
    /// `--checkpoint NAME=MODEL …`: every model decodes `--manifest` as `mtla decode` would (its
    /// decode directory under `out/NAME/`), and the rows get the quality against the references and
    /// the paired-bootstrap p-value against the MHA row (else the first).
    func compareCheckpoints(_ out: URL) throws {
        guard let manifest, let dict else { throw ValidationError("--checkpoint needs --manifest and --dict") }
        guard ["bleu", "wer", "cer", "intent", "rouge"].contains(metric) else { throw ValidationError("--metric must be bleu, wer, cer, intent or rouge") }
        let givenReferences = try references.map { path -> [String] in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read --references \(path)") }
            var lines = text.components(separatedBy: "\n")
            if lines.last == "" { lines.removeLast() }
            return lines
        }
        let named: [(name: String, path: String)] = try checkpoints.map { spec in
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--checkpoint expects NAME=MODEL, got '\(spec)'")
            }
            return (parts[0], parts[1])
        }
        if let twice = Dictionary(grouping: named.map(\.name), by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw ValidationError("--checkpoint name \(twice) given twice")
        }
        let options = try DecodeOptionGroup.parse([
            "--manifest", manifest, "--dict", dict, "--beam", "\(beam)", "--batch-frames", "\(batchFrames)",
            "--max-len-a", "\(maxLenA)", "--max-len-b", "\(maxLenB)", "--lenpen", "\(lenpen)",
            "--post-process", postProcess, "--cmvn", cmvn, "--threads", "\(threads)"])
        let context = ComputeContext(threads: threads)
        context.activate()
        var rows: [Row] = [], curves: [(String, [(tokens: Int, cacheBytes: Int, seconds: Double)])] = []
        var segmentStatistics: [[[Int]]] = []
        for (name, path) in named {
            let model = try DecodeOptionGroup.loadModel(path)
            let (dataset, targets) = try options.dataset(for: model.config)
            let run = try options.decodeRun(for: model.config, symbols: targets.dictionary.symbols)
            if let givenReferences, givenReferences.count != dataset.count {
                throw ValidationError("--references \(references ?? ""): \(givenReferences.count) lines for \(dataset.count) inputs")
            }
            let references = try (0..<dataset.count).map { i -> String in
                if let givenReferences { return givenReferences[i] }
                guard let r = dataset.referenceText(i) else {
                    throw ValidationError("\(manifest): input \(dataset.id(i)) has no reference text (quality needs one per input)")
                }
                return r
            }
            Console.info("\(name) (\(DecodeOptionGroup.variantName(model.config)), \(model.decoder.parameterCount) decoder parameters): "
                + "decoding \(dataset.count) inputs, beam \(beam)")
            let meter = GenerationMeter()
            meter.recordsSteps = true
            TensorMemory.resetPeak()
            let sampler = MemorySampler()
            let bar = ProgressReporter(label: name, total: dataset.count, unit: "sent")
            let results = try run.decode(model, dataset: dataset, context: context, meter: meter) { done, _ in bar.update(done) }
            let memory = sampler.stop()
            let audio = run.secondsPerFrame.map { s in Double((0..<dataset.count).reduce(0) { $0 + dataset.sourceLength($1) }) * s }
            let report = EfficiencyReport(attention: DecodeOptionGroup.variantName(model.config), meter: meter, memory: memory, audioSeconds: audio)
            try run.write(results, dataset: dataset, report: report, to: out.appendingPathComponent(name), overwrite: overwrite)
            let hypotheses = results.map { r in r.hypotheses.first.map { run.detokenizer.text($0.tokens) } ?? "" }
            let (quality, statistics) = try score(hypotheses: hypotheses, references: references)
            segmentStatistics.append(statistics)
            var row = Row(variant: name, attention: DecodeOptionGroup.variantName(model.config), meter: meter, memory: memory)
            (row.metric, row.quality) = (metric, quality)
            rows.append(row)
            curves.append((name, meter.steps))
        }
        let base = baselineIndex(rows)
        let bootstrap = PairedBootstrap(), kind: BootstrapMetric = metric == "bleu" ? .bleu(maxOrder: 4) : .errorRate
        for i in rows.indices where i != base && metric != "rouge" {
            rows[i].pValueVsBaseline = bootstrap.compare(baseline: segmentStatistics[base], system: segmentStatistics[i], metric: kind,
                                                         baselineScore: rows[base].quality!, systemScore: rows[i].quality!).system.pValue
        }
        try finish(rows, curves: curves, out: out)
    }

    /// The row p-values are computed against: MHA's, else the first.
    func baselineIndex(_ rows: [Row]) -> Int { rows.firstIndex(where: Self.isMHA) ?? 0 }

    /// Corpus score (sacreBLEU 13a BLEU, jiwer WER/CER in percent, or intent accuracy in percent: the
    /// first word, as MTLA scores SLU) and per-segment statistics for the bootstrap (for intent,
    /// [wrong, 1]: the p-value of an accuracy difference equals that of the error-rate difference).
    /// ROUGE-L: F1 × 100 with the Porter stemmer (`mtla score rouge --mtla-preset`), no p-value.
    func score(hypotheses: [String], references: [String]) throws -> (Double, [[Int]]) {
        if metric == "rouge" {
            var rouge = ROUGE(useStemmer: true)
            return (100 * rouge.meanScore(targets: references, predictions: hypotheses).rougeL.fmeasure, [])
        }
        if metric == "intent" {
            func first(_ s: String) -> Substring? { s.split(separator: " ", omittingEmptySubsequences: true).first }
            let wrong = zip(hypotheses, references).map { h, r in first(h) == first(r) ? 0 : 1 }
            return (100 * Double(wrong.count - wrong.reduce(0, +)) / Double(max(1, wrong.count)), wrong.map { [$0, 1] })
        }
        if metric == "bleu" {
            let bleu = BLEU()
            return (bleu.corpusScore(hypotheses: hypotheses, references: [references]).score,
                    bleu.segmentStatistics(hypotheses: hypotheses, references: [references]))
        }
        var rate = ErrorRate(unit: metric == "cer" ? .character : .word, options: ErrorRateOptions(allowEmptyReferences: true))
        let total = try rate.score(references: references, hypotheses: hypotheses).rate * 100
        let statistics = zip(references, hypotheses).map { r, h -> [Int] in
            let a = rate.alignment(reference: r, hypothesis: h)
            return [a.counts.errors, a.ref.count]
        }
        return (total, statistics)
    }
}
