import ArgumentParser
import Fbank
import FeatureStore
import Foundation

struct StoreValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a store: every entry decodes, byte ranges exist, ids are unique, manifests agree with the data.",
        discussion: """
            zip: stored entries only, local headers, no duplicates, CRC-32, each .npy is 2-D <f4.
            tsv: required columns, unique ids, each audio location exists; a zip:offset:length range is
                 exactly one entry and its rows equal n_frames.
            ark / scp: every entry decodes and lies inside its file.
            data dir: Kaldi's validate_data_dir.sh rules (sorted unique keys under C locale,
                 speaker-prefix rule, spk2utt/utt2spk agreement, referenced files and offsets exist).
            Prints each problem with its file and line; exits non-zero if any is an error.
            """)

    @Argument(help: "The store (.zip, .tsv, .ark, .scp or a data dir).") var store: String
    @Flag(help: "Data dirs: do not require feats.scp (default: not required).") var requireFeats = false

    func run() throws {
        let kind = try StoreKind(path: store)
        var problems: [String] = []
        var errors = 0
        var count = 0
        switch kind {
        case .zip:
            let zip = try StoredZipReader(path: store)
            try zip.verifyChecksums()
            for e in zip.entries where e.name.hasSuffix(".npy") {
                _ = try zip.matrix(named: e.name)
            }
            count = zip.entries.count
        case .tsv:
            let manifest = try FairseqManifest.read(path: store)
            let root = (store as NSString).deletingLastPathComponent
            var zips: [String: StoredZipReader] = [:]
            var seen = Set<String>()
            for (i, row) in manifest.rows.enumerated() {
                let line = i + 2
                if !seen.insert(row.id).inserted { problems.append("error: \(store):\(line): duplicate id '\(row.id)'"); errors += 1 }
                do {
                    switch row.audio.resolved(against: root) {
                    case let .file(p):
                        if !FileManager.default.fileExists(atPath: p) { throw FeatureStoreError.cannotRead(path: p, reason: "no such file") }
                    case let .zipEntry(z, o, l):
                        let reader = try zips[z] ?? StoredZipReader(path: z)
                        zips[z] = reader
                        guard let e = reader.entry(atDataOffset: o), e.length == l else {
                            throw FeatureStoreError.badStorageLocation(text: "\(z):\(o):\(l)", reason: "is not exactly one entry of the zip")
                        }
                        if e.name.hasSuffix(".npy") {
                            let rows = try reader.withBytes(of: e) { try Npy.parseHeader($0, name: "\(z):\(e.name)").shape.first ?? 0 }
                            if rows != row.nFrames {
                                problems.append("error: \(store):\(line): n_frames \(row.nFrames) but \(e.name) has \(rows) rows"); errors += 1
                            }
                        }
                    }
                } catch {
                    problems.append("error: \(store):\(line): '\(row.id)': \(error)"); errors += 1
                }
            }
            count = manifest.rows.count
        case .ark:
            count = try KaldiArkReader.readAll(path: store).count
        case .scp:
            let reader = try KaldiScpReader(scpPath: store)
            for e in reader.entries { _ = try reader.read(e) }
            count = reader.entries.count
        case .datadir:
            let dir = try ESPnetDataDir(directory: store)
            var options = DataDirValidationOptions()
            options.noFeats = !requireFeats
            for p in dir.validate(options) {
                problems.append(p.description)
                if p.severity == .error { errors += 1 }
            }
            count = dir.tables["wav.scp"]?.count ?? dir.tables["feats.scp"]?.count ?? 0
        }
        for p in problems { Console.write(p + "\n") }
        if errors > 0 { throw StoreValidationFailed(store: store, errors: errors) }
        print("\(store): OK (\(kind.rawValue), \(count) entries\(problems.isEmpty ? "" : ", \(problems.count) warnings"))")
    }
}

struct StoreValidationFailed: Error, CustomStringConvertible {
    let store: String
    let errors: Int
    var description: String { "\(store): \(errors) error\(errors == 1 ? "" : "s") (listed above)" }
}
