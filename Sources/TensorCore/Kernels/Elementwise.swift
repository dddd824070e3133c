// a (shapeA), b (shapeB) broadcast (numpy rules) → out (broadcast shape); fast paths: equal shapes,
// b a trailing-dims row (or scalar) of a, and the mirror case; anything else goes through strides.

/// The four broadcasting binary operations.
public enum BinaryOperation: Sendable, Equatable {
    case add, sub, mul, div
}

/// Elementwise kernels (SIMD16) writing into caller-provided buffers.
public enum ElementwiseKernels {
    typealias V = SIMD16<Float>

    /// out = a ∘ b with broadcasting. `out` holds `Shape.broadcast(aShape, bShape)` elements.
    public static func binary(_ op: BinaryOperation,
                              _ a: UnsafePointer<Float>, _ aShape: [Int],
                              _ b: UnsafePointer<Float>, _ bShape: [Int],
                              _ out: UnsafeMutablePointer<Float>, ctx: ComputeContext = .serial) {
        switch op {
        case .add: binary(a, aShape, b, bShape, out, ctx, { $0 + $1 }, { $0 + $1 })
        case .sub: binary(a, aShape, b, bShape, out, ctx, { $0 - $1 }, { $0 - $1 })
        case .mul: binary(a, aShape, b, bShape, out, ctx, { $0 * $1 }, { $0 * $1 })
        case .div: binary(a, aShape, b, bShape, out, ctx, { $0 / $1 }, { $0 / $1 })
        }
    }

    /// True when `small` (after dropping leading 1s) equals the trailing dimensions of `big`.
    static func isTrailing(_ small: [Int], of big: [Int]) -> Bool {
        let s = Array(small.drop(while: { $0 == 1 }))
        return s.count <= big.count && Array(big.suffix(s.count)) == s
    }

    @inline(__always)
    static func binary(_ a: UnsafePointer<Float>, _ aShape: [Int], _ b: UnsafePointer<Float>, _ bShape: [Int],
                       _ out: UnsafeMutablePointer<Float>, _ ctx: ComputeContext,
                       _ fv: (V, V) -> V, _ fs: (Float, Float) -> Float) {
        guard let outShape = Shape.broadcast(aShape, bShape) else {
            preconditionFailure("cannot broadcast shapes \(aShape) and \(bShape)")
        }
        let n = Shape.count(outShape), na = Shape.count(aShape), nb = Shape.count(bShape)
        let grain = 1 << 15
        if aShape == bShape {
            ctx.parallelFor(n, grain: grain) { r in zipSIMD(a + r.lowerBound, b + r.lowerBound, out + r.lowerBound, r.count, fv) }
        } else if na == n && nb == 1 {
            let s = V(repeating: b[0])
            ctx.parallelFor(n, grain: grain) { r in mapSIMD(a + r.lowerBound, out + r.lowerBound, r.count) { fv($0, s) } }
        } else if nb == n && na == 1 {
            let s = V(repeating: a[0])
            ctx.parallelFor(n, grain: grain) { r in mapSIMD(b + r.lowerBound, out + r.lowerBound, r.count) { fv(s, $0) } }
        } else if na == n && isTrailing(bShape, of: aShape) {
            ctx.parallelFor(n / nb, grain: max(1, grain / nb)) { rows in
                for row in rows { zipSIMD(a + row * nb, b, out + row * nb, nb, fv) }
            }
        } else if nb == n && isTrailing(aShape, of: bShape) {
            ctx.parallelFor(n / na, grain: max(1, grain / na)) { rows in
                for row in rows { zipSIMD(a, b + row * na, out + row * na, na, fv) }
            }
        } else {
            let sa = Shape.broadcastStrides(aShape, to: outShape), sb = Shape.broadcastStrides(bShape, to: outShape)
            forEachBroadcast(outShape, sa, sb) { o, ia, ib in out[o] = fs(a[ia], b[ib]) }
        }
    }

    /// Visits every element of `outShape` in row-major order with its offsets under strides `sa`, `sb`.
    @inline(__always)
    static func forEachBroadcast(_ outShape: [Int], _ sa: [Int], _ sb: [Int], _ body: (Int, Int, Int) -> Void) {
        let rank = outShape.count
        let n = Shape.count(outShape)
        if n == 0 { return }
        if rank == 0 { body(0, 0, 0); return }
        var index = [Int](repeating: 0, count: rank)
        var ia = 0, ib = 0
        let last = outShape[rank - 1], la = sa[rank - 1], lb = sb[rank - 1]
        var o = 0
        while o < n {
            for j in 0..<last { body(o + j, ia + j * la, ib + j * lb) }
            o += last
            var d = rank - 2
            while d >= 0 {
                index[d] += 1; ia += sa[d]; ib += sb[d]
                if index[d] < outShape[d] { break }
                ia -= sa[d] * outShape[d]; ib -= sb[d] * outShape[d]; index[d] = 0
                d -= 1
            }
        }
    }

