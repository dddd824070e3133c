/// sacreBLEU's default `13a` tokenizer (mteval-v13a): `<skipped>` removed, `&quot; &amp; &lt; &gt;`
/// unescaped (in that order), the line padded with one space on each side, then ``RegexpPasses``.
struct Tokenizer13a {
    private var passes = RegexpPasses()
    private var buf: [UInt8] = []

    /// Normalised bytes of `line` (split them on whitespace to get the tokens).
    mutating func normalize(_ line: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        buf.removeAll(keepingCapacity: true)
        buf.append(0x20)
        buf.append(contentsOf: line)
        buf.append(0x20)
        if buf.contains(0x3C) { Self.replace(&buf, Array("<skipped>".utf8), []) }
        if buf.contains(0x0A) {
            Self.replace(&buf, Array("-\n".utf8), [])
            Self.replace(&buf, [0x0A], [0x20])
        }
        if buf.contains(0x26) {
            Self.replace(&buf, Array("&quot;".utf8), [0x22])
            Self.replace(&buf, Array("&amp;".utf8), [0x26])
            Self.replace(&buf, Array("&lt;".utf8), [0x3C])
            Self.replace(&buf, Array("&gt;".utf8), [0x3E])
        }
        return buf.withUnsafeBufferPointer { passes.apply($0) }
    }

    /// Python's `str.replace(old, new)`: all non-overlapping occurrences, left to right.
    static func replace(_ s: inout [UInt8], _ old: [UInt8], _ new: [UInt8]) {
        guard !old.isEmpty, s.count >= old.count else { return }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        var changed = false
        while i < s.count {
            if i + old.count <= s.count && s[i] == old[0] && Array(s[i..<(i + old.count)]) == old {
                out.append(contentsOf: new); i += old.count; changed = true
            } else { out.append(s[i]); i += 1 }
        }
        if changed { s = out }
    }
}
