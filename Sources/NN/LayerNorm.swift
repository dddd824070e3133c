import Autograd
import TensorCore

/// PyTorch's `nn.LayerNorm` over the last axis: (..., C) → (..., C); `weight` ones and `bias` zeros (C)
/// when `elementwiseAffine`.
public final class LayerNorm: UnaryLayer {
    public let weight: Variable?
    public let bias: Variable?
    public let eps: Float

    public init(_ dim: Int, eps: Float = 1e-5, elementwiseAffine: Bool = true) {
        weight = elementwiseAffine ? Variable(Tensor(shape: [dim], repeating: 1), requiresGrad: true) : nil
        bias = elementwiseAffine ? Variable(Tensor(zeros: [dim]), requiresGrad: true) : nil
        self.eps = eps
    }

    public var localParameters: [(String, Variable)] {
        [weight.map { ("weight", $0) }, bias.map { ("bias", $0) }].compactMap { $0 }
    }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        tape.layerNorm(x, weight: weight, bias: bias, eps: eps)
    }
}
