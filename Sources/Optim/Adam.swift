import Foundation
import Autograd
import TensorCore

/// Adam exactly as `torch.optim.Adam` (single-tensor path, `amsgrad=False`, `maximize=False`), per
/// element in Float32 with the scalar factors in Double as PyTorch passes Python floats:
///
///     g ← g + wd·p                      (Adam, L2 weight decay; AdamW instead: p ← p·(1 − lr·wd))
///     m ← m + (1 − β1)·(g − m)          (lerp)
///     v ← β2·v + (1 − β2)·g²
///     p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)
///
/// The step count t is per parameter (it starts at 1 on the parameter's first update).
public class Adam: Optimizer {
    public let parameters: [Variable]
    public var learningRate: Double
    public var beta1: Double, beta2: Double, eps: Double, weightDecay: Double
    /// True for AdamW's decoupled weight decay.
    public let decoupledWeightDecay: Bool
    /// First and second moments (nil until the parameter's first update) and step counts.
    public private(set) var exp_avg: [Tensor?], exp_avg_sq: [Tensor?], steps: [Int]

    public init(parameters: [Variable], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 0, decoupledWeightDecay: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        (beta1, beta2) = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        exp_avg = Array(repeating: nil, count: parameters.count)
        exp_avg_sq = exp_avg
        steps = Array(repeating: 0, count: parameters.count)
    }

    public func step() {
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            steps[i] += 1
            let t = Double(steps[i])
            var m = exp_avg[i] ?? Tensor(zeros: p.shape), v = exp_avg_sq[i] ?? Tensor(zeros: p.shape)
            exp_avg[i] = nil; exp_avg_sq[i] = nil   // keep the buffers uniquely referenced (no copy on write)
            let lr = learningRate, wd = weightDecay
            let bc1 = 1 - pow(beta1, t), bc2Sqrt = (1 - pow(beta2, t)).squareRoot()
            let stepSize = Float(lr / bc1), bc2SqrtF = Float(bc2Sqrt), epsF = Float(eps)
            let b1w = Float(1 - beta1), b2 = Float(beta2), b2w = Float(1 - beta2)
            let decay = Float(1 - lr * wd), wdF = Float(wd), decoupled = decoupledWeightDecay
            grad.withUnsafeBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in v.withUnsafeMutableBufferPointer { v in
                    p.value.withUnsafeMutableBufferPointer { x in
                        for j in 0..<x.count {
                            var gj = g[j]
                            if wd != 0 {
                                if decoupled { x[j] *= decay } else { gj += wdF * x[j] }
                            }
                            m[j] += b1w * (gj - m[j])
                            v[j] = v[j] * b2 + b2w * gj * gj
                            let denom = v[j].squareRoot() / bc2SqrtF + epsF
                            x[j] += -stepSize * (m[j] / denom)
                        }
                    }
                } }
            }
            exp_avg[i] = m; exp_avg_sq[i] = v
        }
    }
}

/// AdamW as `torch.optim.AdamW`: Adam with decoupled weight decay (p ← p·(1 − lr·wd) before the
/// update) and PyTorch's default weight decay 0.01.
public final class AdamW: Adam {
    public init(parameters: [Variable], learningRate: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999),
                eps: Double = 1e-8, weightDecay: Double = 0.01) {
        super.init(parameters: parameters, learningRate: learningRate, betas: betas, eps: eps,
                   weightDecay: weightDecay, decoupledWeightDecay: true)
    }
}
