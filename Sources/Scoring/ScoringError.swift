/// Errors of the scorers. Each case names the input (file and, where it applies, the 1-based line)
/// and what was expected, so that a user can fix the file without guessing.
public enum ScoringError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Hypotheses and references do not pair line by line.
    case lineCountMismatch(hypothesis: String, hypothesisLines: Int, reference: String, referenceLines: Int)
    /// A byte sequence that is not UTF-8, at the given 1-based line.
    case invalidUTF8(file: String, line: Int)
    /// The file holds no lines at all (zero bytes).
    case emptyFile(file: String)
    /// An empty reference line where the metric needs reference words (WER/CER rates are undefined).
    case emptyReference(file: String, line: Int)
    /// A tokenizer name that is not one of `13a intl none char zh`.
    case unknownTokenizer(String)
    /// A smoothing method that is not one of `exp floor add-k none`.
    case unknownSmoothing(String)
    /// A line that does not have the expected shape (for example a Kaldi `text` line without an id).
    case malformedLine(file: String, line: Int, reason: String)
    /// A SLURP prediction (or `scenario_action` line) naming a recording that is not in the gold data.
    case unknownSLURPId(file: String, line: Int, id: String)
    /// A JSON line that could not be parsed or lacks a required field.
    case invalidJSON(file: String, line: Int, reason: String)
    /// An utterance id that occurs in the references but not in the hypotheses (or twice).
    case utteranceMismatch(file: String, id: String, reason: String)
    /// An option value outside its domain (for example `--paired-bs` with one system).
    case invalidOption(String)
    /// An input file that does not exist or cannot be read.
    case cannotRead(file: String)

    public var description: String {
        switch self {
        case let .lineCountMismatch(h, hn, r, rn):
            "\(h) has \(hn) lines but \(r) has \(rn): hypotheses and references must pair line by line"
        case let .invalidUTF8(f, l):
            "\(f):\(l): invalid UTF-8"
        case let .emptyFile(f):
            "\(f): empty file (no lines)"
        case let .emptyReference(f, l):
            "\(f):\(l): empty reference line: the error rate is undefined (pass --allow-empty-refs to score it as jiwer does)"
        case let .unknownTokenizer(t):
            "unknown tokenizer '\(t)': expected one of 13a, intl, none, char, zh"
        case let .unknownSmoothing(s):
            "unknown smoothing method '\(s)': expected one of exp, floor, add-k, none"
        case let .malformedLine(f, l, why):
            "\(f):\(l): \(why)"
        case let .unknownSLURPId(f, l, id):
            "\(f):\(l): prediction for '\(id)', which is not in the gold data"
        case let .invalidJSON(f, l, why):
            "\(f):\(l): invalid JSON line: \(why)"
        case let .utteranceMismatch(f, id, why):
            "\(f): utterance '\(id)': \(why)"
        case let .cannotRead(f): "\(f): cannot read (missing or unreadable)"
        case let .invalidOption(why):
            why
        }
    }
}
