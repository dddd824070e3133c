/// Where a manifest's `audio` field points: a whole file, or a byte range of a stored zip.
///
/// fairseq's `parse_path` splits `audio` on `:`; `<zip>:<offset>:<length>` addresses an entry's data
/// (offset = local-header offset + 30 + name length). Here only the *last two* colon-fields are taken
/// as the byte range, and only when both are non-negative decimal integers, so paths that contain a
/// colon (`/data/a:b/x.npy`) still parse as files. The text is parsed once, when a manifest is read;
/// everything downstream works with this value.
public enum StorageLocation: Sendable, Hashable, CustomStringConvertible {
    /// A file (`.npy`, `.wav`, `.flac`, `.ogg`, ...), path as written in the manifest.
    case file(String)
    /// `length` bytes at `offset` in the zip at `zipPath` (as written in the manifest).
    case zipEntry(zipPath: String, offset: Int, length: Int)

    /// Extensions fairseq treats as whole files even when the path has colons
    /// (`FEATURE_OR_SF_AUDIO_FILE_EXTENSIONS`).
    public static let fileExtensions: Set<String> = [".npy", ".wav", ".flac", ".ogg"]

    /// Parses an `audio` field.
    /// - Throws: `FeatureStoreError.badStorageLocation` for an empty text.
    public init(parsing text: String) throws {
        guard !text.isEmpty else { throw FeatureStoreError.badStorageLocation(text: text, reason: "empty path") }
        if let dot = text.lastIndex(of: "."), Self.fileExtensions.contains(String(text[dot...]).lowercased()) {
            self = .file(text)
            return
        }
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        if fields.count >= 3,
           let offset = Self.decimal(fields[fields.count - 2]),
           let length = Self.decimal(fields[fields.count - 1]) {
            let path = fields[..<(fields.count - 2)].joined(separator: ":")
            guard !path.isEmpty else { throw FeatureStoreError.badStorageLocation(text: text, reason: "empty zip path before the byte range") }
            self = .zipEntry(zipPath: path, offset: offset, length: length)
        } else {
            self = .file(text)
        }
    }

    /// The path of the file or the zip, as written.
    public var path: String {
        switch self {
        case let .file(p): p
        case let .zipEntry(p, _, _): p
        }
    }

    /// The manifest text: `path` or `path:offset:length`.
    public var description: String {
        switch self {
        case let .file(p): p
        case let .zipEntry(p, o, l): "\(p):\(o):\(l)"
        }
    }

    /// The same location with a relative `path` resolved against `root` (a directory; fairseq's
    /// `audio_root`, or the manifest's directory). Absolute paths are kept.
    public func resolved(against root: String) -> StorageLocation {
        func join(_ p: String) -> String {
            if p.hasPrefix("/") || root.isEmpty { return p }
            return root.hasSuffix("/") ? root + p : root + "/" + p
        }
        switch self {
        case let .file(p): return .file(join(p))
        case let .zipEntry(p, o, l): return .zipEntry(zipPath: join(p), offset: o, length: l)
        }
    }

    private static func decimal(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.utf8.count <= 18, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(s)
    }
}
