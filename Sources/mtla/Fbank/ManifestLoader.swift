import AudioIO
import FeatureStore
import Foundation

/// The utterances of an extraction manifest, with what the output manifest carries over.
struct LoadedManifest {
    var items: [ExtractionItem]
    /// The input TSV's columns (TSV manifests only).
    var columns: [String]?
    /// Name for the output TSV: the manifest's base name (`train.tsv` → `train`, `data/dev` → `dev`).
    var defaultName: String
}

/// Reads the three manifest kinds `mtla fbank --manifest` takes.
enum ManifestLoader {
    /// - Parameter path: a data dir (`wav.scp` [+ `segments`, `text`, `utt2spk`]), a fairseq TSV
    ///   (`.tsv`: `id audio …`, audio a file path or `zip:offset:length`), or a lone `wav.scp`.
    /// - Throws: the store errors naming file and line; `CLIError.badManifest` for duplicate ids or a
    ///   segment whose recording is missing.
    static func load(_ path: String, extraColumns: [(column: String, file: String)] = []) throws -> LoadedManifest {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw FeatureStoreError.cannotRead(path: path, reason: "no such file or directory")
        }
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let loaded: LoadedManifest
        if isDir.boolValue {
            loaded = try fromDataDir(ESPnetDataDir(directory: path), name: base, extraColumns: extraColumns)
        } else if !extraColumns.isEmpty {
            throw CLIError.badManifest(path: path, reason: "--extra-column needs a data directory")
        } else if path.hasSuffix(".tsv") {
            loaded = try fromTSV(path, name: base)
        } else {
            loaded = try fromDataDir(ESPnetDataDir(wavScp: path), name: base)
        }
        var seen = Set<String>()
        for item in loaded.items where !seen.insert(item.id).inserted {
            throw CLIError.badManifest(path: path, reason: "utterance id '\(item.id)' appears more than once")
        }
        if loaded.items.isEmpty { throw CLIError.badManifest(path: path, reason: "no utterances") }
        return loaded
    }

    static func fromDataDir(_ dir: ESPnetDataDir, name: String, extraColumns: [(column: String, file: String)] = []) throws -> LoadedManifest {
        let extras = try extraColumns.map { (column: $0.column, file: $0.file, values: try dir.table(named: $0.file)) }
        let wav = try dir.wavEntries()
        let text = dir.text
        let speakers = Dictionary(dir.utt2spk.map { ($0.utterance, $0.speaker) }, uniquingKeysWith: { a, _ in a })
        func source(_ e: ESPnetWavEntry) -> AudioSource {
            switch e.source {
            case let .file(p): .file(p)
            case let .pipe(c): .pipe(c, table: dir.path("wav.scp"), line: e.line)
            case let .ark(p, o): .arkEntry(ark: p, offset: o)
            }
        }
        let segments = try dir.segments()
        var items: [ExtractionItem] = []
        if segments.isEmpty {
            for e in wav {
                items.append(ExtractionItem(id: e.key, source: source(e), text: text[e.key], speaker: speakers[e.key]))
            }
        } else {
            let byRecording = Dictionary(wav.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
            for s in segments {
                guard let rec = byRecording[s.recording] else {
                    throw CLIError.badManifest(path: dir.path("segments"),
                                               reason: "line \(s.line): recording '\(s.recording)' is not in wav.scp")
                }
                items.append(ExtractionItem(id: s.utterance, source: source(rec),
                                            segment: TimeSegment(start: s.start, end: s.end < 0 ? nil : s.end),
                                            text: text[s.utterance], speaker: speakers[s.utterance]))
            }
        }
        for i in items.indices {
            for e in extras {
                guard let v = e.values[items[i].id] else {
                    throw CLIError.badManifest(path: dir.path(e.file), reason: "no line for utterance '\(items[i].id)'")
                }
                items[i].extra[e.column] = v
            }
        }
        let columns: [String]? = extras.isEmpty ? nil : FairseqManifest.defaultColumns + extras.map(\.column)
        return LoadedManifest(items: items, columns: columns, defaultName: name)
    }

    /// Audio paths in a TSV are taken as written when they exist, else relative to the TSV's folder.
    static func fromTSV(_ path: String, name: String) throws -> LoadedManifest {
        let manifest = try FairseqManifest.read(path: path)
        let root = (path as NSString).deletingLastPathComponent
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") || FileManager.default.fileExists(atPath: p) || root.isEmpty ? p : (root as NSString).appendingPathComponent(p)
        }
        let items = manifest.rows.map { row -> ExtractionItem in
            let source: AudioSource
            switch row.audio {
            case let .file(p): source = .file(resolve(p))
            case let .zipEntry(z, o, l): source = .zipEntry(zip: resolve(z), offset: o, length: l)
            }
            return ExtractionItem(id: row.id, source: source, row: row, text: row.tgtText, speaker: row.speaker)
        }
        return LoadedManifest(items: items, columns: manifest.columns, defaultName: name)
    }
}
