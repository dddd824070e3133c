import Foundation

/// Splitting raw file bytes into validated UTF-8 lines.
public enum TextLines {
    /// Splits `data` on `\n` (a trailing `\r` is dropped, as with `\r\n` files), validating UTF-8.
    ///
    /// A final newline does not start an extra empty line, as with Python's line iteration.
    /// - Parameters:
    ///   - data: the file contents.
    ///   - name: the file name used in errors.
    ///   - allowEmpty: if false, zero bytes throw ``ScoringError/emptyFile(file:)``.
    /// - Throws: ``ScoringError/invalidUTF8(file:line:)`` naming the 1-based line.
    public static func split(_ data: Data, name: String, allowEmpty: Bool = false) throws -> [String] {
        if data.isEmpty {
            if allowEmpty { return [] }
            throw ScoringError.emptyFile(file: name)
        }
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [String] in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lines: [String] = []
            lines.reserveCapacity(bytes.count / 40 + 1)
            var start = 0
            let n = bytes.count
            var lineNo = 0
            while start < n {
                var end = start
                while end < n && bytes[end] != 0x0A { end += 1 }
                lineNo += 1
                var stop = end
                if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<stop])
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw ScoringError.invalidUTF8(file: name, line: lineNo)
                }
                lines.append(s)
                start = end + 1
            }
            return lines
        }
    }

    /// Checks that two line lists pair up.
    public static func checkPaired(hypotheses: [String], hypothesisName: String,
                                   references: [String], referenceName: String) throws {
        if hypotheses.count != references.count {
            throw ScoringError.lineCountMismatch(hypothesis: hypothesisName, hypothesisLines: hypotheses.count,
                                                 reference: referenceName, referenceLines: references.count)
        }
    }
}
