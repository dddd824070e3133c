import Autograd
import NN
import SeededRandom
import TensorCore

/// The paper's model (spec §4): an encoder (speech: `SpeechEncoder`; text: `TextEncoder`) whose
/// projected output is the prefix of a decoder-only Transformer (`DecoderOnly`). Parameter paths are
/// fairseq's (`encoder.*`, `decoder.*`, spec §3.3), so checkpoints move both ways with PyTorch.
public final class PrefixDecoderModel: Module {
    public enum Encoder {
        case speech(SpeechEncoder)
        case text(TextEncoder)

        var module: any Module {
            switch self {
            case let .speech(e): e
            case let .text(e): e
            }
        }
    }

    public let config: ModelConfig
    public let encoder: Encoder
    public let decoder: DecoderOnly

    /// A freshly initialised model (PyTorch/fairseq default initialisations, drawn from `generator`);
    /// dropout masks come from generators seeded with `dropoutSeed` and the layer index.
    /// - Throws: `ModelError` for an invalid config.
    public init<G: RandomNumberGenerator>(config: ModelConfig, dropoutSeed: UInt64 = 0, generator: inout G) throws {
        let config = try config.validated()
        self.config = config
        var shared: Embedding? = nil
        switch config.inputMode {
        case .speech:
            encoder = .speech(try SpeechEncoder(config: config, dropoutSeed: dropoutSeed, generator: &generator))
        case .text:
            let text = TextEncoder(config: config, dropoutSeed: dropoutSeed, generator: &generator)
            if config.shareAllEmbeddings { shared = text.embedTokens }
            encoder = .text(text)
        }
        decoder = try DecoderOnly(config: config, dropoutSeed: dropoutSeed &+ 1_000, sharedEmbedding: shared, generator: &generator)
    }

    public var children: [(String, any Module)] { [("encoder", encoder.module), ("decoder", decoder)] }

    /// Runs the encoder. - Throws: `ModelError.invalidInput` for input that does not fit the config.
    public func encode(_ input: ModelInput, on tape: Tape) throws -> EncoderOutput {
        try input.validate(for: config)
        switch (encoder, input) {
        case let (.speech(e), .features(x, lengths)): return e(Variable(x), lengths: lengths, on: tape)
        case let (.text(e), .tokens(t, lengths)): return e(t, lengths: lengths, on: tape)
        default: preconditionFailure("validated input matches the encoder")
        }
    }

    /// CTC logits (B, T', V) of an encoder output, or nil without a CTC head.
    public func ctcLogits(_ encoded: EncoderOutput, on tape: Tape) -> Variable? {
        if case let .speech(e) = encoder { return e.ctcLogits(encoded, on: tape) }
        return nil
    }

    /// Teacher-forced logits (B, S, V) for decoder inputs `prevTokens` (B, S) (EOS first).
    /// - Throws: `ModelError.invalidInput` for bad input or token ids.
    public func callAsFunction(_ input: ModelInput, prevTokens: Int32Tensor, on tape: Tape) throws -> (logits: Variable, encoded: EncoderOutput) {
        guard prevTokens.rank == 2, prevTokens.shape[0] == input.batch else {
            throw ModelError.invalidInput(what: "decoder tokens of shape \(prevTokens.shape)", expected: "(\(input.batch), S)")
        }
        if let bad = prevTokens.scalars.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ModelError.invalidInput(what: "decoder token id \(bad)", expected: "ids below vocab_size \(config.vocabSize)")
        }
        let encoded = try encode(input, on: tape)
        let (prefix, lengths) = decoder.prefix(encoded, on: tape)
        return (decoder(prevTokens, prefix: prefix, prefixLengths: lengths, on: tape), encoded)
    }
}
