/// Everything that can go wrong in `Tokenizer`, with the file and line where there is one.
public enum TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file could not be read.
    case cannotRead(file: String, reason: String)
    /// A file could not be written (or renamed into place).
    case cannotWrite(file: String, reason: String)
    /// The output exists and replacing it was not asked for.
    case outputExists(file: String)
    /// A line of a text file does not have the expected form.
    case malformedLine(file: String, line: Int, expected: String, found: String)
    /// A symbol appears twice in a fairseq dictionary without `#fairseq:overwrite`.
    case duplicateSymbol(file: String, line: Int, symbol: String)
    /// A SentencePiece model that cannot be used (unreadable, or not what the caller needs).
    case invalidModel(file: String, reason: String)
    /// The SentencePiece library reported an error (loading, encoding, decoding, training).
    case sentencePiece(operation: String, message: String)
    /// An option value that cannot be used.
    case invalidOption(name: String, reason: String)
    /// An id outside the vocabulary.
    case idOutOfRange(id: Int, vocabularySize: Int)

    public var description: String {
        switch self {
        case let .cannotRead(file, reason): "\(file): cannot read: \(reason)"
        case let .cannotWrite(file, reason): "\(file): cannot write: \(reason)"
        case let .outputExists(file): "\(file) exists; pass --overwrite to replace it"
        case let .malformedLine(file, line, expected, found):
            "\(file):\(line): expected \(expected), found \(Self.quote(found))"
        case let .duplicateSymbol(file, line, symbol):
            "\(file):\(line): duplicate symbol \(Self.quote(symbol)) (add #fairseq:overwrite to replace the earlier one)"
        case let .invalidModel(file, reason): "\(file): \(reason)"
        case let .sentencePiece(operation, message): "SentencePiece \(operation): \(message)"
        case let .invalidOption(name, reason): "invalid \(name): \(reason)"
        case let .idOutOfRange(id, size): "id \(id) is outside the vocabulary (0..<\(size))"
        }
    }

    /// A line shown in a message: quoted, cut to 80 characters.
    static func quote(_ s: String) -> String {
        let cut = s.count > 80 ? String(s.prefix(80)) + "…" : s
        return "\"" + cut + "\""
    }
}
