import Autograd
import NN
import TensorCore

/// An encoder layer: x (B, T, d) with `lengths` (B) valid frames → (B, T, d); padded rows are unspecified.
public protocol SequenceEncoderLayer: Module {
    func callAsFunction(_ x: Variable, lengths: Int32Tensor, on tape: Tape) -> Variable
}

/// Encoder layers of either kind, named `0`, `1`, … as a PyTorch `ModuleList`.
public final class EncoderLayerList: Module {
    public let items: [any SequenceEncoderLayer]

    public init(_ items: [any SequenceEncoderLayer]) { self.items = items }

    public var children: [(String, any Module)] { items.enumerated().map { ("\($0.offset)", $0.element) } }

    public func callAsFunction(_ x: Variable, lengths: Int32Tensor, on tape: Tape) -> Variable {
        items.reduce(x) { h, layer in layer(h, lengths: lengths, on: tape) }
    }
}
