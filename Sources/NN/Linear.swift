import Autograd
import SeededRandom
import TensorCore

/// PyTorch's `nn.Linear`: y = x·Wᵀ + b with `weight` (out, in) and optional `bias` (out).
/// Input (..., in) → output (..., out).
public final class Linear: UnaryLayer {
    public let weight: Variable
    public let bias: Variable?
    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// PyTorch's default init (kaiming-uniform a=√5 for the weight, U(±1/√in) for the bias), drawn
    /// from `generator` (weight first, then bias, row-major).
    public init<G: RandomNumberGenerator>(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: inout G) {
        weight = Variable(Initializers.kaimingUniformA5([outFeatures, inFeatures], fanIn: inFeatures, using: &generator),
                          requiresGrad: true)
        self.bias = bias ? Variable(Initializers.fanInUniform([outFeatures], fanIn: inFeatures, using: &generator),
                                    requiresGrad: true) : nil
    }

    /// From given tensors: `weight` (out, in), `bias` (out).
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2 && (bias.map { $0.shape == [weight.shape[0]] } ?? true),
                     "Linear: weight must be (out, in) and bias (out), got \(weight.shape), \(bias?.shape ?? [])")
        self.weight = Variable(weight, requiresGrad: true)
        self.bias = bias.map { Variable($0, requiresGrad: true) }
    }

    public var localParameters: [(String, Variable)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        tape.linear(x, weight: weight, bias: bias)
    }
}
