import Autograd
import TensorCore

/// SGD as `torch.optim.SGD` (dampening 0 by default):
///
///     g ← g + wd·p
///     b ← g (first step), else b ← μ·b + (1 − dampening)·g;  g ← nesterov ? g + μ·b : b   (when μ ≠ 0)
///     p ← p − lr·g
public final class SGD: Optimizer {
    public let parameters: [Variable]
    public var learningRate: Double
    public var momentum: Double, dampening: Double, weightDecay: Double
    public let nesterov: Bool
    public private(set) var momentumBuffers: [Tensor?]

    public init(parameters: [Variable], learningRate: Double, momentum: Double = 0, dampening: Double = 0,
                weightDecay: Double = 0, nesterov: Bool = false) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov needs momentum and zero dampening")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        momentumBuffers = Array(repeating: nil, count: parameters.count)
    }

    public func step() {
        let mu = Float(momentum), damp = Float(1 - dampening), wd = Float(weightDecay), lr = Float(learningRate)
        for (i, p) in parameters.enumerated() {
            guard var g = p.grad else { continue }
            if weightDecay != 0 { g = g + p.value * wd }
            if momentum != 0 {
                if var b = momentumBuffers[i] {
                    momentumBuffers[i] = nil
                    b.withUnsafeMutableBufferPointer { b in g.withUnsafeBufferPointer { g in
                        for j in 0..<b.count { b[j] = b[j] * mu + damp * g[j] }
                    } }
                    momentumBuffers[i] = b
                } else {
                    momentumBuffers[i] = g
                }
                let b = momentumBuffers[i]!
                g = nesterov ? g + b * mu : b
            }
            p.value.withUnsafeMutableBufferPointer { x in g.withUnsafeBufferPointer { g in
                for j in 0..<x.count { x[j] += -lr * g[j] }
            } }
        }
    }
}
