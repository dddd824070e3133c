/// sacreBLEU's `intl` tokenizer (mteval-v14 international): on Unicode scalars,
/// 1. `(\P{N})(\p{P})` → `\1 \2 `, 2. `(\p{P})(\P{N})` → ` \1 \2`, 3. `(\p{S})` → ` \1 `,
/// each a left-to-right non-overlapping substitution as Python's `regex.sub`, then whitespace split.
/// Categories come from `Unicode.Scalar.Properties.generalCategory` (the Unicode version of the
/// Swift runtime, which may differ from the `regex` module's for characters added recently).
struct TokenizerIntl {
    /// 0 = other, 1 = number (N*), 2 = punctuation (P*), 3 = symbol (S*).
    static let asciiClass: [UInt8] = (0..<128).map { classify(UInt32($0)) }

    static func classify(_ v: UInt32) -> UInt8 {
        guard let s = Unicode.Scalar(v) else { return 0 }
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return 1
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return 2
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: return 3
        default: return 0
        }
    }

    @inline(__always) static func cls(_ v: UInt32) -> UInt8 { v < 128 ? asciiClass[Int(v)] : classify(v) }

    private var sc: [UInt32] = [], cl: [UInt8] = []
    private var t1: [UInt32] = [], c1: [UInt8] = []
    private var out: [UInt8] = []

    /// Normalised UTF-8 bytes of `line` (split them on whitespace to get the tokens).
    mutating func normalize(_ line: String) -> [UInt8] {
        sc.removeAll(keepingCapacity: true); cl.removeAll(keepingCapacity: true)
        for u in line.unicodeScalars { sc.append(u.value); cl.append(Self.cls(u.value)) }
        let space: UInt32 = 0x20
        // Pass 1: (\P{N})(\p{P}) -> "\1 \2 "
        t1.removeAll(keepingCapacity: true); c1.removeAll(keepingCapacity: true)
        var i = 0
        var n = sc.count
        while i < n {
            if i + 1 < n && cl[i] != 1 && cl[i + 1] == 2 {
                t1.append(sc[i]); c1.append(cl[i]); t1.append(space); c1.append(0)
                t1.append(sc[i + 1]); c1.append(2); t1.append(space); c1.append(0)
                i += 2
            } else { t1.append(sc[i]); c1.append(cl[i]); i += 1 }
        }
        // Pass 2: (\p{P})(\P{N}) -> " \1 \2"
        sc.removeAll(keepingCapacity: true); cl.removeAll(keepingCapacity: true)
        i = 0; n = t1.count
        while i < n {
            if i + 1 < n && c1[i] == 2 && c1[i + 1] != 1 {
                sc.append(space); cl.append(0); sc.append(t1[i]); cl.append(2)
                sc.append(space); cl.append(0); sc.append(t1[i + 1]); cl.append(c1[i + 1])
                i += 2
            } else { sc.append(t1[i]); cl.append(c1[i]); i += 1 }
        }
        // Pass 3: (\p{S}) -> " \1 ", written out as UTF-8
        out.removeAll(keepingCapacity: true)
        for k in 0..<sc.count {
            if cl[k] == 3 { out.append(0x20); Self.appendUTF8(sc[k], &out); out.append(0x20) }
            else { Self.appendUTF8(sc[k], &out) }
        }
        return out
    }

    @inline(__always)
    static func appendUTF8(_ v: UInt32, _ out: inout [UInt8]) {
        if v < 0x80 { out.append(UInt8(v)) }
        else if v < 0x800 { out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F))) }
        else if v < 0x10000 {
            out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (v >> 18))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }
}
