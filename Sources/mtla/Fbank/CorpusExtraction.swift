import AudioIO
import Distributed
import Fbank
import FeatureStore
import Foundation

/// `mtla fbank --manifest …`: every utterance of a corpus into one store, in parallel, with output
/// identical for any `--jobs`, resumable after a kill (stored utterances are not recomputed), and
/// never leaving a partial store under a final name. Under `mpirun -np N` the utterances are
/// sharded across the ranks (`ShardedExtraction`), with the same final store.
///
/// The stages: load manifest → open store → optional global-CMVN pass → extract in chunks → write
/// → manifest, side files.
struct CorpusExtraction {
    let command: FbankCommand

    /// What an extraction pass over some utterances did.
    struct Outcome {
        var skipped: [ExtractionFailure] = []
        var empty = 0
    }

    func run() throws {
        try DistributedJob.run { communicator in
            if communicator.size > 1 {
                try ShardedExtraction(extraction: self, communicator: communicator).run()
            } else {
                try runSingleProcess()
            }
        }
    }

    private func runSingleProcess() throws {
        let (input, outDir) = try loadInput()
        let sink = try makeSink(dir: outDir, input: input)
        if !sink.completed.isEmpty {
            Console.info("resuming: \(sink.completed.count) of \(input.items.count) utterances already stored")
        }
        var global: GlobalCMVN?
        if command.corpus.cmvn == .global {
            let cmvn = try globalCMVN(try statistics(input.items, label: "gcmvn stats"))
            try writeGlobalCMVN(cmvn, outDir: outDir)
            global = cmvn
        }
        let todo = input.items.filter { !sink.completed.contains($0.id) }
        let outcome = try extract(todo, into: sink, global: global, progress: ProgressReporter(label: "fbank", total: todo.count))
        let written = try sink.finish(items: input.items)
        try writeSideFiles(outDir: outDir, input: input, skipped: outcome.skipped, stored: sink.completed.count)
        Console.info("stored \(sink.completed.count) utterances (\(outcome.empty) empty, \(outcome.skipped.count) skipped) in \(written.joined(separator: ", "))")
    }

    /// The manifest's utterances and the output directory (created).
    func loadInput() throws -> (LoadedManifest, String) {
        let c = command.corpus
        guard let manifest = c.manifest else { throw CLIError.badManifest(path: "", reason: "corpus mode needs --manifest") }
        guard let outDir = c.outDir else { throw CLIError.badManifest(path: manifest, reason: "corpus mode needs --out-dir") }
        let input = try ManifestLoader.load(manifest, extraColumns: try c.parsedExtraColumns())
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        return (input, outDir)
    }

    /// The store of `--format` in `dir` (resuming a partial one there).
    func makeSink(dir: String, input: LoadedManifest) throws -> FeatureSink {
        switch command.corpus.format {
        case .zip:
            return try ZipFeatureSink(dir: dir, tsvName: command.corpus.name ?? input.defaultName, inputColumns: input.columns,
                                      overwrite: command.overwrite)
        case .ark:
            return try ArkFeatureSink(dir: dir, overwrite: command.overwrite)
        }
    }

    /// The files a finished store of `--format` has in `dir`.
    func finalOutputs(dir: String, input: LoadedManifest) -> [String] {
        let names = switch command.corpus.format {
        case .zip: ["fbank80.zip", (command.corpus.name ?? input.defaultName) + ".tsv"]
        case .ark: ["feats.ark", "feats.scp", "utt2num_frames"]
        }
        return names.map { (dir as NSString).appendingPathComponent($0) }
    }

    /// Features of `item`, normalised per utterance if asked (global CMVN comes later).
    func compute(_ extractor: inout FbankExtractor, _ item: ExtractionItem, opener: AudioSourceOpener) -> Result<FeatureMatrix, ExtractionFailure> {
        do {
            let file = try opener.open(item.source)
            var m = try extractor.extract(file: file, request: command.audioOptions.request(segment: item.segment),
                                          seed: command.fbank.seed, key: item.id).features
            if command.corpus.cmvn == .utterance { UtteranceCMVN().apply(to: &m) }
            return .success(m)
        } catch {
            return .failure(ExtractionFailure(id: item.id, file: item.source.displayName, error: error))
        }
    }

