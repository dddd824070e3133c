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
    clipGradNorm(parameters, maxNorm: maxNorm, in: .serial)
}

/// `clipGradNorm` with the sums of squares and the scaling split over `context`'s threads. The sum is
/// taken in fixed blocks of 16,384 elements (four Double partial sums each), added in block order, so the
/// norm is the same for every thread count.
@discardableResult
public func clipGradNorm(_ parameters: [Variable], maxNorm: Double, in context: ComputeContext) -> Double {
    let block = 1 << 14
    var total = 0.0
    var partials: [Double] = []
    for p in parameters {
        guard let g = p.grad, g.count > 0 else { continue }
        g.withUnsafeBufferPointer { b in
            let (n, x) = (b.count, b.baseAddress!)
            let blocks = (n + block - 1) / block
            partials = Array(repeating: 0, count: blocks)
            partials.withUnsafeMutableBufferPointer { out in
                let out = out.baseAddress!
                context.parallelFor(blocks, grain: 8) { range in
                    for k in range {
                        let lo = k * block, hi = min(n, lo + block)
                        var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
                        var j = lo
                        while j + 4 <= hi {
                            let (a, b, c, d) = (Double(x[j]), Double(x[j + 1]), Double(x[j + 2]), Double(x[j + 3]))
                            s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d
                            j += 4
                        }
                        while j < hi { s0 += Double(x[j]) * Double(x[j]); j += 1 }
                        out[k] = (s0 + s1) + (s2 + s3)
                    }
                }
            }
        }
        for s in partials { total += s }
    }
    total = total.squareRoot()
    guard total.isFinite else { return total }
    let coef = Float(min(maxNorm / (total + 1e-6), 1))
    if coef < 1 {
        for p in parameters where (p.grad?.count ?? 0) > 0 {
            p.grad!.withUnsafeMutableBufferPointer { b in
                let (n, x) = (b.count, b.baseAddress!)
                context.parallelFor(n, grain: 1 << 15) { r in for j in r { x[j] *= coef } }
            }
        }
    }
    return total
}
