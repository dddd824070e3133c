import Autograd
import SeededRandom
import TensorCore

/// The Transformer feed-forward block with fairseq's names: `fc1` (hidden, dim), activation,
/// activation dropout, `fc2` (dim, hidden). (..., dim) → (..., dim).
///
/// In fairseq `fc1`/`fc2` are direct children of the encoder/decoder layer; a layer module that
/// wants those paths lists `ffn.children` among its own children instead of `("ffn", ffn)`.
public final class FFN: UnaryLayer {
    public let fc1: Linear
    public let fc2: Linear
    public let activation: Activation
    public let activationDropout: Dropout

    /// `fc1` then `fc2` are initialised from `generator`; the dropout gets its own `dropoutGenerator`.
    public init<G: RandomNumberGenerator>(dim: Int, hidden: Int, activation: Activation = .relu,
                                          activationDropout: Float = 0, dropoutGenerator: Xoshiro256 = Xoshiro256(seed: 0),
                                          generator: inout G) {
        fc1 = Linear(dim, hidden, generator: &generator)
        fc2 = Linear(hidden, dim, generator: &generator)
        self.activation = activation
        self.activationDropout = Dropout(p: activationDropout, generator: dropoutGenerator)
    }

    public var children: [(String, any Module)] { [("fc1", fc1), ("fc2", fc2), ("activation_dropout_module", activationDropout)] }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        fc2(activationDropout(tape.activation(fc1(x, on: tape), activation), on: tape), on: tape)
    }
}
