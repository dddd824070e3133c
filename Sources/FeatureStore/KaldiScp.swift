import Foundation
import Fbank

/// One line of a Kaldi scp: `key path:offset` with an optional `[r1:r2]` or `[r1:r2,c1:c2]` range
/// (inclusive, as Kaldi's `ParseMatrixRangeSpecifier`; an empty side or `:` alone means all).
public struct KaldiScpEntry: Sendable, Equatable {
    public var key: String
    /// The ark path as written in the scp (relative paths are resolved by the reader's base directory).
    public var path: String
    /// Byte offset of the object; `nil` for a file holding a single object (read from byte 0).
    public var offset: Int?
    public var rowRange: ClosedRange<Int>?
    public var colRange: ClosedRange<Int>?
    /// 1-based line in the scp (0 when the entry was made in memory).
    public var line: Int

    public init(key: String, path: String, offset: Int?, rowRange: ClosedRange<Int>? = nil,
                colRange: ClosedRange<Int>? = nil, line: Int = 0) {
        self.key = key
        self.path = path
        self.offset = offset
        self.rowRange = rowRange
        self.colRange = colRange
        self.line = line
    }

    /// The scp line without the newline: `key path:offset[…]`.
    public var text: String {
        var s = key + " " + path
        if let offset { s += ":\(offset)" }
        if rowRange != nil || colRange != nil {
            func r(_ x: ClosedRange<Int>?) -> String { x.map { "\($0.lowerBound):\($0.upperBound)" } ?? "" }
            s += colRange == nil ? "[\(r(rowRange))]" : "[\(r(rowRange)),\(r(colRange))]"
        }
        return s
    }
}

