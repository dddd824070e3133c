#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Fbank

/// Writes a stored (uncompressed) zip entry by entry, in time linear in the number of entries.
///
/// The layout is the one Python's `zipfile` produces for
/// `writestr(ZipInfo(name, date_time=(1980,1,1,0,0,0)), data)` with `external_attr = 0o644 << 16`
/// (the golden `fbank80.zip` is reproduced byte for byte): a local header without extra field and
/// without data descriptor (so fairseq's offset rule, local-header offset + 30 + name length, holds),
/// the data, and at `finish()` the central directory and the end record. ZIP64 records are added
/// automatically when the archive passes 4 GiB or 65,535 entries (an entry at an offset ≥ 4 GiB gets
/// a ZIP64 extra field in its *central* record only, so its data offset still follows fairseq's rule;
/// only an entry of ≥ 4 GiB itself needs a local ZIP64 extra field, and its `dataOffset` accounts for it).
///
/// Crash safety: bytes go to `<path>.tmp` with plain `write(2)` calls (no user-space buffer), so every
/// entry `add` returned from is in the file even if the process is killed. `finish()` writes the
/// central directory, `fsync`s and renames the temporary file over `path`; the final name therefore
/// only ever holds a complete archive. `Mode.resume` continues a killed run (see `init`).
///
/// Not thread-safe: one writer, entries added in the order they should appear.
public final class StoredZipWriter {
    /// What to do with existing files.
    public enum Mode: Sendable, Equatable {
        /// Start a new archive; `path` must not exist (a stale `<path>.tmp` is discarded).
        case create
        /// Start a new archive that replaces `path` at `finish()` (a stale `<path>.tmp` is discarded).
        case overwrite
        /// Continue: from `<path>.tmp` if it exists (keeping every complete entry and cutting off a
        /// partial one or a half-written central directory), else from the complete archive at `path`
        /// (moved to `<path>.tmp`, its central directory cut off), else a new archive. The central
        /// directory written at `finish()` describes every entry with this writer's metadata
        /// (1980-01-01 00:00, mode 0644), whoever wrote the entries; their bytes and offsets are kept.
        case resume
    }

    /// The final path of the archive.
    public let path: String
    /// Where the archive is written until `finish()` (`<path>.tmp`).
    public let temporaryPath: String
    /// Every entry in the archive so far, resumed ones first, in file order.
    public private(set) var entries: [StoredZipEntry] = []
    /// How many entries were recovered when resuming (0 for a new archive).
    public private(set) var resumedEntryCount = 0
    /// Bytes cut off the end of the temporary file when resuming (a partial entry, a central directory).
    public private(set) var discardedBytes = 0

    private var fd: Int32 = -1
    private var offset = 0
    private var positions: [String: Int] = [:]
    private var finished = false