    /// out = alpha · x + beta (`n` elements; in place when `out == x`).
    public static func affine(_ x: UnsafePointer<Float>, alpha: Float, beta: Float = 0,
                              _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        let va = V(repeating: alpha), vb = V(repeating: beta)
        mapSIMD(x, out, n) { $0 * va + vb }
    }

    /// acc += x (`n` elements): gradient accumulation.
    public static func accumulate(_ x: UnsafePointer<Float>, into acc: UnsafeMutablePointer<Float>, _ n: Int) {
        zipSIMD(acc, x, acc, n) { $0 + $1 }
    }

    /// out (targetShape) = sum of `x` (broadcast shape `shape`) over the axes that broadcasting added:
    /// the backward of a broadcast. `targetShape` must broadcast to `shape`.
    public static func sumToShape(_ x: UnsafePointer<Float>, _ shape: [Int],
                                  _ out: UnsafeMutablePointer<Float>, _ targetShape: [Int]) {
        precondition(Shape.broadcast(targetShape, shape) == shape, "sumToShape: \(targetShape) does not broadcast to \(shape)")
        let n = Shape.count(shape), nt = Shape.count(targetShape)
        if nt == n { out.update(from: x, count: n); return }
        if nt == 1 { out[0] = sumSIMD(x, n); return }
        out.initialize(repeating: 0, count: nt)
        if isTrailing(targetShape, of: shape) {
            for row in 0..<(n / nt) { zipSIMD(out, x + row * nt, out, nt) { $0 + $1 } }
            return
        }
        let st = Shape.broadcastStrides(targetShape, to: shape)
        forEachBroadcast(shape, st, st) { o, it, _ in out[it] += x[o] }
    }
}

extension Tensor {
    /// Broadcasting binary operation (numpy rules). - Precondition: the shapes broadcast.
    public func elementwise(_ op: BinaryOperation, _ other: Tensor, in ctx: ComputeContext = .serial) -> Tensor {
        guard let outShape = Shape.broadcast(shape, other.shape) else {
            preconditionFailure("\(op): cannot broadcast shapes \(shape) and \(other.shape)")
        }
        var out = output(outShape, ctx)
        withUnsafeBufferPointer { a in other.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { o in
            ElementwiseKernels.binary(op, a.baseAddress!, shape, b.baseAddress!, other.shape, o.baseAddress!, ctx: ctx)
        } } }
        return out
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor { a.elementwise(.add, b) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { a.elementwise(.sub, b) }
    public static func * (a: Tensor, b: Tensor) -> Tensor { a.elementwise(.mul, b) }
    public static func / (a: Tensor, b: Tensor) -> Tensor { a.elementwise(.div, b) }

    /// alpha · self + beta.
    public func affine(_ alpha: Float, _ beta: Float = 0, in ctx: ComputeContext = .serial) -> Tensor {
        var out = output(shape, ctx)
        withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { o in
            ElementwiseKernels.affine(x.baseAddress!, alpha: alpha, beta: beta, o.baseAddress!, count)
        } }
        return out
    }

    public static func * (a: Tensor, s: Float) -> Tensor { a.affine(s) }
    public static prefix func - (a: Tensor) -> Tensor { a.affine(-1) }

    /// self += other (equal shapes), in place.
    public mutating func accumulate(_ other: Tensor) {
        precondition(shape == other.shape, "accumulate: shapes differ: \(shape) and \(other.shape)")
        let n = count
        other.withUnsafeBufferPointer { x in withUnsafeMutableBufferPointer { acc in
            ElementwiseKernels.accumulate(x.baseAddress!, into: acc.baseAddress!, n)
        } }
    }

    /// The sum of `self` over the axes broadcasting added to reach `self.shape` from `targetShape`.
    /// Returns `self` (no copy) when the shapes are equal.
    public func summed(toShape targetShape: [Int], in ctx: ComputeContext = .serial) -> Tensor {
        if targetShape == shape { return self }
        var out = output(targetShape, ctx)
        withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { o in
            ElementwiseKernels.sumToShape(x.baseAddress!, shape, o.baseAddress!, targetShape)
        } }
        return out
    }
}
