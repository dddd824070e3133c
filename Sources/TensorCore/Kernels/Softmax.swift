// inp (N, C) [any leading axes fold into N], out (N, C); softmax and log-softmax over the last axis C
import Foundation

/// Softmax and log-softmax over rows, SIMD16 with the polynomial `SIMDMath.exp`, rows in parallel.
public enum SoftmaxKernels {
    /// out[n, :] = softmax(inp[n, :]).
    public static func softmax(_ inp: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                               rows: Int, cols: Int, ctx: ComputeContext = .serial) {
        ctx.parallelFor(rows, grain: max(1, 8192 / max(cols, 1))) { range in
            for r in range {
                let x = inp + r * cols, y = out + r * cols
                let m = SIMD16<Float>(repeating: maxSIMD(x, cols))
                mapSIMD(x, y, cols) { SIMDMath.exp($0 - m) }
                let s = sumSIMD(y, cols)
                ElementwiseKernels.affine(y, alpha: 1 / s, y, cols)
            }
        }
    }

    /// out[n, :] = log_softmax(inp[n, :]) = x − max − log Σ exp(x − max).
    public static func logSoftmax(_ inp: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                  rows: Int, cols: Int, ctx: ComputeContext = .serial) {
        ctx.parallelFor(rows, grain: max(1, 8192 / max(cols, 1))) { range in
            for r in range {
                let x = inp + r * cols, y = out + r * cols
                let mx = maxSIMD(x, cols)
                let m = SIMD16<Float>(repeating: mx)
                mapSIMD(x, y, cols) { SIMDMath.exp($0 - m) }   // y as scratch
                let lse = mx + Foundation.log(sumSIMD(y, cols))
                ElementwiseKernels.affine(x, alpha: 1, beta: -lse, y, cols)
            }
        }
    }

    /// Softmax backward: dinp = y ⊙ (dout − Σ dout ⊙ y), from the forward output y.
    public static func softmaxBackward(_ y: UnsafePointer<Float>, _ dout: UnsafePointer<Float>,
                                       _ dinp: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                       ctx: ComputeContext = .serial) {
        ctx.parallelFor(rows, grain: max(1, 8192 / max(cols, 1))) { range in
            for r in range {
                let o = r * cols
                let d = SIMD16<Float>(repeating: dotSIMD(dout + o, y + o, cols))
                zipSIMD(y + o, dout + o, dinp + o, cols) { $0 * ($1 - d) }
            }
        }
    }

    /// Log-softmax backward: dinp = dout − exp(y) · Σ dout, from the forward output y.
    public static func logSoftmaxBackward(_ y: UnsafePointer<Float>, _ dout: UnsafePointer<Float>,
                                          _ dinp: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
                                          ctx: ComputeContext = .serial) {
        ctx.parallelFor(rows, grain: max(1, 8192 / max(cols, 1))) { range in
            for r in range {
                let o = r * cols
                let s = SIMD16<Float>(repeating: sumSIMD(dout + o, cols))
                zipSIMD(y + o, dout + o, dinp + o, cols) { $1 - SIMDMath.exp($0) * s }
            }
        }
    }
}

extension Tensor {
    /// Softmax over the last axis.
    public func softmax(in ctx: ComputeContext = .serial) -> Tensor {
        let cols = shape.last ?? 1
        var out = output(shape, ctx)
        withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
            SoftmaxKernels.softmax(x.baseAddress!, y.baseAddress!, rows: count / Swift.max(cols, 1), cols: cols, ctx: ctx)
        } }
        return out
    }

    /// Log-softmax over the last axis.
    public func logSoftmax(in ctx: ComputeContext = .serial) -> Tensor {
        let cols = shape.last ?? 1
        var out = output(shape, ctx)
        withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
            SoftmaxKernels.logSoftmax(x.baseAddress!, y.baseAddress!, rows: count / Swift.max(cols, 1), cols: cols, ctx: ctx)
        } }
        return out
    }
}
