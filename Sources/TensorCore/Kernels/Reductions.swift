// inp viewed as (O, L, I) around the reduced axis of length L → out (O, I); argmax (O, I)

/// Reductions over one axis, written into caller-provided buffers.
public enum ReductionKernels {
    /// out[o, i] = Σ_l inp[o, l, i] (times `scale`, so the mean is `scale = 1/L`).
    public static func sum(_ inp: UnsafePointer<Float>, outer: Int, length: Int, inner: Int,
                           scale: Float = 1, _ out: UnsafeMutablePointer<Float>) {
        if inner == 1 {
            for o in 0..<outer { out[o] = sumSIMD(inp + o * length, length) * scale }
            return
        }
        for o in 0..<outer {
            let dst = out + o * inner
            dst.initialize(repeating: 0, count: inner)
            for l in 0..<length { zipSIMD(dst, inp + (o * length + l) * inner, dst, inner) { $0 + $1 } }
            if scale != 1 { ElementwiseKernels.affine(dst, alpha: scale, dst, inner) }
        }
    }

    /// out[o, i] = max_l inp[o, l, i]; `argmax[o, i]` = the first l reaching it.
    public static func max(_ inp: UnsafePointer<Float>, outer: Int, length: Int, inner: Int,
                           _ out: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?) {
        precondition(length > 0, "max over an empty axis")
        for o in 0..<outer {
            for i in 0..<inner {
                var best = inp[o * length * inner + i], arg = 0
                for l in 1..<length {
                    let v = inp[(o * length + l) * inner + i]
                    if v > best { best = v; arg = l }
                }
                out[o * inner + i] = best
                argmax?[o * inner + i] = Int32(arg)
            }
        }
    }

    /// inp (O, I) repeated along a new axis of length L → out (O, L, I), times `scale`:
    /// the backward of `sum` (scale 1) and `mean` (scale 1/L).
    public static func expand(_ inp: UnsafePointer<Float>, outer: Int, length: Int, inner: Int,
                              scale: Float = 1, _ out: UnsafeMutablePointer<Float>) {
        for o in 0..<outer {
            for l in 0..<length {
                ElementwiseKernels.affine(inp + o * inner, alpha: scale, out + (o * length + l) * inner, inner)
            }
        }
    }
}

extension Tensor {
    private func reduced(_ axis: Int, keepingDimension keep: Bool) -> (Int, (Int, Int, Int), [Int]) {
        let a = Shape.axis(axis, rank: rank)
        var outShape = shape
        if keep { outShape[a] = 1 } else { outShape.remove(at: a) }
        return (a, Shape.split(shape, axis: a), outShape)
    }

    /// Sum over `axis` (negative counts from the end).
    public func sum(axis: Int, keepingDimension keep: Bool = false, in ctx: ComputeContext = .serial) -> Tensor {
        let (_, (o, l, i), outShape) = reduced(axis, keepingDimension: keep)
        var out = output(outShape, ctx)
        withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
            ReductionKernels.sum(x.baseAddress!, outer: o, length: l, inner: i, y.baseAddress!)
        } }
        return out
    }

    /// Mean over `axis`.
    public func mean(axis: Int, keepingDimension keep: Bool = false, in ctx: ComputeContext = .serial) -> Tensor {
        let (_, (o, l, i), outShape) = reduced(axis, keepingDimension: keep)
        var out = output(outShape, ctx)
        withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
            ReductionKernels.sum(x.baseAddress!, outer: o, length: l, inner: i, scale: 1 / Float(l), y.baseAddress!)
        } }
        return out
    }

    /// Maximum over `axis`, with the index of the first maximum.
    public func max(axis: Int, keepingDimension keep: Bool = false, in ctx: ComputeContext = .serial) -> (values: Tensor, indices: Int32Tensor) {
        let (_, (o, l, i), outShape) = reduced(axis, keepingDimension: keep)
        var out = output(outShape, ctx)
        var idx = [Int32](repeating: 0, count: o * i)
        withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in idx.withUnsafeMutableBufferPointer { ix in
            ReductionKernels.max(x.baseAddress!, outer: o, length: l, inner: i, y.baseAddress!, argmax: ix.baseAddress!)
        } } }
        return (out, Int32Tensor(shape: outShape, scalars: idx))
    }

    /// Sum of all elements, as a scalar tensor.
    public func sum() -> Tensor { Tensor(withUnsafeBufferPointer { sumSIMD($0.baseAddress!, count) }) }

    /// Mean of all elements, as a scalar tensor.
    public func mean() -> Tensor { Tensor(sum().item / Float(count)) }
}
