#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Fbank

/// One entry of a stored zip: where its local header and its data are.
public struct StoredZipEntry: Sendable, Hashable {
    /// The entry name (`<utt_id>.npy` in a fairseq feature zip).
    public var name: String
    /// Offset of the entry's local file header.
    public var localHeaderOffset: Int
    /// Offset of the entry's first data byte: local-header offset + 30 + name length + local extra
    /// length (the extra length is 0 for archives this package writes, which is what fairseq assumes).
    public var dataOffset: Int
    /// Size of the data in bytes (stored, so compressed size = uncompressed size).
    public var length: Int
    /// CRC-32 of the data, from the central directory.
    public var crc32: UInt32

    public init(name: String, localHeaderOffset: Int, dataOffset: Int, length: Int, crc32: UInt32) {
        self.name = name
        self.localHeaderOffset = localHeaderOffset
        self.dataOffset = dataOffset
        self.length = length
        self.crc32 = crc32
    }

    /// The entry name without a trailing `.npy` (the utterance id of a fairseq feature zip).
    public var id: String { name.hasSuffix(".npy") ? String(name.dropLast(4)) : name }

    /// The manifest location `zipPath:dataOffset:length` of this entry.
    public func location(zipPath: String) -> StorageLocation {
        .zipEntry(zipPath: zipPath, offset: dataOffset, length: length)
    }
}

/// Reads a stored (uncompressed) zip through a memory mapping, as fairseq's `read_from_stored_zip`.
///
/// Opening parses the end record (and the ZIP64 end record and locator when present) and the whole
/// central directory, and checks every entry: stored (method 0), not encrypted, equal sizes, a local
/// header with the right signature and name, data inside the file, and no duplicate names. Entries
/// are then read by name or by fairseq's `offset:length`, with bounds checks. The reader is immutable
/// and can be shared between threads.
public final class StoredZipReader: @unchecked Sendable {
    /// The path the archive was opened with (used in every error).
    public let path: String
    /// Entries in central-directory order (the order they were written).
    public let entries: [StoredZipEntry]
    /// Offset of the central directory (= end of the entry data for archives written in one go).
    public let centralDirectoryOffset: Int
    private let file: MappedFile
    private let byName: [String: Int]

    /// Size of the archive in bytes.
    public var fileSize: Int { file.size }

