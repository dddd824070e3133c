/// The tokenizers sacreBLEU offers for BLEU (`--tokenize`), as token-id sequences.
public enum BLEUTokenizerKind: String, Sendable, CaseIterable {
    case t13a = "13a", intl, none, char, zh

    /// Parses a tokenizer name.
    /// - Throws: ``ScoringError/unknownTokenizer(_:)``.
    public init(name: String) throws {
        guard let k = BLEUTokenizerKind(rawValue: name) else { throw ScoringError.unknownTokenizer(name) }
        self = k
    }
}

/// Tokenizes lines into interned token ids (one interner per corpus, so ids are comparable).
public struct BLEUTokenizer {
    public let kind: BLEUTokenizerKind
    public let lowercase: Bool
    private var t13a = Tokenizer13a()
    private var tintl = TokenizerIntl()
    private var tzh = TokenizerZh()
    private var ranges: [Range<Int>] = []
    public var interner = TokenInterner()

    public init(kind: BLEUTokenizerKind, lowercase: Bool = false) {
        self.kind = kind
        self.lowercase = lowercase
    }

    /// sacreBLEU's `_preprocess_segment`: optional `lower()`, `rstrip()`, then the tokenizer;
    /// returns the ids of `line.split()`.
    public mutating func tokenize(_ line: String) -> [Int32] {
        var s = line
        if lowercase { s = s.pythonLowercased }
        let stripped = String(PythonWhitespace.strip(s, leading: false))
        let bytes: [UInt8]
        switch kind {
        case .t13a: bytes = stripped.withUTF8Buffer { t13a.normalize($0) }
        case .intl: bytes = tintl.normalize(stripped)
        case .zh: bytes = tzh.normalize(stripped)
        case .none: bytes = Array(stripped.utf8)
        case .char:
            // " ".join(chars), then split(): every non-whitespace code point is a token.
            var ids: [Int32] = []
            var tmp: [UInt8] = []
            for u in stripped.unicodeScalars where !PythonWhitespace.isSpace(u.value) {
                tmp.removeAll(keepingCapacity: true)
                TokenizerIntl.appendUTF8(u.value, &tmp)
                ids.append(tmp.withUnsafeBufferPointer { interner.intern($0, 0..<$0.count) })
            }
            return ids
        }
        return bytes.withUnsafeBufferPointer { b in
            PythonWhitespace.split(b, into: &ranges)
            var ids = [Int32]()
            ids.reserveCapacity(ranges.count)
            for r in ranges { ids.append(interner.intern(b, r)) }
            return ids
        }
    }

    /// The tokens of `line` as strings (for tests and debugging).
    public mutating func tokens(_ line: String) -> [String] {
        tokenize(line).map { interner.string($0) }
    }
}
