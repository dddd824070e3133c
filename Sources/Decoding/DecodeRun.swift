import Corpus
import Foundation
import TensorCore
import Transformer

/// Decoding a dataset with a model (`mtla decode`): batches by a frame/token budget sorted by length,
/// beam search per batch, results restored to input order, and the decode directory written
/// atomically: `hyp.txt` (detokenised best hypotheses, input order), `ref.txt` (references when the
/// dataset has them), `nbest.jsonl`, `generate.txt` (fairseq-generate `S-/T-/H-/D-/P-` lines),
/// `efficiency.json` and `efficiency.txt`.
public struct DecodeRun {
    public var search: BeamSearch
    public var batching: BatchingOptions
    public var collater: Collater
    public var detokenizer: Detokenizer
    /// Hypotheses per input in `nbest.jsonl` (≤ beam).
    public var nbest = 1
    /// Seconds of audio per source frame (10 ms fbank frames), for the real-time factor; nil for text.
    public var secondsPerFrame: Double? = 0.01

    public init(search: BeamSearch, batching: BatchingOptions, collater: Collater, detokenizer: Detokenizer) {
        (self.search, self.batching, self.collater, self.detokenizer) = (search, batching, collater, detokenizer)
    }

    public struct Result: Sendable { public var id: String; public var hypotheses: [Hypothesis] }

    /// Decodes every sample of `dataset`; `progress(done, total)` after each batch.
    /// - Throws: `CorpusError` for unreadable samples, `DecodingError.invalidOption` for samples longer
    ///   than the batching limits (naming them), `ModelError` for input the model cannot take.
    public func decode(_ model: PrefixDecoderModel, dataset: any SampleDataset, context: ComputeContext, meter: GenerationMeter,
                       progress: (Int, Int) -> Void = { _, _ in }) throws -> [Result] {
        let plan = BatchPlan.build(dataset: dataset, options: batching, seed: 1, epoch: 1, shuffle: false)
        if let skipped = plan.skipped.first {
            throw DecodingError.invalidOption(name: "input \(skipped.id)", value: "\(skipped.reason)",
                                              expected: "a sample within the batch budget (raise --batch-frames)")
        }
        guard dataset.count > 0 else { throw DecodingError.invalidOption(name: "input", value: "empty", expected: "at least one sample") }
        let loader = BatchLoader(dataset: dataset, batches: plan.batches, options: .init(prefetch: 2, training: false, collater: collater))
        var results = [Result?](repeating: nil, count: dataset.count)
        var done = 0
        var it = loader.makeIterator()
        while let batch = try it.nextBatch() {
            let input = ModelInput(batch.source)
            let hyps = try search.generate(model, input: input, context: context, meter: meter)
            for (row, index) in batch.indices.enumerated() { results[index] = Result(id: batch.ids[row], hypotheses: hyps[row]) }
            done += batch.count
            progress(done, dataset.count)
        }
        return results.map { $0! }
    }

    /// Writes the decode directory (temporary names, renamed when all are complete).
    /// - Throws: `DecodingError.invalidOption` when `directory` already holds `hyp.txt` and not `overwrite`.
    public func write(_ results: [Result], dataset: any SampleDataset, report: EfficiencyReport, to directory: URL,
                      overwrite: Bool) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        if !overwrite && fm.fileExists(atPath: directory.appendingPathComponent("hyp.txt").path) {
            throw DecodingError.invalidOption(name: directory.path, value: "holds hyp.txt", expected: "a new directory or --overwrite")
        }
        var hyp = "", ref = "", nbestLines = "", generate = ""
        var references = true
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for (i, r) in results.enumerated() {
            let best = r.hypotheses.first
            let text = best.map { detokenizer.text($0.tokens) } ?? ""
            hyp += text + "\n"
            if let reference = dataset.referenceText(i) { ref += reference + "\n" } else { references = false }
            struct Entry: Encodable { var tokens: [Int32]; var pieces: [String]; var text: String; var score: Float; var positional_scores: [Float] }
            struct Line: Encodable { var id: String; var index: Int; var hypotheses: [Entry] }
            let entries = r.hypotheses.prefix(nbest).map {
                Entry(tokens: $0.tokens, pieces: detokenizer.pieces($0.tokens), text: detokenizer.text($0.tokens), score: $0.score,
                      positional_scores: $0.positionalScores)
            }
            nbestLines += String(decoding: try encoder.encode(Line(id: r.id, index: i, hypotheses: entries)), as: UTF8.self) + "\n"
            if let reference = dataset.referenceText(i) { generate += "T-\(i)\t\(reference)\n" }
            for h in r.hypotheses.prefix(nbest) {
                let pieces = detokenizer.pieces(h.tokens.filter { !detokenizer.ignored.contains($0) }).joined(separator: " ")
                generate += "H-\(i)\t\(h.score)\t\(pieces)\n"
                generate += "D-\(i)\t\(h.score)\t\(detokenizer.text(h.tokens))\n"
                generate += "P-\(i)\t" + h.positionalScores.map { String(format: "%.4f", $0) }.joined(separator: " ") + "\n"
            }
        }
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var files: [(String, Data)] = [("hyp.txt", Data(hyp.utf8)), ("nbest.jsonl", Data(nbestLines.utf8)),
                                       ("generate.txt", Data(generate.utf8)), ("efficiency.json", try encoder.encode(report)),
                                       ("efficiency.txt", Data(report.table.utf8))]
        if references { files.append(("ref.txt", Data(ref.utf8))) }
        let tmp = files.map { directory.appendingPathComponent(".\($0.0).tmp") }
        for ((_, data), url) in zip(files, tmp) { try data.write(to: url) }
        for ((name, _), url) in zip(files, tmp) {
            let final = directory.appendingPathComponent(name)
            if fm.fileExists(atPath: final.path) { try fm.removeItem(at: final) }
            try fm.moveItem(at: url, to: final)
        }
    }
}
