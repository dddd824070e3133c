import ArgumentParser
import Fbank
import FeatureStore
import Foundation

struct StoreConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert features between fairseq zip + TSV and Kaldi ark + scp (values unchanged, bit for bit).",
        discussion: """
            mtla store convert data/train.tsv --to ark --out-dir data/ark/train
            mtla store convert data/ark/train/feats.scp --to zip --out-dir data/zip --name train
            A data dir source uses its feats.scp, with text and utt2spk carried into the TSV.
            Compressed Kaldi matrices are written decompressed (FM). Inspect both stores with
            `mtla store inspect --json` to compare them.
            """)

    @Argument(help: "Source: a fairseq .tsv (or a .zip), a Kaldi .scp or .ark, or a data dir with feats.scp.")
    var source: String
    @Option(help: "Target format: zip or ark.") var to: StoreFormatArgument
    @Option(help: "Output directory.") var outDir: String
    @Option(help: "Name of the output TSV (zip target); default: the source's base name.") var name: String?
    @Flag(help: "Replace existing outputs.") var overwrite = false

    func run() throws {
        let (items, columns) = try Self.entries(of: source)
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        let defaultName = ((source as NSString).lastPathComponent as NSString).deletingPathExtension
        let sink: FeatureSink = switch to {
        case .zip: try ZipFeatureSink(dir: outDir, tsvName: name ?? defaultName, inputColumns: columns, overwrite: overwrite)
        case .ark: try ArkFeatureSink(dir: outDir, overwrite: overwrite)
        }
        let progress = ProgressReporter(label: "convert", total: items.count)
        for (i, (item, load)) in items.enumerated() where !sink.completed.contains(item.id) {
            try sink.append(id: item.id, features: try load())
            progress.update(i + 1)
        }
        let written = try sink.finish(items: items.map(\.0))
        Console.info("converted \(items.count) entries into \(written.joined(separator: ", "))")
    }

    typealias Entry = (ExtractionItem, () throws -> FeatureMatrix)

    /// The source's entries in store order, each with a loader for its matrix.
    static func entries(of source: String) throws -> ([Entry], [String]?) {
        let kind = try StoreKind(path: source)
        func item(_ id: String, text: String? = nil, speaker: String? = nil, row: FairseqManifestRow? = nil) -> ExtractionItem {
            ExtractionItem(id: id, source: .file(source), row: row, text: text, speaker: speaker)
        }
        func matrix(_ object: KaldiObject, _ key: String) throws -> FeatureMatrix {
            guard let m = object.featureMatrix else {
                throw FeatureStoreError.badKaldiObject(path: source, key: key, offset: 0, reason: "\(object.typeToken) is not a feature matrix")
            }
            return m
        }
        switch kind {
        case .tsv:
            let manifest = try FairseqManifest.read(path: source)
            let root = (source as NSString).deletingLastPathComponent
            let entries: [Entry] = manifest.rows.map { row in
                (item(row.id, text: row.tgtText, speaker: row.speaker, row: row), {
                    switch row.audio.resolved(against: root) {
                    case let .zipEntry(z, o, l): return try StoredZipReader(path: z).matrix(offset: o, length: l)
                    case let .file(p): return try Npy.readMatrix(path: p)
                    }
                })
            }
            return (entries, manifest.columns)
        case .zip:
            let zip = try StoredZipReader(path: source)
            return (zip.entries.map { e in (item(e.id), { try zip.matrix(named: e.name) }) }, nil)
        case .ark:
            return (try KaldiArkReader.readAll(path: source).map { e in (item(e.key), { try matrix(e.object, e.key) }) }, nil)
        case .scp, .datadir:
            var text: [String: String] = [:], speakers: [String: String] = [:]
            var scp = source
            if kind == .datadir {
                let dir = try ESPnetDataDir(directory: source)
                scp = dir.path("feats.scp")
                text = dir.text
                speakers = Dictionary(dir.utt2spk.map { ($0.utterance, $0.speaker) }, uniquingKeysWith: { a, _ in a })
            }
            let reader = try KaldiScpReader(scpPath: scp)
            return (reader.entries.map { e in
                (item(e.key, text: text[e.key], speaker: speakers[e.key]), { try matrix(reader.read(e), e.key) })
            }, nil)
        }
    }
}
