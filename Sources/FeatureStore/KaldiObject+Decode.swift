#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Fbank

extension KaldiObject {
    /// Decodes the object that starts at `offset` of `raw` (an ark in memory; `offset` is what an scp
    /// names: the byte after `key `).
    ///
    /// Recognised starts, in kaldiio's order: `RIFF` (wave), `AUDIO` (extended audio), `\0B` (binary: an
    /// int32 vector if the next byte is `\x04`, else a token `FM DM FV DV CM CM2 CM3`), otherwise text
    /// (`[ … ]`, or a bare line of integers as Kaldi writes text alignments).
    /// Every size is checked against the end of `raw` before it is used.
    /// - Parameters: `path` and `key` only name the entry in errors.
    /// - Returns: the object and the offset one past its last byte (the next key starts there).
    /// - Throws: `FeatureStoreError.entryOutOfBounds`, `.truncatedArk`, `.unknownKaldiType`, `.badKaldiObject`.
    public static func decode(_ raw: UnsafeRawBufferPointer, at offset: Int, path: String, key: String) throws -> (object: KaldiObject, end: Int) {
        guard offset >= 0, offset < raw.count else {
            if offset == raw.count {
                throw FeatureStoreError.truncatedArk(path: path, key: key, offset: offset, reason: "the file ends right after the key")
            }
            throw FeatureStoreError.entryOutOfBounds(path: path, offset: offset, length: 0, fileSize: raw.count)
        }
        let r = KaldiByteReader(raw: raw, path: path, key: key, entryOffset: offset)
        if r.hasPrefix("RIFF", at: offset) {
            let (wave, length) = try KaldiWaveDecoder.decode(raw: UnsafeRawBufferPointer(rebasing: raw[offset...]),
                                                              path: path, key: key, offset: offset)
            return (.wave(wave), offset + length)
        }
        if r.hasPrefix("AUDIO", at: offset) { return try decodeExtendedAudio(r, at: offset + 5) }
        if r.hasPrefix("\0B", at: offset) { return try decodeBinary(r, at: offset + 2) }
        return try decodeText(r, at: offset)
    }

    private static func decodeExtendedAudio(_ r: KaldiByteReader, at pos: Int) throws -> (object: KaldiObject, end: Int) {
        let n = Int(try r.byte(at: pos, what: "AUDIO length-field size"))
        guard (1...8).contains(n) else { throw r.bad("AUDIO length field of \(n) bytes (expected 1 to 8)") }
        try r.need(pos + 1, n, what: "AUDIO length field")
        var length = 0
        for i in 0..<n { length |= Int(r.raw[pos + 1 + i]) << (8 * i) }
        let start = pos + 1 + n
        try r.need(start, length, what: "AUDIO payload of \(length) bytes")
        let payload = [UInt8](UnsafeRawBufferPointer(rebasing: r.raw[start..<start + length]))
        return (.extendedAudio(KaldiExtendedAudio(payload: payload, payloadOffset: start, lengthBytes: n)), start + length)
    }

    private static func decodeBinary(_ r: KaldiByteReader, at pos: Int) throws -> (object: KaldiObject, end: Int) {
        let first = try r.byte(at: pos, what: "object type after \\0B")
        if first == 4 { return try decodeInt32Vector(r, at: pos) }
        let (token, afterToken) = try r.token(at: pos)
        switch token {
        case "CM", "CM2", "CM3":
            let format = KaldiCompressionFormat(rawValue: token)!
            let (m, end) = try KaldiCompressedMatrix.decode(format, raw: r.raw, at: afterToken,
                                                            path: r.path, key: r.key, entryOffset: r.entryOffset)
            return (.compressedMatrix(format, m), end)
        case "FM", "DM", "FV", "DV":
            let isMatrix = token.hasSuffix("M")
            let elementSize = token.hasPrefix("F") ? 4 : 8
            var p = afterToken
            let rows = try r.int32(at: &p, what: isMatrix ? "row count" : "dimension")
            let cols = isMatrix ? try r.int32(at: &p, what: "column count") : 1
            guard rows >= 0, cols >= 0 else { throw r.bad("\(token) with negative dimension \(rows)x\(cols)") }
            let (count, o1) = rows.multipliedReportingOverflow(by: cols)
            let (bytes, o2) = count.multipliedReportingOverflow(by: elementSize)
            guard !o1, !o2 else { throw r.bad("\(token) dimensions \(rows)x\(cols) overflow") }
            try r.need(p, bytes, what: "\(token) data of \(rows)x\(cols) values")
            let src = r.raw.baseAddress.map { $0 + p }
            let end = p + bytes
            if elementSize == 4 {
                let values = [Float](unsafeUninitializedCapacity: count) { out, n in
                    if count > 0 { memcpy(out.baseAddress!, src!, bytes) }  // little-endian host
                    n = count
                }
                return (isMatrix ? .floatMatrix(FeatureMatrix(rows: rows, cols: cols, values: values)) : .floatVector(values), end)
            }
            let values = [Double](unsafeUninitializedCapacity: count) { out, n in
                if count > 0 { memcpy(out.baseAddress!, src!, bytes) }
                n = count
            }
            return (isMatrix ? .doubleMatrix(KaldiDoubleMatrix(rows: rows, cols: cols, values: values)) : .doubleVector(values), end)
        default:
            throw FeatureStoreError.unknownKaldiType(path: r.path, key: r.key, offset: r.entryOffset, token: token)
        }
    }

