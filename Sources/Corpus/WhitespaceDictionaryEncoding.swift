import Foundation
import Tokenizer

/// A fairseq `Dictionary` (`dict.txt`, the Tokenizer target's `FairseqDictionary`) as a whitespace
/// word (or piece) encoder: fairseq's `encode_line` without EOS, unknown symbols → `<unk>`.
///
/// Ids as fairseq assigns them: `<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3, then the file's symbols in
/// file order from 4. This is the encoder for pre-tokenised text (SLURP word lists, already split
/// pieces); `SentencePieceEncoding` splits raw text first.
public struct WhitespaceDictionaryEncoding: TextEncoding, Sendable, Equatable {
    public static let bos: Int32 = 0, pad: Int32 = 1, eos: Int32 = 2, unk: Int32 = 3
    public let dictionary: FairseqDictionary

    /// All symbols by id (the four specials first).
    public var symbols: [String]? { dictionary.symbols }

    /// The dictionary with the four specials followed by `symbols`.
    /// - Precondition: no duplicates among `symbols` and the specials.
    public init(symbols extra: [String]) {
        var d = FairseqDictionary()
        for s in extra {
            precondition(!d.contains(s), "duplicate symbol \(s)")
            _ = d.add(s)
        }
        dictionary = d
    }

    public init(dictionary: FairseqDictionary) { self.dictionary = dictionary }

    /// Reads a fairseq `dict.txt`.
    /// - Throws: `CorpusError.cannotRead`, `.badDictionary` (line without a count, duplicate symbol).
    public init(dictionaryPath path: String) throws {
        do { dictionary = try FairseqDictionary.load(contentsOf: URL(fileURLWithPath: path)) } catch let e as TokenizerError {
            switch e {
            case let .malformedLine(_, line, expected, found):
                throw CorpusError.badDictionary(path: path, line: line, reason: "expected \(expected), found '\(found)'")
            case let .duplicateSymbol(_, line, symbol):
                throw CorpusError.badDictionary(path: path, line: line, reason: "duplicate symbol '\(symbol)' (add #fairseq:overwrite to allow it)")
            default:
                throw CorpusError.cannotRead(path: path, reason: e.description)
            }
        }
    }

    /// Number of symbols, specials included (the output vocabulary size).
    public var count: Int { dictionary.count }
    public var vocabularySize: Int? { dictionary.count }
    public var unknownID: Int32? { Self.unk }

    /// The id of `symbol`, or `<unk>`.
    public func id(of symbol: String) -> Int32 { dictionary.index(of: symbol) }

    /// The symbol of `id`. - Precondition: `0 <= id < count`.
    public func symbol(_ id: Int32) -> String { dictionary.symbol(at: id) }

    public func encode(_ text: String) throws -> [Int32] { encodeCountingUnknowns(text).ids }

    public func encodeCountingUnknowns(_ text: String) -> EncodedText {
        let e = dictionary.encodeLine(text, appendEOS: false)
        return EncodedText(ids: e.ids, unknowns: e.unknownCount)
    }

    /// Space-joined symbols of `ids` (for messages and tests).
    public func decode(_ ids: [Int32]) -> String { ids.map { symbol($0) }.joined(separator: " ") }
}

/// Raw text → SentencePiece pieces → fairseq dictionary ids, as fairseq's speech-to-text data
/// does (`bpe_tokenizer.encode`, then `tgt_dict.encode_line`), without EOS.
public struct SentencePieceEncoding: TextEncoding, @unchecked Sendable {
    public let model: SentencePieceModel
    public let dictionary: FairseqDictionary

    public init(model: SentencePieceModel, dictionary: FairseqDictionary) {
        (self.model, self.dictionary) = (model, dictionary)
    }

    /// - Throws: `CorpusError.cannotRead` naming the file that cannot be loaded.
    public init(modelPath: String, dictionaryPath: String) throws {
        do { model = try SentencePieceModel(contentsOf: URL(fileURLWithPath: modelPath)) } catch {
            throw CorpusError.cannotRead(path: modelPath, reason: "\(error)")
        }
        dictionary = try WhitespaceDictionaryEncoding(dictionaryPath: dictionaryPath).dictionary
    }

    public var unknownID: Int32? { dictionary.unkIndex }
    public var symbols: [String]? { dictionary.symbols }
    public var vocabularySize: Int? { dictionary.count }

    public func encode(_ text: String) throws -> [Int32] { try encodeCountingUnknowns(text).ids }

    public func encodeCountingUnknowns(_ text: String) throws -> EncodedText {
        let e = dictionary.encode(tokens: try model.encodeAsPieces(text), appendEOS: false)
        return EncodedText(ids: e.ids, unknowns: e.unknownCount)
    }
}
