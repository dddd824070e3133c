import Autograd
import TensorCore

/// `torch.nn.utils.clip_grad_norm_` with the L2 norm: the total norm is the norm of the per-tensor
/// norms (accumulated here in Double); when `maxNorm / (total + 1e-6) < 1` every gradient is
/// multiplied by that factor. Returns the total norm before clipping. Parameters without a gradient
/// are ignored; with none at all the norm is 0. A non-finite norm (inf/NaN gradient) leaves the
/// gradients unchanged and is returned, so the caller can skip the update as fairseq's trainer does
/// (PyTorch would multiply by NaN).
@discardableResult
public func clipGradNorm(_ parameters: [Variable], maxNorm: Double) -> Double {
    var total = 0.0
    for p in parameters {
        guard let g = p.grad else { continue }
        g.withUnsafeBufferPointer { b in for x in b { total += Double(x) * Double(x) } }
    }
    total = total.squareRoot()
    guard total.isFinite else { return total }
    let coef = Float(min(maxNorm / (total + 1e-6), 1))
    if coef < 1 {
        for p in parameters where p.grad != nil {
            p.grad!.withUnsafeMutableBufferPointer { b in for j in 0..<b.count { b[j] *= coef } }
        }
    }
    return total
}
