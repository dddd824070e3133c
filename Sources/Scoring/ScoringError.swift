/// Errors of the scorers. Each case names the input (file and line) and what was expected.
public enum ScoringError: Error, Equatable, Sendable, CustomStringConvertible {
    case lineCountMismatch(hypothesis: String, hypothesisLines: Int, reference: String, referenceLines: Int)

    public var description: String {
        switch self {
        case let .lineCountMismatch(h, hn, r, rn):
            "\(h) has \(hn) lines but \(r) has \(rn): hypotheses and references must pair line by line"
        }
    }
}
