import Foundation

/// fairseq's `Dictionary` (fairseq/data/dictionary.py) and its `dict.txt` files.
///
/// Indices: `<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3 (plus any extra special symbols), then the
/// file's symbols in order. A `dict.txt` line is `symbol count`, optionally followed by
/// ` #fairseq:overwrite`; the special symbols are never written to the file.
public struct FairseqDictionary: Sendable, Equatable {
    public static let bosWord = "<s>"
    public static let padWord = "<pad>"
    public static let eosWord = "</s>"
    public static let unkWord = "<unk>"
    public static let overwriteFlag = "#fairseq:overwrite"

    public let bosIndex: Int32 = 0
    public let padIndex: Int32 = 1
    public let eosIndex: Int32 = 2
    public let unkIndex: Int32 = 3

    /// Symbols in index order, the special ones first.
    public private(set) var symbols: [String] = []
    /// The count of each symbol (fairseq keeps them for `finalize`; the special symbols' counts
    /// are whatever was added to them).
    public private(set) var counts: [Int] = []
    private var indices: [String: Int32] = [:]
    /// Number of special symbols at the start (4 plus the extra ones).
    public let specialCount: Int

    /// An empty dictionary holding only the special symbols (count 1 each, as fairseq's constructor).
    public init(extraSpecialSymbols: [String] = []) {
        let special = [Self.bosWord, Self.padWord, Self.eosWord, Self.unkWord] + extraSpecialSymbols
        specialCount = special.count
        for s in special { add(s) }
    }

    /// Number of symbols, special ones included.
    public var count: Int { symbols.count }

    /// The index of `symbol`, or `unkIndex` (fairseq `index`).
    public func index(of symbol: String) -> Int32 { indices[symbol] ?? unkIndex }

    /// Whether `symbol` has an index of its own.
    public func contains(_ symbol: String) -> Bool { indices[symbol] != nil }

    /// The symbol at `index`, or `<unk>` when out of range (fairseq `__getitem__`).
    public func symbol(at index: Int32) -> String {
        index >= 0 && Int(index) < symbols.count ? symbols[Int(index)] : Self.unkWord
    }

    /// Adds `n` to the count of `symbol`, or appends it (fairseq `add_symbol`). With `overwrite` a
    /// new index is always made and the symbol's lookup moves to it.
    @discardableResult
    public mutating func add(_ symbol: String, count n: Int = 1, overwrite: Bool = false) -> Int32 {
        if let i = indices[symbol], !overwrite {
            counts[Int(i)] += n
            return i
        }
        let i = Int32(symbols.count)
        indices[symbol] = i
        symbols.append(symbol)
        counts.append(n)
        return i
    }

    // MARK: dict.txt

    /// Reads a `dict.txt` file (fairseq `Dictionary.load`).
    public static func load(contentsOf url: URL) throws -> FairseqDictionary {
        try FairseqDictionary(parsing: try AtomicFile.readText(url), file: url.path)
    }

    /// Parses `dict.txt` text; `file` names the source in errors. Each line, less trailing white
    /// space, must be `symbol count` or `symbol count #fairseq:overwrite` (split at the last
    /// space; the symbol may itself contain spaces); a duplicate without the flag is an error.
    public init(parsing text: String, file: String) throws {
        self.init()
        let expected = "\"<symbol> <count>\" or \"<symbol> <count> \(Self.overwriteFlag)\""
        for (n, raw) in PythonText.lines(text).enumerated() {
            let line = PythonText.rstrip(Substring(raw))
            guard let split = Self.rsplitSpace(line) else {
                throw TokenizerError.malformedLine(file: file, line: n + 1, expected: expected, found: String(raw))
            }
            var (head, field) = split
            var overwrite = false
            if field == Self.overwriteFlag {
                overwrite = true
                guard let (h, f) = Self.rsplitSpace(head) else {
                    throw TokenizerError.malformedLine(file: file, line: n + 1, expected: expected, found: String(raw))
                }
                head = h; field = f
            }
            guard let count = PythonText.parseInt(field) else {
                throw TokenizerError.malformedLine(file: file, line: n + 1, expected: expected, found: String(raw))
            }
            let word = String(head)
            if contains(word) && !overwrite {
                throw TokenizerError.duplicateSymbol(file: file, line: n + 1, symbol: word)
            }
            add(word, count: count, overwrite: overwrite)
        }
    }

    private static func rsplitSpace(_ s: Substring) -> (Substring, Substring)? {
        guard let i = s.lastIndex(of: " ") else { return nil }
        return (s[..<i], s[s.index(after: i)...])
    }