    /// Opens `<path>.tmp` for writing according to `mode`.
    /// - Parameter verifyResumedChecksums: when resuming from a temporary file, recompute each
    ///   recovered entry's CRC-32 and stop at the first mismatch (a torn write); costs one pass over the data.
    /// - Throws: `FeatureStoreError.outputExists` (`.create` with an existing `path`), `.cannotWrite`,
    ///   and the errors of `StoredZipReader` when resuming from a damaged complete archive.
    public init(path: String, mode: Mode = .create, verifyResumedChecksums: Bool = true) throws {
        self.path = path
        temporaryPath = path + ".tmp"
        switch mode {
        case .create:
            if Self.exists(path) { throw FeatureStoreError.outputExists(path: path) }
            try startFresh()
        case .overwrite:
            try startFresh()
        case .resume:
            if Self.exists(temporaryPath) {
                try resumeFromTemporary(verify: verifyResumedChecksums)
            } else if Self.exists(path) {
                try resumeFromComplete()
            } else {
                try startFresh()
            }
        }
        resumedEntryCount = entries.count
        positions.reserveCapacity(entries.count)
        for (i, e) in entries.enumerated() { positions[e.name] = i }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Whether an entry of that name is already in the archive (for example after resuming).
    public func contains(_ name: String) -> Bool { positions[name] != nil }

    /// The entry of that name already in the archive, if any (a resumed run takes the manifest
    /// location of an utterance it skips from here).
    public func entry(named name: String) -> StoredZipEntry? { positions[name].map { entries[$0] } }

    /// Appends an entry.
    /// - Returns: the entry, with its data offset and length (the manifest's `zip:offset:length`).
    /// - Throws: `FeatureStoreError.duplicateZipEntry`, `.cannotWrite` (after which the file is cut
    ///   back to the previous entry, so the writer stays usable).
    @discardableResult
    public func add(name: String, bytes: UnsafeRawBufferPointer) throws -> StoredZipEntry {
        precondition(!finished, "StoredZipWriter.add after finish()")
        guard positions[name] == nil else { throw FeatureStoreError.duplicateZipEntry(path: path, entry: name) }
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= 0xFFFF else {
            throw FeatureStoreError.cannotWrite(path: temporaryPath, reason: "entry name of \(nameBytes.count) bytes (expected 1 to 65,535)")
        }
        let length = bytes.count
        let big = UInt64(length) >= UInt64(ZipFormat.max32)
        let crc = ZipCRC32.checksum(bytes)
        var h = ZipBytes(capacity: ZipFormat.localHeaderSize + nameBytes.count + 20)
        h.u32(ZipFormat.localHeaderSignature)
        h.u16(big ? ZipFormat.versionZip64 : ZipFormat.versionDefault)
        h.u16(Self.flags(nameBytes))
        h.u16(0)  // stored
        h.u16(ZipFormat.dosTimeMidnight)
        h.u16(ZipFormat.dosDate1980)
        h.u32(crc)
        h.u32(big ? ZipFormat.max32 : UInt32(length))
        h.u32(big ? ZipFormat.max32 : UInt32(length))
        h.u16(UInt16(nameBytes.count))
        h.u16(big ? 20 : 0)
        h.append(nameBytes)
        if big {
            h.u16(ZipFormat.zip64ExtraID); h.u16(16)
            h.u64(UInt64(length)); h.u64(UInt64(length))
        }
        let start = offset
        do {
            try h.bytes.withUnsafeBytes { try writeAll($0, bytes) }
        } catch {
            _ = ftruncate(fd, off_t(start))
            _ = lseek(fd, off_t(start), SEEK_SET)
            throw error
        }
        offset = start + h.bytes.count + length
        let entry = StoredZipEntry(name: name, localHeaderOffset: start, dataOffset: start + h.bytes.count,
                                   length: length, crc32: crc)
        positions[name] = entries.count
        entries.append(entry)
        return entry
    }

    /// Appends an entry. See `add(name:bytes:)`.
    @discardableResult
    public func add(name: String, bytes: [UInt8]) throws -> StoredZipEntry {
        try bytes.withUnsafeBytes { try add(name: name, bytes: $0) }
    }

    /// Appends `<id>.npy` holding `matrix` as a format-1.0 `<f4` array (`numpy.save` bytes).
    @discardableResult
    public func addNpy(id: String, matrix: FeatureMatrix) throws -> StoredZipEntry {
        try add(name: id + ".npy", bytes: Npy.encode(matrix))
    }

    /// Writes the central directory and end records, syncs, and renames the temporary file to `path`.
    /// - Returns: all entries, in file order.
    @discardableResult
    public func finish() throws -> [StoredZipEntry] {
        precondition(!finished, "StoredZipWriter.finish() called twice")
        let cdStart = offset
        var cd = ZipBytes(capacity: entries.reduce(0) { $0 + ZipFormat.centralHeaderSize + $1.name.utf8.count + 12 })
        for e in entries {
            let nameBytes = Array(e.name.utf8)
            let bigSize = UInt64(e.length) >= UInt64(ZipFormat.max32)
            let bigOffset = UInt64(e.localHeaderOffset) >= UInt64(ZipFormat.max32)
            let version = bigSize || bigOffset ? ZipFormat.versionZip64 : ZipFormat.versionDefault
            var extra = ZipBytes(capacity: 28)
            if bigSize || bigOffset {
                extra.u16(ZipFormat.zip64ExtraID)
                extra.u16(UInt16((bigSize ? 16 : 0) + (bigOffset ? 8 : 0)))
                if bigSize { extra.u64(UInt64(e.length)); extra.u64(UInt64(e.length)) }
                if bigOffset { extra.u64(UInt64(e.localHeaderOffset)) }
            }
            cd.u32(ZipFormat.centralHeaderSignature)
            cd.u16((ZipFormat.versionMadeBy & 0xFF00) | version)
            cd.u16(version)
            cd.u16(Self.flags(nameBytes))
            cd.u16(0)
            cd.u16(ZipFormat.dosTimeMidnight)
            cd.u16(ZipFormat.dosDate1980)
            cd.u32(e.crc32)
            cd.u32(bigSize ? ZipFormat.max32 : UInt32(e.length))
            cd.u32(bigSize ? ZipFormat.max32 : UInt32(e.length))
            cd.u16(UInt16(nameBytes.count))
            cd.u16(UInt16(extra.bytes.count))
            cd.u16(0)  // comment
            cd.u16(0)  // disk
            cd.u16(0)  // internal attributes
            cd.u32(ZipFormat.externalAttributes)
            cd.u32(bigOffset ? ZipFormat.max32 : UInt32(e.localHeaderOffset))
            cd.append(nameBytes)
            cd.append(extra.bytes)
        }
        let cdSize = cd.bytes.count
        let count = entries.count
        if count >= Int(ZipFormat.max16) || UInt64(cdStart) >= UInt64(ZipFormat.max32) || UInt64(cdSize) >= UInt64(ZipFormat.max32) {
            let z64 = cdStart + cdSize
            cd.u32(ZipFormat.zip64EndSignature)
            cd.u64(UInt64(ZipFormat.zip64EndRecordSize - 12))
            cd.u16(ZipFormat.versionZip64); cd.u16(ZipFormat.versionZip64)
            cd.u32(0); cd.u32(0)
            cd.u64(UInt64(count)); cd.u64(UInt64(count))
            cd.u64(UInt64(cdSize)); cd.u64(UInt64(cdStart))
            cd.u32(ZipFormat.zip64LocatorSignature)
            cd.u32(0)
            cd.u64(UInt64(z64))
            cd.u32(1)
        }
        cd.u32(ZipFormat.endOfCentralDirSignature)
        cd.u16(0); cd.u16(0)
        cd.u16(UInt16(min(count, Int(ZipFormat.max16))))
        cd.u16(UInt16(min(count, Int(ZipFormat.max16))))
        cd.u32(UInt32(min(UInt64(cdSize), UInt64(ZipFormat.max32))))
        cd.u32(UInt32(min(UInt64(cdStart), UInt64(ZipFormat.max32))))
        cd.u16(0)
        try cd.bytes.withUnsafeBytes { try writeAll($0) }
        guard fsync(fd) == 0 else { throw posixError(temporaryPath) }
        close(fd)
        fd = -1
        guard rename(temporaryPath, path) == 0 else {
            throw FeatureStoreError.cannotWrite(path: path, reason: "rename from \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        finished = true
        return entries
    }

    /// Tests only: leaves a hole of `count` bytes (sparse on disk) so that the following entries land
    /// past 4 GiB without writing 4 GiB. The hole belongs to no entry; readers ignore it.
    /// Test hook (underscored: not API): leaves a sparse hole of `count` bytes, so that ZIP64-by-offset
    /// can be tested without writing 4 GiB.
    public func _skipForTesting(_ count: Int) throws {
        guard lseek(fd, off_t(count), SEEK_CUR) == off_t(offset + count) else { throw posixError(temporaryPath) }
        offset += count
    }

    // MARK: opening

    private func startFresh() throws {
        if Self.exists(temporaryPath) { unlink(temporaryPath) }
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw posixError(temporaryPath) }
        offset = 0
    }

    /// Continues a temporary file: keeps the complete entries, cuts off the rest.
    private func resumeFromTemporary(verify: Bool) throws {
        do {
            let mapped = try MappedFile(path: temporaryPath)
            let scan = Self.scanCompleteEntries(mapped.bytes, verifyChecksums: verify)
            entries = scan.entries
            offset = scan.end
            discardedBytes = mapped.size - scan.end
        }
        fd = open(temporaryPath, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw posixError(temporaryPath) }
        guard ftruncate(fd, off_t(offset)) == 0, lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
            throw posixError(temporaryPath)
        }
    }

    /// Continues a complete archive: validates it, moves it to the temporary name, cuts off its
    /// central directory. Its entries must be packed from offset 0 up to the central directory.
    private func resumeFromComplete() throws {
        let reader = try StoredZipReader(path: path)
        var end = 0
        for e in reader.entries {
            guard e.localHeaderOffset == end else {
                throw FeatureStoreError.cannotWrite(path: path, reason: "cannot resume: entry \(e.name) starts at \(e.localHeaderOffset), expected \(end) (entries are not packed in file order)")
            }
            end = e.dataOffset + e.length
        }
        guard end == reader.centralDirectoryOffset else {
            throw FeatureStoreError.cannotWrite(path: path, reason: "cannot resume: \(reader.centralDirectoryOffset - end) unexplained bytes before the central directory")
        }
        entries = reader.entries
        discardedBytes = reader.fileSize - end
        guard rename(path, temporaryPath) == 0 else { throw posixError(path) }
        fd = open(temporaryPath, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw posixError(temporaryPath) }
        guard ftruncate(fd, off_t(end)) == 0, lseek(fd, off_t(end), SEEK_SET) == off_t(end) else {
            throw posixError(temporaryPath)
        }
        offset = end
    }

    /// The complete, stored entries at the start of a partially written archive, up to the first
    /// thing that is not one (a truncated entry, a central directory, garbage), and where they end.
    static func scanCompleteEntries(_ b: UnsafeRawBufferPointer, verifyChecksums: Bool) -> (entries: [StoredZipEntry], end: Int) {
        var entries: [StoredZipEntry] = []
        var seen: Set<String> = []
        var o = 0
        while o + ZipFormat.localHeaderSize <= b.count, b.zipU32(o) == ZipFormat.localHeaderSignature {
            let flags = b.zipU16(o + 6), method = b.zipU16(o + 8)
            guard method == 0, flags & 0x9 == 0 else { break }
            let crc = b.zipU32(o + 14)
            var size = UInt64(b.zipU32(o + 22))
            let nlen = Int(b.zipU16(o + 26)), elen = Int(b.zipU16(o + 28))
            let nameStart = o + ZipFormat.localHeaderSize
            guard nameStart + nlen + elen <= b.count else { break }
            if size == UInt64(ZipFormat.max32) {
                guard let z = StoredZipReader.zip64Extra(b, start: nameStart + nlen, length: elen), z.end - z.start >= 8 else { break }
                size = b.zipU64(z.start)
            }
            let dataOffset = nameStart + nlen + elen
            guard size <= UInt64(b.count - dataOffset) else { break }
            let data = UnsafeRawBufferPointer(rebasing: b[dataOffset..<dataOffset + Int(size)])
            if verifyChecksums, ZipCRC32.checksum(data) != crc { break }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: b[nameStart..<nameStart + nlen]), as: UTF8.self)
            guard seen.insert(name).inserted else { break }
            entries.append(StoredZipEntry(name: name, localHeaderOffset: o, dataOffset: dataOffset, length: Int(size), crc32: crc))
            o = dataOffset + Int(size)
        }
        return (entries, o)
    }

    // MARK: helpers

    private static func flags(_ name: [UInt8]) -> UInt16 { name.allSatisfy { $0 < 0x80 } ? 0 : ZipFormat.utf8Flag }

    private static func exists(_ p: String) -> Bool { access(p, F_OK) == 0 }

    /// Writes `head` then `body` with one `writev` in the common case (one syscall per entry).
    private func writeAll(_ head: UnsafeRawBufferPointer, _ body: UnsafeRawBufferPointer) throws {
        var iov = [iovec(iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress), iov_len: head.count),
                   iovec(iov_base: UnsafeMutableRawPointer(mutating: body.baseAddress), iov_len: body.count)]
        var n: Int
        repeat { n = writev(fd, &iov, 2) } while n < 0 && errno == EINTR
        if n < 0 { throw posixError(temporaryPath) }
        if n < head.count {
            try writeAll(UnsafeRawBufferPointer(rebasing: head[n...]))
            try writeAll(body)
        } else if n < head.count + body.count {
            try writeAll(UnsafeRawBufferPointer(rebasing: body[(n - head.count)...]))
        }
    }

    private func writeAll(_ buf: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < buf.count {
            let n = write(fd, buf.baseAddress! + done, buf.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw posixError(temporaryPath)
            }
            done += n
        }
    }

    private func posixError(_ p: String) -> FeatureStoreError {
        .cannotWrite(path: p, reason: String(cString: strerror(errno)))
    }
}
