import AudioIO
import Fbank
import FeatureStore
import Foundation

/// `mtla fbank --manifest …`: every utterance of a corpus into one store, in parallel, with output
/// identical for any `--jobs`, resumable after a kill (stored utterances are not recomputed), and
/// never leaving a partial store under a final name.
///
/// This function is long on purpose: it is the one place that sequences the stages (load manifest →
/// open store → optional global-CMVN pass → extract in chunks → write → manifest, side files).
struct CorpusExtraction {
    let command: FbankCommand

    func run() throws {
        let c = command.corpus
        guard let manifest = c.manifest else { return }
        guard let outDir = c.outDir else { throw CLIError.badManifest(path: manifest, reason: "corpus mode needs --out-dir") }
        let jobs = max(1, c.jobs)
        let input = try ManifestLoader.load(manifest, extraColumns: try c.parsedExtraColumns())
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)

        let sink: FeatureSink
        switch c.format {
        case .zip:
            let name = c.name ?? input.defaultName
            sink = try ZipFeatureSink(dir: outDir, tsvName: name, inputColumns: input.columns, overwrite: command.overwrite)
        case .ark:
            sink = try ArkFeatureSink(dir: outDir, overwrite: command.overwrite)
        }
        if !sink.completed.isEmpty {
            Console.info("resuming: \(sink.completed.count) of \(input.items.count) utterances already stored")
        }
        let opener = try AudioSourceOpener(allowPipes: c.allowPipes)
        let options = command.fbank.options
        let audio = command.audioOptions
        let seed = command.fbank.seed

        /// Features of item `i`, normalised per utterance if asked (global CMVN comes later).
        func compute(_ extractor: inout FbankExtractor, _ item: ExtractionItem) -> Result<FeatureMatrix, ExtractionFailure> {
            do {
                let file = try opener.open(item.source)
                var m = try extractor.extract(file: file, request: audio.request(segment: item.segment),
                                              seed: seed, key: item.id).features
                if c.cmvn == .utterance { UtteranceCMVN().apply(to: &m) }
                return .success(m)
            } catch {
                return .failure(ExtractionFailure(id: item.id, file: item.source.displayName, error: error))
            }
        }

        var global: GlobalCMVN?
        if c.cmvn == .global {
            global = try globalStatistics(input.items, jobs: jobs, options: options, outDir: outDir, compute: compute)
        }

        let todo = input.items.filter { !sink.completed.contains($0.id) }
        let progress = ProgressReporter(label: "fbank", total: todo.count)
        var skipped: [ExtractionFailure] = []
        var emptyCount = 0
        let chunk = 32 * jobs
        for start in stride(from: 0, to: todo.count, by: chunk) {
            let slice = Array(todo[start..<min(start + chunk, todo.count)])
            let results = parallelMap(count: slice.count, jobs: jobs,
                                      makeState: { FbankExtractor(options: options, strict: audio.strict) }) { ex, i in
                compute(&ex, slice[i])
            }
            for (item, result) in zip(slice, results) {
                switch result {
                case .success(var m):
                    if m.rows == 0 {
                        emptyCount += 1
                        Console.warn("\(item.id) (\(item.source.displayName)): shorter than one frame, stored as (0, \(m.cols))")
                    }
                    if let global { try global.apply(to: &m, name: item.id) }
                    try sink.append(id: item.id, features: m)
                case .failure(let f):
                    guard c.skipBad else { throw f }
                    Console.warn("skipping \(f)")
                    skipped.append(f)
                }
            }
            progress.update(min(start + chunk, todo.count))
        }
        if todo.isEmpty { progress.update(0) }
        let written = try sink.finish(items: input.items)
        try writeSideFiles(outDir: outDir, input: input, skipped: skipped, stored: sink.completed.count)
        Console.info("stored \(sink.completed.count) utterances (\(emptyCount) empty, \(skipped.count) skipped) in \(written.joined(separator: ", "))")
    }

    /// First pass of `--cmvn global`: mean/std over every frame, written as DIR/gcmvn.npz.
    private func globalStatistics(_ items: [ExtractionItem], jobs: Int, options: FbankOptions, outDir: String,
                                  compute: (inout FbankExtractor, ExtractionItem) -> Result<FeatureMatrix, ExtractionFailure>) throws -> GlobalCMVN {
        var stats = CMVNAccumulator(dimension: options.featureDimension)
        let progress = ProgressReporter(label: "gcmvn stats", total: items.count)
        let chunk = 32 * jobs
        for start in stride(from: 0, to: items.count, by: chunk) {
            let slice = Array(items[start..<min(start + chunk, items.count)])
            let results = parallelMap(count: slice.count, jobs: jobs,
                                      makeState: { FbankExtractor(options: options, strict: command.audioOptions.strict) }) { ex, i in
                compute(&ex, slice[i])
            }
            for r in results { if case .success(let m) = r { stats.add(m) } }
            progress.update(min(start + chunk, items.count))
        }
        guard stats.count > 0 else { throw FbankError.noFrames(name: command.corpus.manifest ?? "manifest") }
        let cmvn = GlobalCMVN(statistics: stats)
        try GlobalCMVNFile.write(cmvn,
                                 to: (outDir as NSString).appendingPathComponent("gcmvn.npz"), overwrite: command.overwrite)
        return cmvn
    }

    /// `DIR/extraction.json` (the resolved options) and `DIR/skipped.tsv` (id, file, error).
    private func writeSideFiles(outDir: String, input: LoadedManifest, skipped: [ExtractionFailure], stored: Int) throws {
        let c = command.corpus
        let record = ExtractionRecord(manifest: c.manifest ?? "", format: c.format.rawValue, cmvn: c.cmvn.rawValue,
                                      fbank: command.fbank.options, channel: command.audioOptions.channel,
                                      resampleTo: command.audioOptions.resampleTo, seed: command.fbank.seed,
                                      utterances: input.items.count, stored: stored, skipped: skipped.count)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try enc.encode(record)) + [10], to: (outDir as NSString).appendingPathComponent("extraction.json"))
        let skippedPath = (outDir as NSString).appendingPathComponent("skipped.tsv")
        if !skipped.isEmpty {
            var text = "id\tfile\terror\n"
            for f in skipped {
                let e = "\(f.error)".replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ")
                text += "\(f.id)\t\(f.file)\t\(e)\n"
            }
            try AtomicFile.write(Array(text.utf8), to: skippedPath)
        }
    }
}

/// What `DIR/extraction.json` records: how the store was made, CMVN included.
struct ExtractionRecord: Codable {
    var manifest: String
    var format: String
    var cmvn: String
    var fbank: FbankOptions
    var channel: Int
    var resampleTo: Int?
    var seed: UInt64
    var utterances: Int
    var stored: Int
    var skipped: Int
}