    private static func decodeInt32Vector(_ r: KaldiByteReader, at pos: Int) throws -> (object: KaldiObject, end: Int) {
        var p = pos
        let n = try r.int32(at: &p, what: "int32 vector length")
        guard n >= 0 else { throw r.bad("int32 vector of length \(n)") }
        try r.need(p, 5 * n, what: "int32 vector of \(n) elements (5 bytes each)")
        let base = r.raw.baseAddress
        var bad = -1
        let values = [Int32](unsafeUninitializedCapacity: n) { out, count in
            for i in 0..<n {
                let q = p + 5 * i
                if base!.load(fromByteOffset: q, as: UInt8.self) != 4, bad < 0 { bad = q }
                out[i] = Int32(littleEndian: base!.loadUnaligned(fromByteOffset: q + 1, as: Int32.self))
            }
            count = n
        }
        if bad >= 0 { throw r.bad("int32 vector element at byte \(bad) has size byte \(r.raw[bad]) (expected 4)") }
        return (.int32Vector(values), p + 5 * n)
    }

    /// Text objects: `[ v v … ]` (vector, one line), `[\n  row\n  row ]` (matrix), or a bare line of
    /// integers (text alignments). Numbers are read as double and rounded to Float32, as kaldiio does.
    private static func decodeText(_ r: KaldiByteReader, at offset: Int) throws -> (object: KaldiObject, end: Int) {
        let raw = r.raw
        var p = offset
        while p < raw.count, raw[p] == 0x20 || raw[p] == 0x0A || raw[p] == 0x09 || raw[p] == 0x0D { p += 1 }
        guard p < raw.count else { throw r.truncated("only white space after the key") }
        if raw[p] != UInt8(ascii: "[") {
            // A bare line: integers only (Kaldi text int32 vectors), else an unknown object.
            var e = p
            while e < raw.count, raw[e] != 0x0A { e += 1 }
            let line = UnsafeRawBufferPointer(rebasing: raw[p..<e])
            let isIntegers = line.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2B || $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
            guard isIntegers else {
                let t = raw[p..<min(raw.count, p + 8)].prefix { $0 > 0x20 && $0 < 0x7F }
                throw FeatureStoreError.unknownKaldiType(path: r.path, key: r.key, offset: r.entryOffset,
                                                         token: String(decoding: t, as: UTF8.self))
            }
            let rowsOfValues = try parseNumbers(line, r)
            let values = rowsOfValues.flatMap { $0 }.map { Int32($0) }
            return (.int32Vector(values), min(raw.count, e + 1))
        }
        let open = p + 1
        var close = open
        while close < raw.count, raw[close] != UInt8(ascii: "]") { close += 1 }
        guard close < raw.count else { throw r.truncated("text object has no closing ']'") }
        var end = close + 1
        if end < raw.count {
            guard raw[end] == 0x0A else { throw r.bad("text object: expected a newline after ']', found byte \(raw[end])") }
            end += 1
        }
        let content = UnsafeRawBufferPointer(rebasing: raw[open..<close])
        let isMatrix = content.contains(0x0A)
        let lines = try parseNumbers(content, r).filter { !$0.isEmpty }
        if !isMatrix {
            return (.textVector(lines.first.map { $0.map { Float($0) } } ?? []), end)
        }
        let cols = lines.first?.count ?? 0
        var values: [Float] = []
        values.reserveCapacity(lines.count * cols)
        for (i, line) in lines.enumerated() {
            guard line.count == cols else { throw r.bad("text matrix row \(i) has \(line.count) values, row 0 has \(cols)") }
            for v in line { values.append(Float(v)) }
        }
        return (.textMatrix(FeatureMatrix(rows: lines.count, cols: cols, values: values)), end)
    }

