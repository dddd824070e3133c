import Corpus
import Transformer

extension ModelInput {
    /// The encoder input of a collated batch (features or tokens with their lengths).
    public init(_ source: BatchSource) {
        switch source {
        case let .features(x, lengths): self = .features(x, lengths: lengths)
        case let .tokens(t, lengths): self = .tokens(t, lengths: lengths)
        }
    }
}