    /// The `dict.txt` text (fairseq `save`): `symbol count` for every non-special symbol. A
    /// symbol that occurs earlier (added with `overwrite`) gets ` #fairseq:overwrite`, so the
    /// file loads back (fairseq's own `save` omits the flag).
    public var text: String {
        var out = ""
        var seen = Set(symbols[..<specialCount])
        for i in specialCount..<symbols.count {
            let s = symbols[i]
            out += "\(s) \(counts[i])" + (seen.contains(s) ? " \(Self.overwriteFlag)" : "") + "\n"
            seen.insert(s)
        }
        return out
    }

    /// Writes `dict.txt` atomically; an existing file is replaced only with `overwrite`.
    public func write(to url: URL, overwrite: Bool = false) throws {
        try AtomicFile.write(Data(text.utf8), to: url, overwrite: overwrite)
    }

    // MARK: Encoding

    /// The ids of one line and how many of its tokens were unknown.
    public struct EncodedLine: Sendable, Equatable {
        public var ids: [Int32]
        /// Tokens mapped to `<unk>` (a token that is literally `<unk>` counts too).
        public var unknownCount: Int
        /// Tokens in the line (the EOS id not included).
        public var tokenCount: Int
    }

    /// fairseq's `encode_line(line, add_if_not_exist=False, append_eos=, reverse_order=)`:
    /// white-space tokens (`tokenize_line`), unknown ones mapped to `<unk>`, then `</s>`.
    public func encodeLine(_ line: String, appendEOS: Bool = true, reverseOrder: Bool = false) -> EncodedLine {
        var words = PythonText.tokenizeLine(line)
        if reverseOrder { words.reverse() }
        return encode(tokens: words, appendEOS: appendEOS)
    }

    /// Maps tokens (e.g. SentencePiece pieces) to ids as `encodeLine` does.
    public func encode(tokens: [String], appendEOS: Bool = true) -> EncodedLine {
        var ids = [Int32]()
        ids.reserveCapacity(tokens.count + 1)
        var unknown = 0
        for w in tokens {
            let i = index(of: w)
            if i == unkIndex { unknown += 1 }
            ids.append(i)
        }
        if appendEOS { ids.append(eosIndex) }
        return EncodedLine(ids: ids, unknownCount: unknown, tokenCount: tokens.count)
    }

    /// The symbols of `ids` joined by spaces, without `</s>` and `<s>` (fairseq `string` with
    /// its defaults and no BPE removal).
    public func string(_ ids: [Int32]) -> String {
        ids.filter { $0 != eosIndex && $0 != bosIndex }.map { symbol(at: $0) }.joined(separator: " ")
    }

    // MARK: Building

    /// fairseq's `finalize`: keeps the special symbols, then the others by count descending, ties
    /// by symbol (code-point order), stopping at the first count below `threshold` and after
    /// `nwords` symbols in all (`-1`: no limit); then pads the size to a multiple of
    /// `paddingFactor` with `madeupword0000`, `madeupword0001`, … (count 0).
    public mutating func finalize(threshold: Int = -1, nwords: Int = -1, paddingFactor: Int = 8) {
        let limit = nwords <= 0 ? count : nwords
        // Counter(dict(sorted(zip(symbols, counts)))): of a duplicated symbol the largest count is
        // kept, and most_common is a stable sort of the code-point-sorted items by count.
        var merged: [String: Int] = [:]
        for i in specialCount..<symbols.count { merged[symbols[i]] = max(merged[symbols[i]] ?? Int.min, counts[i]) }
        let ordered = merged.sorted { a, b in
            a.value != b.value ? a.value > b.value : PythonText.codePointLess(a.key, b.key)
        }
        var newSymbols = Array(symbols[..<specialCount])
        var newCounts = Array(counts[..<specialCount])
        for (symbol, c) in ordered.prefix(max(0, limit - specialCount)) {
            if c >= threshold {
                newSymbols.append(symbol)
                newCounts.append(c)
            } else {
                break
            }
        }
        symbols = newSymbols
        counts = newCounts
        indices = [:]
        for (i, s) in symbols.enumerated() { indices[s] = Int32(i) }
        if paddingFactor > 1 {
            var i = 0
            while count % paddingFactor != 0 {
                add(String(format: "madeupword%04d", i), count: 0)
                i += 1
            }
        }
    }

    /// Options of `build(lines:…)`, as fairseq-preprocess names them.
    public struct BuildOptions: Sendable, Equatable {
        /// `--thresholdtgt`: symbols seen fewer times are dropped (fairseq's `finalize` threshold).
        public var threshold: Int = 0
        /// `--nwordstgt`: at most this many symbols including the special ones (-1: all).
        public var nwords: Int = -1
        /// `--padding-factor`.
        public var paddingFactor: Int = 8
        public init(threshold: Int = 0, nwords: Int = -1, paddingFactor: Int = 8) {
            self.threshold = threshold; self.nwords = nwords; self.paddingFactor = paddingFactor
        }
    }