    /// The numbers of each line of `text` (lines split at `\n`), parsed with `strtod`.
    private static func parseNumbers(_ text: UnsafeRawBufferPointer, _ r: KaldiByteReader) throws -> [[Double]] {
        var buffer = [CChar](repeating: 0, count: text.count + 1)
        for i in 0..<text.count { buffer[i] = text[i] == 0x0A ? 0 : CChar(bitPattern: text[i]) }
        var lines: [[Double]] = []
        try buffer.withUnsafeMutableBufferPointer { b in
            let base = b.baseAddress!
            var lineStart = 0
            while lineStart <= text.count {
                var line: [Double] = []
                var p = base + lineStart
                while true {
                    while p.pointee == 0x20 || p.pointee == 0x09 || p.pointee == 0x0D { p += 1 }
                    if p.pointee == 0 { break }
                    var endPtr: UnsafeMutablePointer<CChar>? = nil
                    let v = strtod(p, &endPtr)
                    guard let e = endPtr, e != p, e.pointee == 0 || e.pointee == 0x20 || e.pointee == 0x09 || e.pointee == 0x0D else {
                        let start = p - base
                        let word = text[start..<min(text.count, start + 20)].prefix { $0 > 0x20 }
                        throw r.bad("text object: '\(String(decoding: word, as: UTF8.self))' is not a number")
                    }
                    line.append(v)
                    p = e
                }
                lines.append(line)
                lineStart = (p - base) + 1
            }
        }
        return lines
    }
}

/// Bounds-checked little-endian reads from an ark in memory, with errors naming the entry.
struct KaldiByteReader {
    let raw: UnsafeRawBufferPointer
    let path: String
    let key: String
    let entryOffset: Int

    func hasPrefix(_ s: String, at p: Int) -> Bool {
        let u = Array(s.utf8)
        guard p + u.count <= raw.count else { return false }
        for i in 0..<u.count where raw[p + i] != u[i] { return false }
        return true
    }

    func truncated(_ reason: String) -> FeatureStoreError {
        .truncatedArk(path: path, key: key, offset: entryOffset, reason: reason)
    }

    func bad(_ reason: String) -> FeatureStoreError {
        .badKaldiObject(path: path, key: key, offset: entryOffset, reason: reason)
    }

    /// Throws unless `count` bytes from `p` lie inside the file.
    func need(_ p: Int, _ count: Int, what: String) throws {
        guard count >= 0, p <= raw.count, count <= raw.count - p else {
            throw truncated("\(what) needs \(count) bytes at byte \(p), the file has \(raw.count)")
        }
    }

    func byte(at p: Int, what: String) throws -> UInt8 {
        try need(p, 1, what: what)
        return raw[p]
    }

    /// `WriteBasicType<int32>`: a size byte 4, then the value.
    func int32(at p: inout Int, what: String) throws -> Int {
        try need(p, 5, what: what)
        guard raw[p] == 4 else { throw bad("\(what): size byte \(raw[p]) at byte \(p) (expected 4)") }
        let v = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: p + 1, as: Int32.self))
        p += 5
        return Int(v)
    }

    /// A binary token: printable bytes up to a space (at most 16); returns it and the offset after the space.
    func token(at p: Int) throws -> (String, Int) {
        var e = p
        while e < raw.count, e - p < 16, raw[e] != 0x20 {
            guard raw[e] > 0x20, raw[e] < 0x7F else {
                let shown = raw[p..<e].map { String(UnicodeScalar($0)) }.joined() + "\\x" + String(raw[e], radix: 16)
                throw FeatureStoreError.unknownKaldiType(path: path, key: key, offset: entryOffset, token: shown)
            }
            e += 1
        }
        let token = String(decoding: raw[p..<e], as: UTF8.self)
        guard e < raw.count else { throw truncated("the file ends inside the type token '\(token)'") }
        guard raw[e] == 0x20 else {
            throw FeatureStoreError.unknownKaldiType(path: path, key: key, offset: entryOffset, token: token)
        }
        return (token, e + 1)
    }
}