/// Parsing and writing of `.scp` files.
public enum KaldiScp {
    /// Parses scp text. Blank lines are skipped; every other line must be `key rxfilename`.
    /// - Parameter path: names the file in errors.
    /// - Throws: `FeatureStoreError.badScpLine` with the 1-based line number.
    public static func parse(_ text: String, path: String) throws -> [KaldiScpEntry] {
        var out: [KaldiScpEntry] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            out.append(try parseLine(String(line), path: path, line: lineNumber))
        }
        return out
    }

    /// Reads and parses the scp at `path`.
    public static func read(path: String) throws -> [KaldiScpEntry] {
        try parse(try readText(path), path: path)
    }

    /// Parses one line `key rxfilename`.
    static func parseLine(_ line: String, path: String, line number: Int) throws -> KaldiScpEntry {
        func fail(_ reason: String) -> FeatureStoreError { .badScpLine(path: path, line: number, text: line, reason: reason) }
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard let sep = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
            throw fail("expected 'key path:offset', found no space")
        }
        let key = String(trimmed[..<sep])
        var rx = trimmed[sep...].trimmingCharacters(in: .whitespaces)
        guard !rx.isEmpty else { throw fail("expected 'key path:offset', the path is empty") }
        if rx.hasSuffix("|") { throw fail("shell pipelines are not supported in an scp") }
        var rowRange: ClosedRange<Int>?, colRange: ClosedRange<Int>?
        if rx.hasSuffix("]"), let open = rx.lastIndex(of: "[") {
            let spec = rx[rx.index(after: open)..<rx.index(before: rx.endIndex)]
            let parts = spec.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 1 || parts.count == 2 else { throw fail("range '[\(spec)]' must be [r1:r2] or [r1:r2,c1:c2]") }
            func range(_ s: Substring) throws -> ClosedRange<Int>? {
                let t = s.trimmingCharacters(in: .whitespaces)
                if t.isEmpty || t == ":" { return nil }
                let ab = t.split(separator: ":", omittingEmptySubsequences: false)
                guard ab.count == 2, let a = Int(ab[0]), let b = Int(ab[1]), a >= 0, b >= a else {
                    throw fail("range '\(t)' must be 'first:last' with 0 <= first <= last")
                }
                return a...b
            }
            rowRange = try range(parts[0])
            if parts.count == 2 { colRange = try range(parts[1]) }
            rx = String(rx[..<open])
        }
        var offset: Int?
        var file = rx
        if let colon = rx.lastIndex(of: ":") {
            let digits = rx[rx.index(after: colon)...]
            if !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) {
                guard let v = Int(digits) else { throw fail("offset '\(digits)' is too large") }
                offset = v
                file = String(rx[..<colon])
            } else if digits.isEmpty || digits.first == "-" {
                throw fail("offset after ':' must be a non-negative integer")
            }
        }
        guard !file.isEmpty else { throw fail("the ark path is empty") }
        return KaldiScpEntry(key: key, path: file, offset: offset, rowRange: rowRange, colRange: colRange, line: number)
    }

    /// The text of an scp holding `entries` (one `key path:offset` line each).
    public static func format(_ entries: [KaldiScpEntry]) -> String {
        var s = ""
        for e in entries { s += e.text; s += "\n" }
        return s
    }

    static func readText(_ path: String) throws -> String {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw FeatureStoreError.cannotRead(path: path, reason: error.localizedDescription)
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Random access to ark entries through an scp, with one memory map per ark file (opened on first
/// use and kept). Every offset is checked against the file size. Safe to share between threads.
public final class KaldiScpReader: @unchecked Sendable {
    public let entries: [KaldiScpEntry]
    /// Prefix for relative ark paths (`nil`: as written, i.e. relative to the working directory).
    public let baseDirectory: String?
    private let index: [String: Int]
    private var files: [String: MappedFile] = [:]
    private let lock = NSLock()

    /// Reads the scp at `scpPath`. Relative ark paths are taken relative to `baseDirectory`.
    public convenience init(scpPath: String, baseDirectory: String? = nil) throws {
        try self.init(entries: KaldiScp.read(path: scpPath), baseDirectory: baseDirectory)
    }

    /// Uses already parsed entries. The first entry of a repeated key is the one `read(key:)` returns.
    public init(entries: [KaldiScpEntry], baseDirectory: String? = nil) throws {
        self.entries = entries
        self.baseDirectory = baseDirectory
        var index: [String: Int] = [:]
        for (i, e) in entries.enumerated() where index[e.key] == nil { index[e.key] = i }
        self.index = index
    }

    /// The file path of `entry` after resolution against `baseDirectory`.
    public func resolvedPath(_ entry: KaldiScpEntry) -> String {
        guard let base = baseDirectory, !entry.path.hasPrefix("/") else { return entry.path }
        return base.hasSuffix("/") ? base + entry.path : base + "/" + entry.path
    }

    /// The mapped ark of `entry` (opened once).
    public func file(for entry: KaldiScpEntry) throws -> MappedFile {
        let path = resolvedPath(entry)
        lock.lock()
        defer { lock.unlock() }
        if let f = files[path] { return f }
        let f = try MappedFile(path: path)
        files[path] = f
        return f
    }

    /// Decodes `entry` and returns the object with the byte range it occupies, applying its row/column
    /// range if it has one.
    /// - Throws: `FeatureStoreError.entryOutOfBounds` for an offset past the end, and the decoding errors.
    public func readWithRange(_ entry: KaldiScpEntry) throws -> (object: KaldiObject, bytes: Range<Int>) {
        let file = try file(for: entry)
        let offset = entry.offset ?? 0
        if offset > file.size {
            throw FeatureStoreError.entryOutOfBounds(path: file.path, offset: offset, length: 0, fileSize: file.size)
        }
        let (object, end) = try KaldiObject.decode(file.bytes, at: offset, path: file.path, key: entry.key)
        let sliced = try Self.slice(object, rows: entry.rowRange, cols: entry.colRange, path: file.path, key: entry.key)
        return (sliced, offset..<end)
    }

    /// Decodes `entry`. See `readWithRange`.
    public func read(_ entry: KaldiScpEntry) throws -> KaldiObject { try readWithRange(entry).object }

    /// Decodes the entry with `key`. - Throws: `FeatureStoreError.keyNotFound`.
    public func read(key: String) throws -> KaldiObject {
        guard let i = index[key] else { throw FeatureStoreError.keyNotFound(path: entries.first?.path ?? "", key: key) }
        return try read(entries[i])
    }

    public func contains(key: String) -> Bool { index[key] != nil }

    /// Applies an scp row/column range (inclusive) to a matrix or vector object.
    static func slice(_ object: KaldiObject, rows: ClosedRange<Int>?, cols: ClosedRange<Int>?, path: String, key: String) throws -> KaldiObject {
        guard rows != nil || cols != nil else { return object }
        func check(_ r: ClosedRange<Int>?, _ n: Int, _ what: String) throws -> Range<Int> {
            guard let r else { return 0..<n }
            guard r.upperBound < n else {
                throw FeatureStoreError.badValue(name: "\(path) '\(key)'", reason: "\(what) range \(r.lowerBound):\(r.upperBound) outside 0..<\(n)")
            }
            return r.lowerBound..<r.upperBound + 1
        }
        func sliceMatrix<T>(_ values: [T], _ nr: Int, _ nc: Int) throws -> ([T], Int, Int) {
            let rr = try check(rows, nr, "row"), cr = try check(cols, nc, "column")
            var out: [T] = []
            out.reserveCapacity(rr.count * cr.count)
            for r in rr { out.append(contentsOf: values[r * nc + cr.lowerBound ..< r * nc + cr.upperBound]) }
            return (out, rr.count, cr.count)
        }
        func sliceVector<T>(_ v: [T]) throws -> [T] {
            guard cols == nil else { throw FeatureStoreError.badValue(name: "\(path) '\(key)'", reason: "column range on a vector") }
            return Array(v[try check(rows, v.count, "element")])
        }
        switch object {
        case let .floatMatrix(m): let (v, r, c) = try sliceMatrix(m.values, m.rows, m.cols); return .floatMatrix(FeatureMatrix(rows: r, cols: c, values: v))
        case let .textMatrix(m): let (v, r, c) = try sliceMatrix(m.values, m.rows, m.cols); return .textMatrix(FeatureMatrix(rows: r, cols: c, values: v))
        case let .compressedMatrix(f, m): let (v, r, c) = try sliceMatrix(m.values, m.rows, m.cols); return .compressedMatrix(f, FeatureMatrix(rows: r, cols: c, values: v))
        case let .doubleMatrix(m): let (v, r, c) = try sliceMatrix(m.values, m.rows, m.cols); return .doubleMatrix(KaldiDoubleMatrix(rows: r, cols: c, values: v))
        case let .floatVector(v): return .floatVector(try sliceVector(v))
        case let .textVector(v): return .textVector(try sliceVector(v))
        case let .doubleVector(v): return .doubleVector(try sliceVector(v))
        case let .int32Vector(v): return .int32Vector(try sliceVector(v))
        case .wave, .extendedAudio:
            throw FeatureStoreError.badValue(name: "\(path) '\(key)'", reason: "row/column ranges apply to matrices and vectors, not audio")
        }
    }
}
