import AudioIO
import Fbank
import FeatureStore
import Foundation

/// The kinds of store `mtla store` understands, recognised from a path.
enum StoreKind: String {
    case zip, tsv, ark, scp, datadir

    /// - Throws: `CLIError.badManifest` when the path is none of them.
    init(path: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw FeatureStoreError.cannotRead(path: path, reason: "no such file or directory")
        }
        if isDir.boolValue { self = .datadir; return }
        switch (path as NSString).pathExtension.lowercased() {
        case "zip", "npz": self = .zip
        case "tsv": self = .tsv
        case "ark": self = .ark
        case "scp": self = .scp
        default:
            throw CLIError.badManifest(path: path, reason: "not a store (expected a .zip, .tsv, .ark, .scp or a data directory)")
        }
    }
}

/// Decoders that turn audio entries into float32 matrices (frames × channels, in [-1, 1)) so that any
/// two stores, features or audio, can be compared.
enum AudioDecoding {
    static let kaldi: KaldiAudioDecoder = { bytes, name in
        let f = try AudioFile(bytes: bytes, name: name)
        return KaldiDecodedAudio(samples: try f.readAll(), sampleRate: f.info.sampleRate, channels: f.info.channels)
    }

    /// For fairseq locations: an audio file path or a zip entry holding an audio file.
    static func fairseq(_ location: StorageLocation) throws -> FeatureMatrix {
        let file: AudioFile
        switch location {
        case let .file(p): file = try AudioFile(path: p)
        case let .zipEntry(z, o, l):
            let reader = try StoredZipReader(path: z)
            file = try reader.withBytes(offset: o, length: l) { try AudioFile(bytes: [UInt8]($0), name: "\(z):\(o):\(l)") }
        }
        let samples = try file.readAll()
        return FeatureMatrix(rows: file.info.frames, cols: file.info.channels, values: samples)
    }

    /// A data dir's `wav.scp` entry (no segments) as a matrix.
    static func wavEntry(_ dir: ESPnetDataDir, _ e: ESPnetWavEntry, allowPipes: Bool) throws -> FeatureMatrix {
        let file: AudioFile
        if case let .file(p) = e.source { file = try AudioFile(path: p) } else {
            file = try AudioFile(bytes: try dir.audioBytes(e, allowPipes: allowPipes), name: e.key)
        }
        return FeatureMatrix(rows: file.info.frames, cols: file.info.channels, values: try file.readAll())
    }
}
