import Distributed
import Fbank
import FeatureStore
import Foundation

/// `mpirun -np N mtla fbank --manifest … --out-dir DIR`: the manifest's utterances in N contiguous
/// shards, rank r extracting shard r into its own complete store `DIR/.parts-N/part-r/` (the same
/// format, resumable as a single-process store, marked done by `done.json`), then rank 0 copying the
/// parts in manifest order into the final store, whose bytes equal a single-process run's (with
/// `--cmvn global` the statistics are summed over the ranks, so mean and variance may differ from a
/// single pass in the last bits), and removing the parts. A killed job resumes per shard: finished
/// parts are kept, a partial part continues, and so does a partial merge. The output directory must
/// be on a file system every rank sees (as for Kaldi's split jobs).
struct ShardedExtraction {
    let extraction: CorpusExtraction
    let communicator: any Communicator

    /// What a finished part records: the utterances it skipped (`--skip-bad`) and the empty ones.
    struct PartRecord: Codable {
        struct Skipped: Codable { var id: String; var file: String; var error: String }
        var skipped: [Skipped]
        var empty: Int
    }

    /// A failure read back from a part, with its original message.
    struct RecordedError: Error, CustomStringConvertible { let description: String }

    func run() throws {
        let command = extraction.command
        let (rank, ranks) = (communicator.rank, communicator.size)
        let (input, outDir) = try extraction.loadInput()
        let partsDir = (outDir as NSString).appendingPathComponent(".parts-\(ranks)")
        if !command.overwrite, let existing = extraction.finalOutputs(dir: outDir, input: input).first(where: FileManager.default.fileExists) {
            throw CLIError.outputExists(path: existing)
        }
        if communicator.isMain {
            Console.info("fbank: \(input.items.count) utterances in \(ranks) shards (\(communicator.summary))")
            if command.overwrite { try? FileManager.default.removeItem(atPath: partsDir) }
        }
        try communicator.barrier(operation: "prepare the parts directory")
        let shard = shardRange(rank, of: ranks, count: input.items.count)
        let partDir = (partsDir as NSString).appendingPathComponent("part-\(rank)")
        try FileManager.default.createDirectory(atPath: partDir, withIntermediateDirectories: true)

        var global: GlobalCMVN?
        if command.corpus.cmvn == .global {
            let mine = try extraction.statistics(Array(input.items[shard]), label: "gcmvn stats (rank \(rank))")
            let dimension = mine.dimension
            let summed = try communicator.allReduceSum([mine.count] + mine.sum + mine.sumSquares, operation: "all-reduce CMVN statistics")
            let stats = CMVNAccumulator(sum: Array(summed[1...dimension]), sumSquares: Array(summed[(dimension + 1)...]), count: summed[0])
            global = try extraction.globalCMVN(stats)
            if communicator.isMain { try extraction.writeGlobalCMVN(global!, outDir: outDir) }
        }

        let donePath = (partDir as NSString).appendingPathComponent("done.json")
        if FileManager.default.fileExists(atPath: donePath) {
            Console.info("rank \(rank): shard \(shard.lowerBound)..<\(shard.upperBound) already extracted")
        } else {
            // A part finished but not yet marked done (killed in between) is redone.
            if extraction.finalOutputs(dir: partDir, input: input).contains(where: FileManager.default.fileExists) {
                try FileManager.default.removeItem(atPath: partDir)
                try FileManager.default.createDirectory(atPath: partDir, withIntermediateDirectories: true)
            }
            let sink = try extraction.makeSink(dir: partDir, input: input)
            let todo = input.items[shard].filter { !sink.completed.contains($0.id) }
            if !sink.completed.isEmpty { Console.info("rank \(rank): resuming, \(sink.completed.count) utterances of the shard already stored") }
            let progress = communicator.isMain ? ProgressReporter(label: "fbank (rank 0 of \(ranks))", total: todo.count) : nil
            let outcome = try extraction.extract(Array(todo), into: sink, global: global, progress: progress)
            _ = try sink.finish(items: Array(input.items[shard]))
            let record = PartRecord(skipped: outcome.skipped.map { .init(id: $0.id, file: $0.file, error: "\($0.error)") }, empty: outcome.empty)
            try AtomicFile.write(Array(try JSONEncoder().encode(record)), to: donePath)
        }
        try communicator.barrier(operation: "wait for every shard's part")
        if communicator.isMain { try merge(input: input, outDir: outDir, partsDir: partsDir, ranks: ranks) }
        try communicator.barrier(operation: "wait for the merged store")
    }

    /// Utterances of shard `r` of `ranks` over `count`: contiguous, sizes differing by at most one.
    func shardRange(_ r: Int, of ranks: Int, count: Int) -> Range<Int> {
        (r * count / ranks)..<((r + 1) * count / ranks)
    }

    /// Rank 0: the parts, in manifest order, into the final store; then the side files.
    private func merge(input: LoadedManifest, outDir: String, partsDir: String, ranks: Int) throws {
        let sink = try extraction.makeSink(dir: outDir, input: input)
        var skipped: [ExtractionFailure] = [], empty = 0
        let progress = ProgressReporter(label: "merge parts", total: input.items.count)
        for r in 0..<ranks {
            let partDir = (partsDir as NSString).appendingPathComponent("part-\(r)")
            let recordPath = (partDir as NSString).appendingPathComponent("done.json")
            let record = try JSONDecoder().decode(PartRecord.self, from: Data(contentsOf: URL(fileURLWithPath: recordPath)))
            skipped += record.skipped.map { ExtractionFailure(id: $0.id, file: $0.file, error: RecordedError(description: $0.error)) }
            empty += record.empty
            let skippedIDs = Set(record.skipped.map(\.id))
            var part = try StorePartReader(format: extraction.command.corpus.format, dir: partDir)
            let shard = shardRange(r, of: ranks, count: input.items.count)
            for item in input.items[shard] where !skippedIDs.contains(item.id) {
                let m = try part.matrix(id: item.id)
                if !sink.completed.contains(item.id) { try sink.append(id: item.id, features: m) }
            }
            progress.update(shard.upperBound)
        }
        let written = try sink.finish(items: input.items)
        try extraction.writeSideFiles(outDir: outDir, input: input, skipped: skipped, stored: sink.completed.count)
        try FileManager.default.removeItem(atPath: partsDir)
        Console.info("stored \(sink.completed.count) utterances (\(empty) empty, \(skipped.count) skipped) from \(ranks) shards in \(written.joined(separator: ", "))")
    }
}

/// Reads back the features of a finished part store, utterance by utterance in the order they were
/// written (the ark is streamed, the zip read by entry name).
struct StorePartReader {
    private let zip: StoredZipReader?
    private var ark: KaldiArkReader?
    let dir: String

    init(format: StoreFormatArgument, dir: String) throws {
        self.dir = dir
        switch format {
        case .zip:
            zip = try StoredZipReader(path: (dir as NSString).appendingPathComponent("fbank80.zip"))
            ark = nil
        case .ark:
            zip = nil
            ark = try KaldiArkReader(path: (dir as NSString).appendingPathComponent("feats.ark"))
        }
    }

    /// The features stored for `id`. - Throws: `FeatureStoreError` when the part lacks it.
    mutating func matrix(id: String) throws -> FeatureMatrix {
        if let zip { return try zip.matrix(named: id + ".npy") }
        while let entry = try ark!.next() {
            if entry.key == id, let m = entry.object.featureMatrix { return m }
        }
        throw FeatureStoreError.cannotRead(path: dir, reason: "the part store has no features for utterance \(id)")
    }
}
