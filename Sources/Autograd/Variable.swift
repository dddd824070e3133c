import TensorCore

/// A tensor in a computation: its value, whether gradients flow to it, and its gradient.
///
/// Parameters are leaf variables made with `requiresGrad: true`; their `grad` accumulates over
/// backward passes until `zeroGrad()`. Results of tape operations are non-leaf variables whose
/// gradient is released once the backward pass has used it.
public final class Variable {
    /// The value. Optimisers update parameters in place through it.
    public var value: Tensor
    /// The accumulated gradient (nil before any backward pass reached this variable).
    public var grad: Tensor?
    public let requiresGrad: Bool
    /// True for variables made by the caller (inputs, parameters), false for recorded results.
    public let isLeaf: Bool

    public init(_ value: Tensor, requiresGrad: Bool = false) {
        self.value = value
        self.requiresGrad = requiresGrad
        self.isLeaf = true
    }

    init(result value: Tensor, requiresGrad: Bool) {
        self.value = value
        self.requiresGrad = requiresGrad
        self.isLeaf = false
    }

    public var shape: [Int] { value.shape }

    public func zeroGrad() { grad = nil }

    /// Adds `g` to the gradient (the first contribution is stored without a copy).
    func accumulateGrad(_ g: Tensor) {
        precondition(g.shape == value.shape, "gradient shape \(g.shape) differs from value shape \(value.shape)")
        if grad == nil { grad = g } else { grad!.accumulate(g) }
    }
}