    /// Builds a dictionary from text lines as fairseq-preprocess does (`add_file_to_dictionary`
    /// then `finalize`): each line's white-space tokens are counted, plus one `</s>` per line.
    public static func build<S: Sequence>(lines: S, options: BuildOptions = BuildOptions()) -> FairseqDictionary
    where S.Element: StringProtocol {
        build(tokenizedLines: lines.lazy.map { PythonText.tokenizeLine(String($0)) }, options: options)
    }

    /// Builds a dictionary from already tokenised lines (e.g. SentencePiece pieces).
    public static func build<S: Sequence>(tokenizedLines: S, options: BuildOptions = BuildOptions()) -> FairseqDictionary
    where S.Element == [String] {
        var counter: [String: Int] = [:]
        for tokens in tokenizedLines {
            for t in tokens { counter[t, default: 0] += 1 }
            counter[eosWord, default: 0] += 1
        }
        var d = FairseqDictionary()
        for (w, c) in counter.sorted(by: { PythonText.codePointLess($0.key, $1.key) }) { d.add(w, count: c) }
        d.finalize(threshold: options.threshold, nwords: options.nwords, paddingFactor: options.paddingFactor)
        return d
    }

    /// The dictionary fairseq's `gen_vocab` (speech_to_text/data_utils.py) writes next to a
    /// SentencePiece model: every piece except `<unk>`, `<s>`, `</s>` and `<pad>`, in id order,
    /// count 1. The model must have `<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3 (gen_vocab asserts it),
    /// so that a piece's SentencePiece id equals its dictionary index.
    public init(sentencePieceModel model: SentencePieceModel) throws {
        self.init()
        let expected = [Self.bosWord, Self.padWord, Self.eosWord, Self.unkWord]
        for (i, w) in expected.enumerated() where model.piece(forID: Int32(i)) != w {
            throw TokenizerError.invalidModel(
                file: model.source,
                reason: "id \(i) is \"\(model.piece(forID: Int32(i)) ?? "none")\", fairseq needs \"\(w)\" (train with bos_id=0 pad_id=1 eos_id=2 unk_id=3)")
        }
        let special = Set(expected)
        for p in model.pieces where !special.contains(p) { add(p, count: 1) }
    }
}

/// Python's string handling where fairseq relies on it: `str.isspace`, `strip`, `split()`,
/// `int()`, and code-point ordering of `str`.
public enum PythonText {
    /// Python's `str.isspace` for one code point.
    public static func isSpace(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// fairseq's `tokenize_line`: runs of white space collapse, the line is stripped and split.
    public static func tokenizeLine(_ line: String) -> [String] {
        var out = [String]()
        var current = String.UnicodeScalarView()
        for u in line.unicodeScalars {
            if isSpace(u) {
                if !current.isEmpty { out.append(String(current)); current = String.UnicodeScalarView() }
            } else {
                current.append(u)
            }
        }
        if !current.isEmpty { out.append(String(current)) }
        return out
    }

    /// The lines of a text file as Python reads them (universal newlines: `\n`, `\r\n` and `\r`
    /// end a line), without the line ends; a final line end does not start another line.
    public static func lines(_ text: String) -> [String] {
        var out = [String]()
        var current = String.UnicodeScalarView()
        var afterCR = false
        for u in text.unicodeScalars {
            if u == "\n" && afterCR { afterCR = false; continue }
            afterCR = false
            if u == "\n" || u == "\r" {
                out.append(String(current))
                current = String.UnicodeScalarView()
                afterCR = u == "\r"
            } else {
                current.append(u)
            }
        }
        if !current.isEmpty { out.append(String(current)) }
        return out
    }

    /// `s.rstrip()`.
    public static func rstrip(_ s: Substring) -> Substring {
        var scalars = s.unicodeScalars
        while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        return Substring(scalars)
    }

    /// `int(s)` for ASCII digits with an optional sign and surrounding white space; nil otherwise.
    public static func parseInt(_ s: Substring) -> Int? {
        var scalars = Substring(s).unicodeScalars
        while let f = scalars.first, isSpace(f) { scalars.removeFirst() }
        while let l = scalars.last, isSpace(l) { scalars.removeLast() }
        return Int(String(scalars))
    }

    /// Python's `a < b` for `str`: code point by code point.
    public static func codePointLess(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }
}
