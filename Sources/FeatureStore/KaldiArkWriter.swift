#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Fbank

#if canImport(Glibc)
private let systemWrite = Glibc.write
#else
private let systemWrite = Darwin.write
#endif

/// Appends binary entries to an ark and records the scp lines (`key name:offset`, offset = the `\0`
/// of `\0B`) and frame counts, as `copy-feats ark,scp:` and kaldiio's `save_ark` write them.
///
/// Writes are buffered (1 MiB) and linear in the bytes written. The writer opens the path it is given;
/// the caller's protocol writes to a temporary name and renames after `finish()` (which flushes,
/// fsyncs and closes). With `append: true` the offsets continue from the current end of the file.
public final class KaldiArkWriter {
    public let arkPath: String
    /// The ark name written into scp lines (default: `arkPath`).
    public let scpArkName: String
    /// One scp entry per written object, in write order.
    public private(set) var entries: [KaldiScpEntry] = []
    /// `(key, rows)` for every matrix written (for `utt2num_frames`).
    public private(set) var frameCounts: [(key: String, frames: Int)] = []
    /// Bytes in the file, including the buffer not yet flushed.
    public private(set) var position: Int
    private var fd: Int32
    private var buffer: [UInt8] = []
    private static let flushThreshold = 1 << 20

    /// Opens (creates, or truncates unless `append`) the ark.
    /// - Throws: `FeatureStoreError.cannotWrite`.
    public init(arkPath: String, scpArkName: String? = nil, append: Bool = false) throws {
        self.arkPath = arkPath
        self.scpArkName = scpArkName ?? arkPath
        let flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC)
        fd = open(arkPath, flags, 0o644)
        guard fd >= 0 else { throw FeatureStoreError.cannotWrite(path: arkPath, reason: String(cString: strerror(errno))) }
        let end = lseek(fd, 0, SEEK_END)
        position = end < 0 ? 0 : Int(end)
        buffer.reserveCapacity(Self.flushThreshold + 4096)
    }

    deinit { if fd >= 0 { _ = flushBuffer(); close(fd) } }

    /// Appends `matrix` as `FM`, or compressed with `compression` (`CM` for `.speechFeature`, `CM2`/`CM3`
    /// by method). - Returns: the scp entry. - Throws: `.badKey`, `.cannotWrite`.
    @discardableResult
    public func write(key: String, matrix: FeatureMatrix, compression: KaldiCompressionMethod? = nil) throws -> KaldiScpEntry {
        let entry = try begin(key: key)
        buffer.append(0); buffer.append(0x42)
        if let compression {
            buffer.append(contentsOf: KaldiCompressedMatrix.encode(matrix, method: compression))
        } else {
            Self.appendFloatMatrixBody(matrix, to: &buffer)
        }
        return try end(entry, frames: matrix.rows)
    }

    /// Appends any object in its binary form (see `KaldiArkWriter.encode`).
    @discardableResult
    public func write(key: String, object: KaldiObject) throws -> KaldiScpEntry {
        let entry = try begin(key: key)
        Self.encode(object, into: &buffer)
        let frames: Int? = switch object {
        case let .floatMatrix(m), let .textMatrix(m), let .compressedMatrix(_, m): m.rows
        case let .doubleMatrix(m): m.rows
        default: nil
        }
        return try end(entry, frames: frames)
    }

    private func begin(key: String) throws -> KaldiScpEntry {
        guard fd >= 0 else { throw FeatureStoreError.cannotWrite(path: arkPath, reason: "the writer is finished") }
        guard !key.isEmpty, !key.utf8.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0 }) else {
            throw FeatureStoreError.badKey(key: key)
        }
        buffer.append(contentsOf: key.utf8)
        buffer.append(0x20)
        return KaldiScpEntry(key: key, path: scpArkName, offset: position + buffer.count)
    }

    private func end(_ entry: KaldiScpEntry, frames: Int?) throws -> KaldiScpEntry {
        entries.append(entry)
        if let frames { frameCounts.append((entry.key, frames)) }
        if buffer.count >= Self.flushThreshold {
            if let error = flushBuffer() { throw error }
        }
        return entry
    }

    /// Writes the buffer to the file; returns the error instead of throwing (usable from `deinit`).
    private func flushBuffer() -> FeatureStoreError? {
        var done = 0
        let total = buffer.count
        let error: FeatureStoreError? = buffer.withUnsafeBytes { raw in
            while done < total {
                let n = systemWrite(fd, raw.baseAddress! + done, total - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return .cannotWrite(path: arkPath, reason: String(cString: strerror(errno)))
                }
                done += n
            }
            return nil
        }
        position += done
        buffer.removeAll(keepingCapacity: true)
        return error
    }

    /// Flushes, fsyncs and closes the ark. Idempotent.
    public func finish() throws {
        guard fd >= 0 else { return }
        if let error = flushBuffer() { close(fd); fd = -1; throw error }
        let syncFailed = fsync(fd) != 0
        let reason = syncFailed ? String(cString: strerror(errno)) : ""
        let closeFailed = close(fd) != 0
        fd = -1
        if syncFailed || closeFailed {
            throw FeatureStoreError.cannotWrite(path: arkPath, reason: syncFailed ? "fsync: \(reason)" : "close failed")
        }
    }

    /// The scp text for the entries written (`key name:offset` lines).
    public var scpText: String { KaldiScp.format(entries) }

    /// The `utt2num_frames` text (`key rows` lines) for the matrices written.
    public var utt2numFramesText: String {
        var s = ""
        for (k, n) in frameCounts { s += "\(k) \(n)\n" }
        return s
    }

    // MARK: encoding

    /// The binary bytes of `object`, from `\0B` on (or `RIFF…` / `AUDIO…` for audio).
    ///
    /// Text-mode objects are written in binary (`FM`/`FV`); a compressed matrix is re-compressed from its
    /// decoded values with the method of its format (`CM` → speechFeature, `CM2` → twoByteAuto, `CM3` →
    /// oneByteAuto), which is not byte-identical to the original in general.
    public static func encode(_ object: KaldiObject) -> [UInt8] {
        var out: [UInt8] = []
        encode(object, into: &out)
        return out
    }

    static func encode(_ object: KaldiObject, into out: inout [UInt8]) {
        func put<T>(_ v: T) { withUnsafeBytes(of: v) { out.append(contentsOf: $0) } }
        func header(_ token: String, _ dims: [Int]) {
            out.append(0); out.append(0x42)
            out.append(contentsOf: token.utf8); out.append(0x20)
            for d in dims { out.append(4); put(Int32(d).littleEndian) }
        }
        switch object {
        case let .floatMatrix(m), let .textMatrix(m):
            out.append(0); out.append(0x42)
            appendFloatMatrixBody(m, to: &out)
        case let .doubleMatrix(m):
            header("DM", [m.rows, m.cols])
            m.values.withUnsafeBytes { out.append(contentsOf: $0) }
        case let .floatVector(v), let .textVector(v):
            header("FV", [v.count])
            v.withUnsafeBytes { out.append(contentsOf: $0) }
        case let .doubleVector(v):
            header("DV", [v.count])
            v.withUnsafeBytes { out.append(contentsOf: $0) }
        case let .int32Vector(v):
            out.append(0); out.append(0x42)
            out.append(4); put(Int32(v.count).littleEndian)
            out.reserveCapacity(out.count + 5 * v.count)
            for x in v { out.append(4); put(x.littleEndian) }
        case let .compressedMatrix(format, m):
            out.append(0); out.append(0x42)
            let method: KaldiCompressionMethod = switch format {
            case .cm: .speechFeature
            case .cm2: .twoByteAuto
            case .cm3: .oneByteAuto
            }
            out.append(contentsOf: KaldiCompressedMatrix.encode(m, method: method))
        case let .wave(w):
            out.append(contentsOf: KaldiWaveDecoder.encode(w))
        case let .extendedAudio(a):
            out.append(contentsOf: "AUDIO".utf8)
            var n = 1
            while n < 8, a.payload.count >> (8 * n) > 0 { n += 1 }
            n = max(n, a.lengthBytes)
            out.append(UInt8(n))
            for i in 0..<n { out.append(UInt8(truncatingIfNeeded: a.payload.count >> (8 * i))) }
            out.append(contentsOf: a.payload)
        }
    }

    /// `FM ` `\x04 rows` `\x04 cols` + the Float32 values (little-endian host: memory = file bytes).
    static func appendFloatMatrixBody(_ m: FeatureMatrix, to out: inout [UInt8]) {
        out.append(contentsOf: [0x46, 0x4D, 0x20])
        out.append(4); withUnsafeBytes(of: Int32(m.rows).littleEndian) { out.append(contentsOf: $0) }
        out.append(4); withUnsafeBytes(of: Int32(m.cols).littleEndian) { out.append(contentsOf: $0) }
        m.values.withUnsafeBytes { out.append(contentsOf: $0) }
    }
}
