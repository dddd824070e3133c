// inp (shape), mask (any shape broadcasting to `shape`; nonzero = fill), out (shape)

/// Masked fill and its backward.
public enum MaskedFillKernels {
    /// out = mask ≠ 0 ? value : inp, the mask broadcast (numpy rules) to `shape`.
    public static func maskedFill(_ inp: UnsafePointer<Float>, shape: [Int], mask: UnsafePointer<Int32>, maskShape: [Int],
                                  value: Float, _ out: UnsafeMutablePointer<Float>) {
        precondition(Shape.broadcast(maskShape, shape) == shape, "maskedFill: mask \(maskShape) does not broadcast to \(shape)")
        let sx = Shape.strides(shape), sm = Shape.broadcastStrides(maskShape, to: shape)
        ElementwiseKernels.forEachBroadcast(shape, sx, sm) { o, _, im in out[o] = mask[im] != 0 ? value : inp[o] }
    }
}

extension Tensor {
    /// `value` where `mask` (broadcast to this shape) is nonzero, `self` elsewhere.
    public func maskedFill(_ mask: Int32Tensor, with value: Float, in ctx: ComputeContext = .serial) -> Tensor {
        var out = output(shape, ctx)
        withUnsafeBufferPointer { x in mask.scalars.withUnsafeBufferPointer { m in out.withUnsafeMutableBufferPointer { y in
            MaskedFillKernels.maskedFill(x.baseAddress!, shape: shape, mask: m.baseAddress!, maskShape: mask.shape,
                                         value: value, y.baseAddress!)
        } } }
        return out
    }
}
