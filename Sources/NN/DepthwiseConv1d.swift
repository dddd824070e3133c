import Autograd
import SeededRandom
import TensorCore

/// `nn.Conv1d(C, C, K, padding: (K − 1)/2, groups: C)`: each channel convolved with its own kernel,
/// `weight` (C, 1, K), optional `bias` (C); (B, C, T) → (B, C, T), zero padding ("same").
///
/// Computed as Σ_k w[:, k] · x shifted by k − (K − 1)/2 on the tape (K multiply-adds over the input,
/// O(B·C·T·K) — small beside the layer's matrix products), so its gradients come from the tape's rules.
public final class DepthwiseConv1d: Module {
    public let weight: Variable
    public let bias: Variable?

    /// PyTorch's default init (fan_in = K per channel) from `generator`. - Precondition: K odd.
    public init<G: RandomNumberGenerator>(channels: Int, kernel: Int, bias: Bool = false, generator: inout G) {
        precondition(kernel % 2 == 1, "DepthwiseConv1d: kernel \(kernel) must be odd for same padding")
        weight = Variable(Initializers.kaimingUniformA5([channels, 1, kernel], fanIn: kernel, using: &generator), requiresGrad: true)
        self.bias = bias ? Variable(Initializers.fanInUniform([channels], fanIn: kernel, using: &generator), requiresGrad: true) : nil
    }

    public var localParameters: [(String, Variable)] { [("weight", weight)] + (bias.map { [("bias", $0)] } ?? []) }

    public func callAsFunction(_ x: Variable, on tape: Tape) -> Variable {
        let (b, c, t) = (x.shape[0], x.shape[1], x.shape[2]), k = weight.shape[2], half = (k - 1) / 2
        precondition(c == weight.shape[0], "DepthwiseConv1d: \(c) channels for a (\(weight.shape)) weight")
        let zeros = Variable(Tensor(zeros: [b, c, half]))
        let padded = half > 0 ? tape.concat([zeros, x, zeros], axis: 2) : x                     // (B, C, T + K − 1)
        var y: Variable?
        for j in 0..<k {
            let tap = tape.reshape(tape.slice(weight, axis: 2, start: j, length: 1), [1, c, 1])
            let term = tape.mul(tape.slice(padded, axis: 2, start: j, length: t), tap)
            y = y.map { tape.add($0, term) } ?? term
        }
        if let bias { y = tape.add(y!, tape.reshape(bias, [1, c, 1])) }
        return y!
    }
}
