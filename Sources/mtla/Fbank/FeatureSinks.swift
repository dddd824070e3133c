import Fbank
import FeatureStore
import Foundation

/// Where corpus extraction puts features: written in manifest order under temporary names, resumable
/// after a kill, renamed into place by `finish`.
protocol FeatureSink: AnyObject {
    /// Ids already stored (from a resumed partial run).
    var completed: Set<String> { get }
    func append(id: String, features: FeatureMatrix) throws
    /// Completes the store and writes its manifest for `items` (those stored, in manifest order).
    func finish(items: [ExtractionItem]) throws -> [String]
}

/// fairseq: `DIR/fbank80.zip` of `<id>.npy` + `DIR/<name>.tsv` (`id audio n_frames tgt_text speaker`).
final class ZipFeatureSink: FeatureSink {
    let dir: String
    let tsvName: String
    let zipPath: String
    private let writer: StoredZipWriter
    private(set) var completed: Set<String>
    /// Columns of the input TSV, kept in the output.
    let inputColumns: [String]?

    init(dir: String, tsvName: String, inputColumns: [String]?, overwrite: Bool) throws {
        self.dir = dir
        self.tsvName = tsvName
        self.inputColumns = inputColumns
        zipPath = (dir as NSString).appendingPathComponent("fbank80.zip")
        let tsv = (dir as NSString).appendingPathComponent(tsvName + ".tsv")
        if !overwrite {
            for p in [zipPath, tsv] where FileManager.default.fileExists(atPath: p) { throw CLIError.outputExists(path: p) }
        }
        writer = try StoredZipWriter(path: zipPath, mode: overwrite ? .overwrite : .resume)
        completed = Set(writer.entries.map(\.id))
    }

    func append(id: String, features: FeatureMatrix) throws {
        try writer.addNpy(id: id, matrix: features)
        completed.insert(id)
    }

    func finish(items: [ExtractionItem]) throws -> [String] {
        let entries = try writer.finish()
        let byId = Dictionary(entries.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let reader = try StoredZipReader(path: zipPath)
        var columns = inputColumns ?? FairseqManifest.defaultColumns
        if !columns.contains("speaker") && items.contains(where: { $0.speaker != nil }) { columns.append("speaker") }
        var manifest = FairseqManifest(columns: columns)
        for item in items {
            guard let e = byId[item.id] else { continue }
            let rows = try reader.withBytes(of: e) { try Npy.parseHeader($0, name: "\(zipPath):\(e.name)").shape.first ?? 0 }
            var row = item.row ?? FairseqManifestRow(id: item.id, audio: .file(""), nFrames: 0, tgtText: item.text ?? "")
            row.audio = .zipEntry(zipPath: "fbank80.zip", offset: e.dataOffset, length: e.length)
            row.nFrames = rows
            if row.speaker == nil { row.speaker = item.speaker }
            for (column, value) in item.extra {
                if column == "src_text" { row.srcText = value } else { row.extra[column] = value }
            }
            manifest.rows.append(row)
        }
        let tsv = (dir as NSString).appendingPathComponent(tsvName + ".tsv")
        try manifest.write(to: tsv)
        return [zipPath, tsv]
    }
}

/// Kaldi: `DIR/feats.ark` + `DIR/feats.scp` + `DIR/utt2num_frames` (binary FM entries).
final class ArkFeatureSink: FeatureSink {
    let dir: String
    let arkPath: String
    let temporaryPath: String
    private let writer: KaldiArkWriter
    private(set) var completed: Set<String> = []
    private var scp: [String: KaldiScpEntry] = [:]
    private var frames: [String: Int] = [:]

    init(dir: String, overwrite: Bool) throws {
        self.dir = dir
        arkPath = (dir as NSString).appendingPathComponent("feats.ark")
        temporaryPath = arkPath + ".tmp"
        let outputs = ["feats.ark", "feats.scp", "utt2num_frames"].map { (dir as NSString).appendingPathComponent($0) }
        if !overwrite {
            for p in outputs where FileManager.default.fileExists(atPath: p) { throw CLIError.outputExists(path: p) }
        }
        var resume = false
        if !overwrite && FileManager.default.fileExists(atPath: temporaryPath) {
            let kept = try Self.recover(temporaryPath)
            for e in kept {
                completed.insert(e.key)
                scp[e.key] = KaldiScpEntry(key: e.key, path: arkPath, offset: e.offset)
                frames[e.key] = e.object.shape.first ?? 0
            }
            resume = true
        }
        writer = try KaldiArkWriter(arkPath: temporaryPath, scpArkName: arkPath, append: resume)
    }

    /// Reads the complete entries of a partial ark and cuts off a torn last entry.
    static func recover(_ path: String) throws -> [KaldiArkEntry] {
        var kept: [KaldiArkEntry] = []
        var end = 0
        do {
            var reader = try KaldiArkReader(path: path)
            while let e = try reader.next() { kept.append(e); end = e.end }
        } catch {
            // A torn entry at the end of a killed run: keep what precedes it.
        }
        guard truncate(path, off_t(end)) == 0 else {
            throw FeatureStoreError.cannotWrite(path: path, reason: "cannot truncate to \(end) bytes: \(String(cString: strerror(errno)))")
        }
        return kept
    }

    func append(id: String, features: FeatureMatrix) throws {
        let e = try writer.write(key: id, matrix: features)
        scp[id] = e
        frames[id] = features.rows
        completed.insert(id)
    }

    func finish(items: [ExtractionItem]) throws -> [String] {
        try writer.finish()
        var scpText = "", framesText = ""
        for item in items {
            guard let e = scp[item.id] else { continue }
            scpText += KaldiScp.format([e])
            framesText += "\(item.id) \(frames[item.id] ?? 0)\n"
        }
        try AtomicFile.commit(temporaryPath, to: arkPath)
        let scpPath = (dir as NSString).appendingPathComponent("feats.scp")
        let framesPath = (dir as NSString).appendingPathComponent("utt2num_frames")
        try AtomicFile.write(Array(scpText.utf8), to: scpPath)
        try AtomicFile.write(Array(framesText.utf8), to: framesPath)
        return [arkPath, scpPath, framesPath]
    }
}
