import TensorCore

/// A batch for the encoder: speech features (B, T, F) or source tokens (B, T), right-padded, with
/// the valid frames / tokens of each row.
public enum ModelInput {
    case features(Tensor, lengths: [Int32])
    case tokens(Int32Tensor, lengths: [Int32])

    public var batch: Int {
        switch self {
        case let .features(x, _): x.shape.first ?? 0
        case let .tokens(t, _): t.shape.first ?? 0
        }
    }

    /// - Throws: `ModelError.invalidInput` when shapes, lengths or ids do not fit `config`.
    func validate(for config: ModelConfig) throws {
        switch (self, config.inputMode) {
        case let (.features(x, lengths), .speech):
            let f = config.inputFeatPerChannel * config.inputChannels
            guard x.rank == 3, x.shape[2] == f else {
                throw ModelError.invalidInput(what: "features of shape \(x.shape)", expected: "(B, T, \(f))")
            }
            try Self.check(lengths, batch: x.shape[0], time: x.shape[1])
        case let (.tokens(t, lengths), .text):
            guard t.rank == 2 else { throw ModelError.invalidInput(what: "tokens of shape \(t.shape)", expected: "(B, T)") }
            try Self.check(lengths, batch: t.shape[0], time: t.shape[1])
            let v = config.sourceVocabSize ?? config.vocabSize
            if let bad = t.scalars.first(where: { $0 < 0 || Int($0) >= v }) {
                throw ModelError.invalidInput(what: "source token id \(bad)", expected: "ids below \(v)")
            }
        case (.features, .text):
            throw ModelError.invalidInput(what: "speech features", expected: "source tokens (input_mode text)")
        case (.tokens, .speech):
            throw ModelError.invalidInput(what: "source tokens", expected: "speech features (input_mode speech)")
        }
    }

    private static func check(_ lengths: [Int32], batch: Int, time: Int) throws {
        guard lengths.count == batch, lengths.allSatisfy({ $0 >= 1 && Int($0) <= time }) else {
            throw ModelError.invalidInput(what: "lengths \(lengths) for \(batch) rows of \(time) steps",
                                          expected: "one length in 1...\(time) per row")
        }
    }
}
