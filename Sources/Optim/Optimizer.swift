import Autograd
import TensorCore

/// An optimiser updates the values of its parameters in place from their accumulated gradients.
/// Parameters whose `grad` is nil are skipped (PyTorch skips `p.grad is None`).
public protocol Optimizer: AnyObject {
    /// The parameters, in the order their state is kept.
    var parameters: [Variable] { get }
    /// The learning rate of the next `step()` (set it from a schedule before each step).
    var learningRate: Double { get set }
    /// One update from the current gradients.
    func step()
}

extension Optimizer {
    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}
