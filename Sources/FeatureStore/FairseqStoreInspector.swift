import Fbank

/// Walks fairseq stores (a feature zip, or a TSV manifest and what it points to) entry by entry, in
/// store order, for `mtla store inspect` and `mtla store validate`. One entry is in memory at a time.
public enum FairseqStoreInspector {
    /// Decodes an audio location (a `.wav`/`.flac`/`.ogg` file, or a zip range whose bytes are not an
    /// `.npy`) into float32 samples in [-1, 1) as a `(samples, 1)` matrix. Supplied by the caller
    /// (AudioIO lives above this module's concerns); without it such entries are an error.
    public typealias AudioDecoder = (_ resolved: StorageLocation) throws -> FeatureMatrix

    /// Every `.npy` entry of the zip at `path`, in archive order.
    /// - Throws: the reader's errors; `FeatureStoreError.badNpy` for an entry that is not an
    ///   float32 `.npy` (unless `audioDecoder` takes it: non-`.npy` names are passed to it).
    public static func forEachEntry(zipPath path: String, audioDecoder: AudioDecoder? = nil,
                                    _ body: (StoreEntrySummary) throws -> Void) throws {
        let zip = try StoredZipReader(path: path)
        for e in zip.entries {
            let m: FeatureMatrix
            if !e.name.hasSuffix(".npy"), let audioDecoder {
                m = try audioDecoder(e.location(zipPath: path))
            } else {
                m = try zip.withBytes(of: e) { try Npy.decodeMatrix($0, name: "\(path):\(e.name)") }
            }
            try body(StoreEntrySummary(id: e.id, matrix: m))
        }
    }

    /// Every row of the manifest at `path`, in file order, with the features its `audio` points to.
    /// - Parameter audioRoot: directory that relative `audio` paths are resolved against (fairseq's
    ///   `audio_root`); default: the manifest's own directory.
    public static func forEachEntry(manifestPath path: String, audioRoot: String? = nil,
                                    audioDecoder: AudioDecoder? = nil,
                                    _ body: (StoreEntrySummary) throws -> Void) throws {
        let manifest = try FairseqManifest.read(path: path)
        let root = audioRoot ?? directory(of: path)
        var zips: [String: StoredZipReader] = [:]
        for row in manifest.rows {
            let location = row.audio.resolved(against: root)
            let m: FeatureMatrix
            switch location {
            case let .file(p) where p.hasSuffix(".npy"):
                m = try Npy.readMatrix(path: p)
            case let .zipEntry(zipPath, offset, length):
                let zip: StoredZipReader
                if let z = zips[zipPath] { zip = z } else { zip = try StoredZipReader(path: zipPath); zips[zipPath] = zip }
                let isNpy = try zip.withBytes(offset: offset, length: length) { $0.count >= 2 && $0[0] == 0x93 && $0[1] == 0x4E }
                if !isNpy, let audioDecoder {
                    m = try audioDecoder(location)
                } else {
                    m = try zip.matrix(offset: offset, length: length)
                }
            case .file:
                guard let audioDecoder else {
                    throw FeatureStoreError.badStorageLocation(text: row.audio.description,
                                                               reason: "row \(row.id) of \(path) is a waveform file; no audio decoder was given")
                }
                m = try audioDecoder(location)
            }
            try body(StoreEntrySummary(id: row.id, matrix: m))
        }
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
