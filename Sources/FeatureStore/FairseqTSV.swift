#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The tab-separated text layer of fairseq manifests: Python csv with `delimiter="\t"`,
/// `quoting=QUOTE_NONE`, `escapechar="\\"`, `lineterminator="\n"`.
enum FairseqTSV {
    /// One record: its fields (unescaped) and the 1-based physical line it starts on.
    struct Record {
        var fields: [String]
        var line: Int
    }

    /// Appends `field` with a backslash before tab, newline, carriage return, `"` and backslash.
    static func appendEscaped(_ field: String, to out: inout [UInt8]) {
        for b in field.utf8 {
            switch b {
            case 0x09, 0x0A, 0x0D, 0x22, 0x5C: out.append(0x5C); out.append(b)
            default: out.append(b)
            }
        }
    }

    /// Splits `bytes` into records. Empty lines are skipped (pandas' `skip_blank_lines`); `\r\n` ends
    /// a record like `\n`; a UTF-8 byte-order mark at the start is ignored.
    /// - Throws: `FeatureStoreError.badTSV` for a backslash at the end of the file, a bare `\r`,
    ///   invalid UTF-8, and (with `strictQuoting`) an unescaped `"`.
    static func records(_ bytes: UnsafeRawBufferPointer, path: String, strictQuoting: Bool) throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1
        var i = 0
        let n = bytes.count
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        var recordHasContent = false
        func endField() throws {
            guard let s = String(validating: field, as: UTF8.self) else {
                throw FeatureStoreError.badTSV(path: path, line: recordLine, reason: "field \(fields.count + 1) is not valid UTF-8")
            }
            fields.append(s)
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() throws {
            if recordHasContent {
                try endField()
                records.append(Record(fields: fields, line: recordLine))
            }
            fields.removeAll(keepingCapacity: true)
            field.removeAll(keepingCapacity: true)
            recordHasContent = false
        }
        while i < n {
            let b = bytes[i]
            if !recordHasContent { recordLine = line }
            switch b {
            case 0x5C:  // backslash: the next byte is literal
                guard i + 1 < n else {
                    throw FeatureStoreError.badTSV(path: path, line: line, reason: "backslash at the end of the file escapes nothing")
                }
                let next = bytes[i + 1]
                if next == 0x0A { line += 1 }
                field.append(next)
                recordHasContent = true
                i += 2
                continue
            case 0x09:
                try endField()
                recordHasContent = true
            case 0x0A:
                try endRecord()
                line += 1
            case 0x0D:
                guard i + 1 < n, bytes[i + 1] == 0x0A else {
                    throw FeatureStoreError.badTSV(path: path, line: line, reason: "carriage return not followed by a newline (escape it as \\\\\\r)")
                }
            case 0x22 where strictQuoting:
                let column = fields.count + 1
                throw FeatureStoreError.badTSV(path: path, line: recordLine,
                                               reason: "unescaped '\"' in field \(column); fairseq manifests use no quoting and write '\"' as '\\\"'")
            default:
                field.append(b)
                recordHasContent = true
            }
            i += 1
        }
        try endRecord()
        return records
    }

    /// Writes `bytes` to `<path>.tmp`, syncs it, and renames it to `path`.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FeatureStoreError.cannotWrite(path: tmp, reason: String(cString: strerror(errno))) }
        var done = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            while done < raw.count {
                let k = write(fd, raw.baseAddress! + done, raw.count - done)
                if k < 0 { if errno == EINTR { continue }; return false }
                done += k
            }
            return fsync(fd) == 0
        }
        let err = errno
        close(fd)
        guard ok else {
            unlink(tmp)
            throw FeatureStoreError.cannotWrite(path: tmp, reason: String(cString: strerror(err)))
        }
        guard rename(tmp, path) == 0 else {
            throw FeatureStoreError.cannotWrite(path: path, reason: "rename from \(tmp): \(String(cString: strerror(errno)))")
        }
    }
}
