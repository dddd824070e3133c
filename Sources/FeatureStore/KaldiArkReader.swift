/// One entry of an ark: its key, where its object starts (the scp offset) and ends, and the object.
public struct KaldiArkEntry: Sendable, Equatable {
    public var key: String
    /// Byte offset of the object (right after `key `): what an scp line names.
    public var offset: Int
    /// One past the last byte of the object.
    public var end: Int
    public var object: KaldiObject

    public init(key: String, offset: Int, end: Int, object: KaldiObject) {
        self.key = key
        self.offset = offset
        self.end = end
        self.object = object
    }
}

/// Reads an ark sequentially, entry by entry (binary, text, wave and extended audio entries may be
/// mixed), from a memory map of the file. Linear in the file size; values are copied once into their
/// arrays.
///
/// ```swift
/// var reader = try KaldiArkReader(path: "feats.ark")
/// while let entry = try reader.next() { … }
/// ```
public struct KaldiArkReader {
    public let file: MappedFile
    /// Where the next key starts.
    public private(set) var position = 0

    /// Maps `path`. - Throws: `FeatureStoreError.cannotRead`.
    public init(path: String) throws {
        file = try MappedFile(path: path)
    }

    /// Reads from an already mapped file.
    public init(file: MappedFile) {
        self.file = file
    }

    /// The next entry, or `nil` at the end of the file (trailing white space is allowed).
    /// - Throws: `FeatureStoreError.truncatedArk` (a key without an object, a cut-off object),
    ///   `.unknownKaldiType`, `.badKaldiObject`.
    public mutating func next() throws -> KaldiArkEntry? {
        let raw = file.bytes
        var p = position
        while p < raw.count, raw[p] == 0x20 || raw[p] == 0x0A || raw[p] == 0x09 || raw[p] == 0x0D { p += 1 }
        guard p < raw.count else { position = p; return nil }
        let keyStart = p
        while p < raw.count, raw[p] != 0x20, raw[p] != 0x0A, raw[p] != 0x09 { p += 1 }
        let key = String(decoding: UnsafeRawBufferPointer(rebasing: raw[keyStart..<p]), as: UTF8.self)
        guard p < raw.count, raw[p] == 0x20 else {
            throw FeatureStoreError.truncatedArk(path: file.path, key: key, offset: keyStart,
                                                 reason: p < raw.count ? "the key is not followed by a space" : "the file ends after the key")
        }
        let offset = p + 1
        let (object, end) = try KaldiObject.decode(raw, at: offset, path: file.path, key: key)
        position = end
        return KaldiArkEntry(key: key, offset: offset, end: end, object: object)
    }

    /// Every entry of the ark at `path`, in file order.
    public static func readAll(path: String) throws -> [KaldiArkEntry] {
        var reader = try KaldiArkReader(path: path)
        var out: [KaldiArkEntry] = []
        while let e = try reader.next() { out.append(e) }
        return out
    }
}
