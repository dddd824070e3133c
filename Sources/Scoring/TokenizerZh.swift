/// sacreBLEU's `zh` tokenizer: the line is stripped, every "Chinese" character gets a space on each
/// side, then ``RegexpPasses`` (without the `13a` padding and unescaping).
///
/// The ranges are sacreBLEU's `_UCODE_RANGES`, compared as Python strings: the two entries written
/// `u'\u20000'`/`u'\u2a6d6'` and `u'\u2f800'`/`u'\u2fa1d'` are two-character strings, so for a
/// single character they select U+2001…U+2A6D and U+2F81…U+2FA1 (general punctuation, currency
/// signs and more). sacreBLEU behaves so, and so do we.
struct TokenizerZh {
    static let ranges: [ClosedRange<UInt32>] = [
        0x3400...0x4DB5, 0x4E00...0x9FA5, 0x9FA6...0x9FBB, 0xF900...0xFA2D, 0xFA30...0xFA6A, 0xFA70...0xFAD9,
        0x2001...0x2A6D, 0x2F81...0x2FA1, 0xFF00...0xFFEF, 0x2E80...0x2EFF, 0x3000...0x303F, 0x31C0...0x31EF,
        0x2F00...0x2FDF, 0x2FF0...0x2FFF, 0x3100...0x312F, 0x31A0...0x31BF, 0xFE10...0xFE1F, 0xFE30...0xFE4F,
        0x2600...0x26FF, 0x2700...0x27BF, 0x3200...0x32FF, 0x3300...0x33FF,
    ]

    static func isChinese(_ v: UInt32) -> Bool {
        if v < 0x2001 { return false }
        for r in ranges where r.contains(v) { return true }
        return false
    }

    private var passes = RegexpPasses()
    private var buf: [UInt8] = []

    mutating func normalize(_ line: String) -> [UInt8] {
        buf.removeAll(keepingCapacity: true)
        for u in PythonWhitespace.strip(line).unicodeScalars {
            if Self.isChinese(u.value) {
                buf.append(0x20); TokenizerIntl.appendUTF8(u.value, &buf); buf.append(0x20)
            } else { TokenizerIntl.appendUTF8(u.value, &buf) }
        }
        return buf.withUnsafeBufferPointer { passes.apply($0) }
    }
}
