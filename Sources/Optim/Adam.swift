import Foundation
import Autograd
import NN
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

    public func step() { step(in: .serial) }

    /// One step with the element loops split over `context`'s threads (each element's arithmetic is the
    /// same whatever the split, so the result is bit-identical for every thread count).
    public func step(in context: ComputeContext) {
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
                        guard x.count > 0 else { return }
                        let (n, x, g, m, v) = (x.count, x.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!)
                        context.parallelFor(n, grain: 1 << 15) { range in
                            if wd == 0 {   // the common case as a branch-free SIMD loop (same arithmetic per lane)
                                typealias F8 = SIMD8<Float>
                                var j = range.lowerBound
                                while j + 8 <= range.upperBound {
                                    let gj = UnsafeRawPointer(g + j).loadUnaligned(as: F8.self)
                                    let m0 = UnsafeRawPointer(m + j).loadUnaligned(as: F8.self)
                                    let v0 = UnsafeRawPointer(v + j).loadUnaligned(as: F8.self)
                                    let x0 = UnsafeRawPointer(x + j).loadUnaligned(as: F8.self)
                                    let mj = m0 + b1w * (gj - m0)
                                    let vj = v0 * b2 + b2w * gj * gj
                                    let xj = x0 + -stepSize * (mj / (vj.squareRoot() / bc2SqrtF + epsF))
                                    UnsafeMutableRawPointer(m + j).storeBytes(of: mj, as: F8.self)
                                    UnsafeMutableRawPointer(v + j).storeBytes(of: vj, as: F8.self)
                                    UnsafeMutableRawPointer(x + j).storeBytes(of: xj, as: F8.self)
                                    j += 8
                                }
                                for j in j..<range.upperBound {
                                    let gj = g[j]
                                    m[j] += b1w * (gj - m[j])
                                    v[j] = v[j] * b2 + b2w * gj * gj
                                    x[j] += -stepSize * (m[j] / (v[j].squareRoot() / bc2SqrtF + epsF))
                                }
                                return
                            }
                            for j in range {
                                var gj = g[j]
                                if decoupled { x[j] *= decay } else { gj += wdF * x[j] }
                                m[j] += b1w * (gj - m[j])
                                v[j] = v[j] * b2 + b2w * gj * gj
                                let denom = v[j].squareRoot() / bc2SqrtF + epsF
                                x[j] += -stepSize * (m[j] / denom)
                            }
                        }
                    }
                } }
            }
            exp_avg[i] = m; exp_avg_sq[i] = v
        }
    }
}

extension Adam {
    /// The optimiser state as tensors, named as PyTorch's `optimizer.state_dict()["state"]`:
    /// `state.<i>.exp_avg`, `state.<i>.exp_avg_sq`, `state.<i>.step` (a scalar) for every parameter
    /// index `i` that has been updated. Save it with `SafeTensors.write` to resume training.
    public func stateTensors() -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for i in parameters.indices where steps[i] > 0 {
            out["state.\(i).exp_avg"] = exp_avg[i]!
            out["state.\(i).exp_avg_sq"] = exp_avg_sq[i]!
            out["state.\(i).step"] = Tensor(Float(steps[i]))
        }
        return out
    }

    /// Restores `stateTensors()`. Parameters without state start afresh.
    /// - Throws: `NNError.shapeMismatch` when a moment's shape differs from its parameter's,
    ///   `NNError.unexpectedParameter` for a name that is not `state.<i>.{exp_avg,exp_avg_sq,step}` of
    ///   a parameter index, `NNError.missingParameter` when one of the three is absent.
    public func loadState(_ tensors: [String: Tensor], file: String = "<memory>") throws {
        var m = [Tensor?](repeating: nil, count: parameters.count), v = m
        var s = [Int](repeating: 0, count: parameters.count)
        for (name, t) in tensors {
            let parts = name.split(separator: ".")
            guard parts.count == 3, parts[0] == "state", let i = Int(parts[1]), parameters.indices.contains(i) else {
                throw NNError.unexpectedParameter(path: name, file: file)
            }
            switch parts[2] {
            case "exp_avg", "exp_avg_sq":
                guard t.shape == parameters[i].shape else {
                    throw NNError.shapeMismatch(path: name, expected: parameters[i].shape, found: t.shape, file: file)
                }
                if parts[2] == "exp_avg" { m[i] = t } else { v[i] = t }
            case "step":
                guard t.count == 1 else { throw NNError.shapeMismatch(path: name, expected: [], found: t.shape, file: file) }
                s[i] = Int(t.item)
            default: throw NNError.unexpectedParameter(path: name, file: file)
            }
        }
        for i in parameters.indices where m[i] != nil || v[i] != nil || s[i] != 0 {
            for (suffix, present) in [("exp_avg", m[i] != nil), ("exp_avg_sq", v[i] != nil), ("step", s[i] != 0)] where !present {
                throw NNError.missingParameter(path: "state.\(i).\(suffix)", file: file)
            }
        }
        exp_avg = m; exp_avg_sq = v; steps = s
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