    /// Opens and validates the archive at `path`.
    /// - Throws: `FeatureStoreError.cannotRead`, `.notAZip`, `.compressedZipEntry`,
    ///   `.unsupportedZipEntry`, `.badLocalHeader`, `.entryOutOfBounds`, `.duplicateZipEntry`.
    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        let parsed = try Self.parse(file.bytes, path: path)
        entries = parsed.entries
        centralDirectoryOffset = parsed.cdOffset
        var index: [String: Int] = [:]
        index.reserveCapacity(entries.count)
        for (i, e) in entries.enumerated() {
            guard index.updateValue(i, forKey: e.name) == nil else {
                throw FeatureStoreError.duplicateZipEntry(path: path, entry: e.name)
            }
        }
        byName = index
    }

    /// Whether an entry of that name exists.
    public func contains(_ name: String) -> Bool { byName[name] != nil }

    /// The entry named `name`.
    /// - Throws: `FeatureStoreError.zipEntryNotFound`.
    public func entry(named name: String) throws -> StoredZipEntry {
        guard let i = byName[name] else { throw FeatureStoreError.zipEntryNotFound(path: path, entry: name) }
        return entries[i]
    }

    /// Calls `body` with the data of `entry` (no copy; valid only inside `body`).
    public func withBytes<R>(of entry: StoredZipEntry, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try withBytes(offset: entry.dataOffset, length: entry.length, body)
    }

    /// Calls `body` with `length` bytes at `offset` (fairseq's `zip:offset:length`; no copy).
    /// - Throws: `FeatureStoreError.entryOutOfBounds` when the range leaves the file.
    public func withBytes<R>(offset: Int, length: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard offset >= 0, length >= 0, offset <= file.size, length <= file.size - offset else {
            throw FeatureStoreError.entryOutOfBounds(path: path, offset: offset, length: length, fileSize: file.size)
        }
        return try body(UnsafeRawBufferPointer(rebasing: file.bytes[offset..<offset + length]))
    }

    /// A copy of the data of the entry named `name`.
    public func bytes(named name: String) throws -> [UInt8] {
        try withBytes(of: entry(named: name)) { Array($0) }
    }

    /// Decodes the `.npy` entry named `name` (float32, 1-D or 2-D; a vector becomes `n × 1`).
    /// - Throws: `FeatureStoreError.badNpy` naming `path:name` (for example a `<f8` entry).
    public func matrix(named name: String) throws -> FeatureMatrix {
        let e = try entry(named: name)
        return try withBytes(of: e) { try Npy.decodeMatrix($0, name: "\(path):\(name)") }
    }

    /// Decodes the `.npy` stored at `offset:length` (a manifest's `zip:offset:length`).
    public func matrix(offset: Int, length: Int) throws -> FeatureMatrix {
        try withBytes(offset: offset, length: length) { try Npy.decodeMatrix($0, name: "\(path):\(offset):\(length)") }
    }

    /// The entry whose data start at `offset`, if any (to check that a manifest range is a whole entry).
    public func entry(atDataOffset offset: Int) -> StoredZipEntry? {
        var lo = 0, hi = entries.count
        // Entries written by this package are in offset order; fall back to a scan otherwise.
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].dataOffset < offset { lo = mid + 1 } else { hi = mid }
        }
        if lo < entries.count, entries[lo].dataOffset == offset { return entries[lo] }
        return entries.first { $0.dataOffset == offset }
    }

    /// Recomputes every entry's CRC-32.
    /// - Throws: `FeatureStoreError.checksumMismatch` for the first entry that differs.
    public func verifyChecksums() throws {
        for e in entries {
            let crc = try withBytes(of: e) { ZipCRC32.checksum($0) }
            guard crc == e.crc32 else {
                throw FeatureStoreError.checksumMismatch(path: path, entry: e.name, expected: e.crc32, found: crc)
            }
        }
    }

    // MARK: parsing

    private struct Parsed {
        var entries: [StoredZipEntry]
        var cdOffset: Int
    }

    private static func parse(_ b: UnsafeRawBufferPointer, path: String) throws -> Parsed {
        let size = b.count
        func fail(_ reason: String) -> FeatureStoreError { .notAZip(path: path, reason: reason) }
        guard size >= ZipFormat.endRecordSize else {
            throw fail("\(size) bytes, shorter than the 22-byte end-of-central-directory record")
        }
        // The end record is the last PK\5\6 whose comment fits in the file (comment ≤ 65,535 bytes).
        var eocd = -1
        var p = size - ZipFormat.endRecordSize
        let lowest = max(0, size - ZipFormat.endRecordSize - 0xFFFF)
        while p >= lowest {
            if b.zipU32(p) == ZipFormat.endOfCentralDirSignature,
               p + ZipFormat.endRecordSize + Int(b.zipU16(p + 20)) <= size {
                eocd = p
                break
            }
            p -= 1
        }
        guard eocd >= 0 else { throw fail("no end-of-central-directory record (not a zip, or truncated)") }
        guard b.zipU16(eocd + 4) == 0, b.zipU16(eocd + 6) == 0 else { throw fail("multi-disk archives are not supported") }
        var count = Int(b.zipU16(eocd + 10))
        var cdSize = Int(b.zipU32(eocd + 12))
        var cdOffset = Int(b.zipU32(eocd + 16))
        var cdLimit = eocd
        let loc = eocd - ZipFormat.zip64LocatorSize
        if loc >= 0, b.zipU32(loc) == ZipFormat.zip64LocatorSignature {
            let z = b.zipU64(loc + 8)
            guard z <= UInt64(loc - ZipFormat.zip64EndRecordSize), b.zipU32(Int(z)) == ZipFormat.zip64EndSignature else {
                throw fail("ZIP64 locator points to offset \(z), where there is no ZIP64 end record")
            }
            let z64 = Int(z)
            let c = b.zipU64(z64 + 32), s = b.zipU64(z64 + 40), o = b.zipU64(z64 + 48)
            guard c <= UInt64(size), s <= UInt64(size), o <= UInt64(size) else {
                throw fail("ZIP64 end record has impossible values (entries \(c), size \(s), offset \(o))")
            }
            count = Int(c); cdSize = Int(s); cdOffset = Int(o)
            cdLimit = z64
        }
        guard cdOffset + cdSize <= cdLimit else {
            throw fail("central directory (offset \(cdOffset), \(cdSize) bytes) runs past the end records at \(cdLimit)")
        }
        var entries: [StoredZipEntry] = []
        entries.reserveCapacity(count)
        var q = cdOffset
        let cdEnd = cdOffset + cdSize
        for i in 0..<count {
            guard q + ZipFormat.centralHeaderSize <= cdEnd, b.zipU32(q) == ZipFormat.centralHeaderSignature else {
                throw fail("central directory record \(i) of \(count) at offset \(q) is missing or truncated")
            }
            let flags = b.zipU16(q + 8)
            let method = Int(b.zipU16(q + 10))
            let crc = b.zipU32(q + 16)
            var csize = UInt64(b.zipU32(q + 20))
            var usize = UInt64(b.zipU32(q + 24))
            let nlen = Int(b.zipU16(q + 28)), elen = Int(b.zipU16(q + 30)), clen = Int(b.zipU16(q + 32))
            var lho = UInt64(b.zipU32(q + 42))
            guard q + ZipFormat.centralHeaderSize + nlen + elen + clen <= cdEnd else {
                throw fail("central directory record \(i) at offset \(q) runs past the central directory")
            }
            let nameStart = q + ZipFormat.centralHeaderSize
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: b[nameStart..<nameStart + nlen]), as: UTF8.self)
            // ZIP64 extra: the 8-byte values appear in this order, each only if its 32-bit field is 0xFFFFFFFF.
            if usize == 0xFFFF_FFFF || csize == 0xFFFF_FFFF || lho == 0xFFFF_FFFF {
                guard let z = zip64Extra(b, start: nameStart + nlen, length: elen) else {
                    throw FeatureStoreError.unsupportedZipEntry(path: path, entry: name, reason: "32-bit field set to 0xFFFFFFFF but no ZIP64 extra field")
                }
                var k = z.start
                func next() throws -> UInt64 {
                    guard k + 8 <= z.end else {
                        throw FeatureStoreError.unsupportedZipEntry(path: path, entry: name, reason: "ZIP64 extra field too short")
                    }
                    defer { k += 8 }
                    return b.zipU64(k)
                }
                if usize == 0xFFFF_FFFF { usize = try next() }
                if csize == 0xFFFF_FFFF { csize = try next() }
                if lho == 0xFFFF_FFFF { lho = try next() }
            }
            if flags & 1 != 0 {
                throw FeatureStoreError.unsupportedZipEntry(path: path, entry: name, reason: "encrypted (expected a plain stored entry)")
            }
            guard method == 0 else { throw FeatureStoreError.compressedZipEntry(path: path, entry: name, method: method) }
            guard csize == usize else {
                throw FeatureStoreError.unsupportedZipEntry(path: path, entry: name, reason: "stored entry with compressed size \(csize) ≠ size \(usize)")
            }
            guard lho <= UInt64(size), usize <= UInt64(size) else {
                throw FeatureStoreError.entryOutOfBounds(path: path, offset: Int(clamping: lho), length: Int(clamping: usize), fileSize: size)
            }
            let dataOffset = try checkLocalHeader(b, path: path, name: name, nameBytes: nameStart..<nameStart + nlen,
                                                  offset: Int(lho), size: UInt64(usize), crc: crc, flags: flags)
            guard Int(usize) <= size - dataOffset else {
                throw FeatureStoreError.entryOutOfBounds(path: path, offset: dataOffset, length: Int(usize), fileSize: size)
            }
            entries.append(StoredZipEntry(name: name, localHeaderOffset: Int(lho), dataOffset: dataOffset,
                                          length: Int(usize), crc32: crc))
            q = nameStart + nlen + elen + clen
        }
        return Parsed(entries: entries, cdOffset: cdOffset)
    }

    /// Checks the local header of an entry against its central record; returns the data offset.
    private static func checkLocalHeader(_ b: UnsafeRawBufferPointer, path: String, name: String, nameBytes: Range<Int>,
                                         offset: Int, size: UInt64, crc: UInt32, flags: UInt16) throws -> Int {
        func bad(_ reason: String) -> FeatureStoreError {
            .badLocalHeader(path: path, entry: name, offset: offset, reason: reason)
        }
        guard offset <= b.count - ZipFormat.localHeaderSize else { throw bad("the 30-byte header runs past the end of the file") }
        let sig = b.zipU32(offset)
        guard sig == ZipFormat.localHeaderSignature else {
            throw bad("signature 0x\(String(sig, radix: 16)) (expected 0x04034b50, PK\\3\\4)")
        }
        let method = Int(b.zipU16(offset + 8))
        guard method == 0 else { throw FeatureStoreError.compressedZipEntry(path: path, entry: name, method: method) }
        let nlen = Int(b.zipU16(offset + 26)), elen = Int(b.zipU16(offset + 28))
        let start = offset + ZipFormat.localHeaderSize
        guard start + nlen + elen <= b.count else { throw bad("name and extra field run past the end of the file") }
        guard nlen == nameBytes.count,
              memcmp(b.baseAddress! + start, b.baseAddress! + nameBytes.lowerBound, nlen) == 0 else {
            let local = String(decoding: UnsafeRawBufferPointer(rebasing: b[start..<start + nlen]), as: UTF8.self)
            throw bad("local name '\(local)' differs from the central directory's")
        }
        let localFlags = b.zipU16(offset + 6)
        if localFlags & 0x8 == 0 {
            // Without a data descriptor the local sizes and CRC must agree with the central record
            // (ZIP64 sizes live in the local extra field when the 32-bit ones are 0xFFFFFFFF).
            var lc = UInt64(b.zipU32(offset + 18)), lu = UInt64(b.zipU32(offset + 22))
            if lu == 0xFFFF_FFFF || lc == 0xFFFF_FFFF, let z = zip64Extra(b, start: start + nlen, length: elen) {
                var k = z.start
                if lu == 0xFFFF_FFFF, k + 8 <= z.end { lu = b.zipU64(k); k += 8 }
                if lc == 0xFFFF_FFFF, k + 8 <= z.end { lc = b.zipU64(k) }
            }
            guard lu == size, lc == size else { throw bad("local size \(lu) (compressed \(lc)), the central directory says \(size)") }
            let lcrc = b.zipU32(offset + 14)
            guard lcrc == crc else { throw bad("local CRC-32 \(String(lcrc, radix: 16)), the central directory says \(String(crc, radix: 16))") }
        }
        return start + nlen + elen
    }

    /// The payload range of the ZIP64 extra field (id 0x0001) inside an extra area, if present.
    static func zip64Extra(_ b: UnsafeRawBufferPointer, start: Int, length: Int) -> (start: Int, end: Int)? {
        var k = start
        let end = start + length
        while k + 4 <= end {
            let id = b.zipU16(k), n = Int(b.zipU16(k + 2))
            if k + 4 + n > end { return nil }
            if id == ZipFormat.zip64ExtraID { return (k + 4, k + 4 + n) }
            k += 4 + n
        }
        return nil
    }
}
