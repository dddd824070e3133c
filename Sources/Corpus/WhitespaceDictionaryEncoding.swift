import Foundation

/// A fairseq `Dictionary` read from a `dict.txt`, used as a whitespace word (or piece) encoder.
///
/// Ids as fairseq assigns them: `<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3, then the file's symbols in
/// file order from 4. Each file line is `<symbol> <count>` (optionally followed by
/// `#fairseq:overwrite`, which allows a symbol already present). `encode` splits on white space as
/// fairseq's `tokenize_line` and maps unknown symbols to `<unk>` (no EOS appended). This is the
/// encoder for pre-tokenised text (fairseq dict + SentencePiece pieces already split, SLURP word
/// lists); SentencePiece itself lives in the Tokenizer target.
public struct WhitespaceDictionaryEncoding: TextEncoding, Sendable, Equatable {
    public static let bos: Int32 = 0, pad: Int32 = 1, eos: Int32 = 2, unk: Int32 = 3
    /// All symbols by id (the four specials first).
    public private(set) var symbols: [String]
    private var index: [String: Int32]

    /// The dictionary with the four specials followed by `symbols`.
    /// - Precondition: no duplicates among `symbols` and the specials.
    public init(symbols extra: [String]) {
        symbols = ["<s>", "<pad>", "</s>", "<unk>"]
        index = [:]
        for (i, s) in symbols.enumerated() { index[s] = Int32(i) }
        for s in extra {
            precondition(index[s] == nil, "duplicate symbol \(s)")
            index[s] = Int32(symbols.count)
            symbols.append(s)
        }
    }

    /// Reads a fairseq `dict.txt`.
    /// - Throws: `CorpusError.cannotRead`, `.badDictionary` (line without a count, duplicate symbol).
    public init(dictionaryPath path: String) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CorpusError.cannotRead(path: path, reason: error.localizedDescription)
        }
        self.init(symbols: [])
        var lineNumber = 0
        for line in splitLines([UInt8](data)) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            var fields = line.split(separator: " ", omittingEmptySubsequences: true)
            var overwrite = false
            if fields.last == "#fairseq:overwrite" { overwrite = true; fields.removeLast() }
            guard fields.count >= 2, Int(fields[fields.count - 1]) != nil else {
                throw CorpusError.badDictionary(path: path, line: lineNumber, reason: "expected '<symbol> <count>', found '\(line)'")
            }
            let symbol = fields[0..<(fields.count - 1)].joined(separator: " ")
            if index[symbol] != nil {
                guard overwrite else {
                    throw CorpusError.badDictionary(path: path, line: lineNumber,
                                                    reason: "duplicate symbol '\(symbol)' (add #fairseq:overwrite to allow it)")
                }
                continue
            }
            index[symbol] = Int32(symbols.count)
            symbols.append(symbol)
        }
    }

    /// Number of symbols, specials included (the output vocabulary size).
    public var count: Int { symbols.count }
    public var unknownID: Int32? { Self.unk }

    /// The id of `symbol`, or `<unk>`.
    public func id(of symbol: String) -> Int32 { index[symbol] ?? Self.unk }

    /// The symbol of `id`. - Precondition: `0 <= id < count`.
    public func symbol(_ id: Int32) -> String { symbols[Int(id)] }

    public func encode(_ text: String) throws -> [Int32] { encodeCountingUnknowns(text).ids }

    public func encodeCountingUnknowns(_ text: String) -> EncodedText {
        var unknowns = 0
        let ids = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).map { w -> Int32 in
            if let i = index[String(w)] { return i }
            unknowns += 1
            return Self.unk
        }
        return EncodedText(ids: ids, unknowns: unknowns)
    }

    /// Space-joined symbols of `ids` (for messages and tests).
    public func decode(_ ids: [Int32]) -> String { ids.map { symbol($0) }.joined(separator: " ") }
}
