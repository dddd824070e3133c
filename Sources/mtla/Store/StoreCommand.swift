import ArgumentParser
import Fbank
import FeatureStore
import Foundation

/// `mtla store`: look into, check and convert feature stores.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Inspect, validate and convert feature stores (fairseq zip + TSV, Kaldi ark/scp, data dirs).",
        subcommands: [StoreInspectCommand.self, StoreValidateCommand.self, StoreConvertCommand.self])
}

struct InspectReport: Codable {
    var format: String
    var entries: [StoreEntrySummary]
}

struct StoreInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List a store's entries: id, shape, float64 sum, sha256 of the float32 values.",
        discussion: """
            STORE is a .zip, a .tsv, an .ark, an .scp or a data dir (its feats.scp, else its wav.scp).
            Vectors have cols 1; float64 data are rounded to float32 before hashing, int32 converted to
            float32, audio hashed as float32 samples in [-1, 1) (frames × channels). Two stores holding
            the same values therefore print the same sums and hashes, whatever their format.
            """)

    @Argument(help: "The store.") var store: String
    @Flag(help: "Print JSON: {\"format\", \"entries\": [{\"id\", \"rows\", \"cols\", \"sum\", \"sha256\"}]}.")
    var json = false
    @Flag(help: "Run wav.scp entries that are shell pipelines.") var allowPipes = false

    func run() throws {
        let report = try Self.inspect(store, allowPipes: allowPipes)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
        } else {
            print("format: \(report.format), \(report.entries.count) entries")
            for e in report.entries {
                print("\(e.id)\t\(e.rows)x\(e.cols)\tsum \(e.sum)\t\(e.sha256)")
            }
        }
    }

    static func inspect(_ store: String, allowPipes: Bool) throws -> InspectReport {
        let kind = try StoreKind(path: store)
        var entries: [StoreEntrySummary] = []
        switch kind {
        case .zip:
            try FairseqStoreInspector.forEachEntry(zipPath: store, audioDecoder: AudioDecoding.fairseq) { entries.append($0) }
        case .tsv:
            try FairseqStoreInspector.forEachEntry(manifestPath: store, audioDecoder: AudioDecoding.fairseq) { entries.append($0) }
        case .ark, .scp:
            entries = try KaldiInspect.inspect(path: store, decodeAudio: AudioDecoding.kaldi).entries
        case .datadir:
            let dir = try ESPnetDataDir(directory: store)
            if dir.tables["feats.scp"] != nil {
                entries = try KaldiInspect.inspect(path: dir.path("feats.scp"), decodeAudio: AudioDecoding.kaldi).entries
            } else {
                for e in try dir.wavEntries() {
                    entries.append(StoreEntrySummary(id: e.key, matrix: try AudioDecoding.wavEntry(dir, e, allowPipes: allowPipes)))
                }
            }
        }
        return InspectReport(format: kind.rawValue, entries: entries)
    }
}
