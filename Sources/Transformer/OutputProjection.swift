import Autograd
import NN
import SeededRandom
import TensorCore

/// `decoder.output_projection`: features (…, d) → logits (…, V), no bias; its `weight` (V, d) is the
/// embedding table itself when input and output embeddings are shared (tied: one parameter, listed
/// under both names in the state dict, as PyTorch does).
public final class OutputProjection: Module {
    public let weight: Variable

    public init(weight: Variable) { self.weight = weight }

    /// fairseq's untied init: N(0, d^−½).
    public convenience init<G: RandomNumberGenerator>(vocabulary: Int, dim: Int, generator: inout G) {
        self.init(weight: Variable(Tensor.randomNormal([vocabulary, dim], std: 1 / Float(dim).squareRoot(), using: &generator),
                                   requiresGrad: true))
    }

    public var localParameters: [(String, Variable)] { [("weight", weight)] }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable { tape.linear(x, weight: weight, bias: nil) }
}
