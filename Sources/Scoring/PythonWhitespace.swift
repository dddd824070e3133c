/// Python's notion of whitespace (`str.isspace`, `str.split()`, `str.strip()`, regex `\s`), on UTF-8
/// bytes and on Unicode scalars. Swift's `Character.isWhitespace` differs (it omits U+001C–U+001F),
/// so the reference tools' splitting is reproduced here.
@usableFromInline
enum PythonWhitespace {
    /// Whether the scalar is whitespace for Python's `str.isspace()`.
    @inlinable
    static func isSpace(_ v: UInt32) -> Bool {
        if v < 0x80 { return (v >= 0x09 && v <= 0x0D) || (v >= 0x1C && v <= 0x20) }
        switch v {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// The length in bytes of the whitespace character starting at `i`, or 0.
    @inlinable
    static func length(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let c = b[i]
        if c < 0x80 { return ((c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20)) ? 1 : 0 }
        let n = b.count
        switch c {
        case 0xC2:
            if i + 1 < n, b[i + 1] == 0x85 || b[i + 1] == 0xA0 { return 2 }
        case 0xE1:
            if i + 2 < n, b[i + 1] == 0x9A, b[i + 2] == 0x80 { return 3 }
        case 0xE2:
            if i + 2 < n {
                let c1 = b[i + 1], c2 = b[i + 2]
                if c1 == 0x80 && ((c2 >= 0x80 && c2 <= 0x8A) || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF) { return 3 }
                if c1 == 0x81 && c2 == 0x9F { return 3 }
            }
        case 0xE3:
            if i + 2 < n, b[i + 1] == 0x80, b[i + 2] == 0x80 { return 3 }
        default: break
        }
        return 0
    }

    /// Byte ranges of the fields of Python's `str.split()` (runs of whitespace separate, ends ignored).
    @inlinable
    static func split(_ b: UnsafeBufferPointer<UInt8>, into out: inout [Range<Int>]) {
        out.removeAll(keepingCapacity: true)
        var i = 0
        let n = b.count
        var start = -1
        while i < n {
            let w = length(b, i)
            if w > 0 {
                if start >= 0 { out.append(start..<i); start = -1 }
                i += w
            } else {
                if start < 0 { start = i }
                i += 1
            }
        }
        if start >= 0 { out.append(start..<n) }
    }

    /// Python's `s.strip()` / `s.rstrip()` on a String.
    static func strip(_ s: String, leading: Bool = true) -> Substring {
        let scalars = s.unicodeScalars
        var lo = scalars.startIndex, hi = scalars.endIndex
        if leading { while lo < hi && isSpace(scalars[lo].value) { lo = scalars.index(after: lo) } }
        while hi > lo {
            let p = scalars.index(before: hi)
            if isSpace(scalars[p].value) { hi = p } else { break }
        }
        return Substring(scalars[lo..<hi])
    }
}

extension String {
    /// Python's `str.rstrip()` (Python's whitespace, which differs from Swift's).
    public var pythonRstripped: String { String(PythonWhitespace.strip(self, leading: false)) }

    /// Python's `str.lower()`, with an ASCII fast path.
    @usableFromInline
    var pythonLowercased: String {
        if self.utf8.allSatisfy({ $0 < 0x80 }) {
            var bytes = Array(self.utf8)
            for i in bytes.indices where bytes[i] >= 0x41 && bytes[i] <= 0x5A { bytes[i] |= 0x20 }
            return String(decoding: bytes, as: UTF8.self)
        }
        return self.lowercased()
    }

    /// Calls `body` with the contiguous UTF-8 bytes of the string.
    @inlinable
    func withUTF8Buffer<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let r = try self.utf8.withContiguousStorageIfAvailable(body) { return r }
        let copy = Array(self.utf8)
        return try copy.withUnsafeBufferPointer(body)
    }
}