    /// Computes `items` in chunks on `--jobs` threads and appends them to `sink` in order.
    /// - Throws: the first failure unless `--skip-bad`; store errors.
    func extract(_ items: [ExtractionItem], into sink: FeatureSink, global: GlobalCMVN?, progress: ProgressReporter?) throws -> Outcome {
        let c = command.corpus, jobs = max(1, c.jobs)
        let opener = try AudioSourceOpener(allowPipes: c.allowPipes)
        let options = command.fbank.options, strict = command.audioOptions.strict
        var outcome = Outcome()
        let chunk = 32 * jobs
        for start in stride(from: 0, to: items.count, by: chunk) {
            let slice = Array(items[start..<min(start + chunk, items.count)])
            let results = parallelMap(count: slice.count, jobs: jobs, makeState: { FbankExtractor(options: options, strict: strict) }) { ex, i in
                compute(&ex, slice[i], opener: opener)
            }
            for (item, result) in zip(slice, results) {
                switch result {
                case .success(var m):
                    if m.rows == 0 {
                        outcome.empty += 1
                        Console.warn("\(item.id) (\(item.source.displayName)): shorter than one frame, stored as (0, \(m.cols))")
                    }
                    if let global { try global.apply(to: &m, name: item.id) }
                    try sink.append(id: item.id, features: m)
                case .failure(let f):
                    guard c.skipBad else { throw f }
                    Console.warn("skipping \(f)")
                    outcome.skipped.append(f)
                }
            }
            progress?.update(min(start + chunk, items.count))
        }
        if items.isEmpty { progress?.update(0) }
        return outcome
    }

    /// First pass of `--cmvn global`: per-channel sums over every frame of `items`.
    func statistics(_ items: [ExtractionItem], label: String) throws -> CMVNAccumulator {
        let jobs = max(1, command.corpus.jobs)
        let opener = try AudioSourceOpener(allowPipes: command.corpus.allowPipes)
        let options = command.fbank.options, strict = command.audioOptions.strict
        var stats = CMVNAccumulator(dimension: options.featureDimension)
        let progress = ProgressReporter(label: label, total: items.count)
        let chunk = 32 * jobs
        for start in stride(from: 0, to: items.count, by: chunk) {
            let slice = Array(items[start..<min(start + chunk, items.count)])
            let results = parallelMap(count: slice.count, jobs: jobs, makeState: { FbankExtractor(options: options, strict: strict) }) { ex, i in
                compute(&ex, slice[i], opener: opener)
            }
            for r in results { if case .success(let m) = r { stats.add(m) } }
            progress.update(min(start + chunk, items.count))
        }
        return stats
    }

    /// Mean and standard deviation from `stats`. - Throws: `FbankError.noFrames` when no utterance had a frame.
    func globalCMVN(_ stats: CMVNAccumulator) throws -> GlobalCMVN {
        guard stats.count > 0 else { throw FbankError.noFrames(name: command.corpus.manifest ?? "manifest") }
        return GlobalCMVN(statistics: stats)
    }

    /// `DIR/gcmvn.npz`.
    func writeGlobalCMVN(_ cmvn: GlobalCMVN, outDir: String) throws {
        try GlobalCMVNFile.write(cmvn, to: (outDir as NSString).appendingPathComponent("gcmvn.npz"), overwrite: command.overwrite)
    }

    /// `DIR/extraction.json` (the resolved options) and `DIR/skipped.tsv` (id, file, error).
    func writeSideFiles(outDir: String, input: LoadedManifest, skipped: [ExtractionFailure], stored: Int) throws {
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
