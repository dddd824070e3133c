import Autograd
import SeededRandom
import TensorCore

/// PyTorch's `nn.Embedding`: `weight` (num, dim); ids of any shape → ids.shape + [dim].
/// The `paddingIndex` row is initialised to zero and receives no gradient.
public final class Embedding: Module {
    public let weight: Variable
    public let paddingIndex: Int32?

    /// Rows drawn from N(0, std²) (PyTorch: std 1; fairseq's Transformer: std dim^−½), padding row zero.
    public init<G: RandomNumberGenerator>(_ count: Int, _ dim: Int, paddingIndex: Int32? = nil, std: Float = 1,
                                          generator: inout G) {
        precondition(paddingIndex.map { $0 >= 0 && Int($0) < count } ?? true, "Embedding: padding index out of range")
        var w = Tensor.randomNormal([count, dim], std: std, using: &generator)
        if let p = paddingIndex {
            w.withUnsafeMutableBufferPointer { b in for j in 0..<dim { b[Int(p) * dim + j] = 0 } }
        }
        weight = Variable(w, requiresGrad: true)
        self.paddingIndex = paddingIndex
    }

    public var localParameters: [(String, Variable)] { [("weight", weight)] }

    /// - Precondition: ids lie in 0..<count (check user data with `Int32Tensor.validate(below:)`).
    public func callAsFunction(_ ids: Int32Tensor, on tape: Tape) -> Variable {
        tape.embedding(weight, ids, paddingIndex: paddingIndex)
    }
}
