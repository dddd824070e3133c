import Autograd
import SeededRandom
import TensorCore

/// Inverted dropout with its own seeded generator. Applied only while `isTraining` and the tape is
/// recording; in evaluation (`setTraining(false)`) or in a `noGrad`/inference tape it is the identity
/// and draws nothing. Any shape → same shape.
public final class Dropout: UnaryLayer {
    public let p: Float
    public var isTraining = true
    /// The generator the masks are drawn from (one `UInt64` per element per call).
    public var generator: Xoshiro256

    public init(p: Float, generator: Xoshiro256) {
        precondition(p >= 0 && p < 1, "Dropout: p must be in [0, 1), got \(p)")
        self.p = p
        self.generator = generator
    }

    /// The dropout of an attention kernel's probabilities for one call (a fresh seed from the
    /// generator), or nil when inactive (evaluation, p = 0, or nothing recorded).
    public func attentionDropout(on tape: Tape) -> AttentionDropout? {
        guard isTraining, p > 0, tape.mode == .recording else { return nil }
        return AttentionDropout(p: p, seed: generator.next())
    }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        guard isTraining, p > 0, tape.mode == .recording else { return x }
        return tape.dropout(x, p: p, using: &generator)
    }
}
