/// Errors of the data pipeline. Every case names the file (and line) or the utterance concerned,
/// and says what was expected. Errors of the layers below (zip, npy, ark, audio) reach the caller
/// wrapped in `.sample(…)`, which adds the utterance id and the manifest line.
public enum CorpusError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Loading sample `id` failed; `location` is where it was declared (`train.tsv:12`,
    /// `data/train/feats.scp:3`, `src.txt:7`), `reason` the underlying error's description.
    case sample(id: String, location: String, reason: String)
    /// A manifest or table line that cannot be used (1-based line).
    case badLine(path: String, line: Int, reason: String)
    /// An utterance has no transcript in the `text` file (or `tgt_text` column).
    case missingText(path: String, utterance: String)
    /// Two parallel text files with different numbers of lines.
    case lineCountMismatch(source: String, sourceLines: Int, target: String, targetLines: Int)
    /// A fairseq dictionary line that cannot be parsed, or a duplicate symbol.
    case badDictionary(path: String, line: Int, reason: String)
    /// The same utterance id twice in one dataset.
    case duplicateID(path: String, id: String)
    /// Samples of one batch that cannot be collated together (features of different widths, or
    /// features mixed with tokens).
    case incompatibleBatch(ids: [String], reason: String)
    /// An option value that cannot be used.
    case invalidOption(name: String, reason: String)
    /// A file that cannot be read at all.
    case cannotRead(path: String, reason: String)

    public var description: String {
        switch self {
        case let .sample(id, location, reason): "\(location): utterance '\(id)': \(reason)"
        case let .badLine(path, line, reason): "\(path):\(line): \(reason)"
        case let .missingText(path, utterance): "\(path): no transcript for utterance '\(utterance)'"
        case let .lineCountMismatch(source, sl, target, tl):
            "parallel files differ in length: \(source) has \(sl) lines, \(target) has \(tl)"
        case let .badDictionary(path, line, reason): "\(path):\(line): bad dictionary line: \(reason)"
        case let .duplicateID(path, id): "\(path): utterance id '\(id)' appears more than once"
        case let .incompatibleBatch(ids, reason): "batch [\(ids.joined(separator: ", "))]: \(reason)"
        case let .invalidOption(name, reason): "\(name): \(reason)"
        case let .cannotRead(path, reason): "\(path): cannot read: \(reason)"
        }
    }

    /// Wraps any error raised while loading sample `id` (a `CorpusError.sample` passes through).
    static func wrap(_ error: any Error, id: String, location: String) -> CorpusError {
        if let e = error as? CorpusError, case .sample = e { return e }
        return .sample(id: id, location: location, reason: String(describing: error))
    }
}
