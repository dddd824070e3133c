// window copy: src (O, Ls, I) [Ls-window from srcStart] ↔ dst (O, Ld, I) [from dstStart], `length` wide;
// permute: src (d0, …, dR-1) → dst (d_perm[0], …, d_perm[R-1])

/// Materialising shape kernels: concat, split, slice (and its backward) and permute.
public enum ShapeKernels {
    /// dst[o, dstStart + l, i] = src[o, srcStart + l, i] for l < length (or += when `accumulate`).
    public static func copyWindow(_ src: UnsafePointer<Float>, srcLength: Int, srcStart: Int,
                                  _ dst: UnsafeMutablePointer<Float>, dstLength: Int, dstStart: Int,
                                  outer: Int, length: Int, inner: Int, accumulate: Bool = false) {
        let n = length * inner
        for o in 0..<outer {
            let s = src + (o * srcLength + srcStart) * inner, d = dst + (o * dstLength + dstStart) * inner
            if accumulate { ElementwiseKernels.accumulate(s, into: d, n) } else { d.update(from: s, count: n) }
        }
    }

    /// dst = src with its axes permuted: dst axis j is src axis `perm[j]`.
    public static func permute(_ src: UnsafePointer<Float>, shape: [Int], perm: [Int], _ dst: UnsafeMutablePointer<Float>) {
        let rank = shape.count
        precondition(perm.sorted() == Array(0..<rank), "permute: \(perm) is not a permutation of 0..<\(rank)")
        let n = Shape.count(shape)
        if n == 0 { return }
        if rank == 0 { dst[0] = src[0]; return }
        let srcStrides = Shape.strides(shape)
        let outShape = perm.map { shape[$0] }
        let st = perm.map { srcStrides[$0] }
        let last = outShape[rank - 1], ls = st[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var s = 0, o = 0
        while o < n {
            if ls == 1 { (dst + o).update(from: src + s, count: last) } else {
                for j in 0..<last { dst[o + j] = src[s + j * ls] }
            }
            o += last
            var d = rank - 2
            while d >= 0 {
                index[d] += 1; s += st[d]
                if index[d] < outShape[d] { break }
                s -= st[d] * outShape[d]; index[d] = 0
                d -= 1
            }
        }
    }
}

extension Tensor {
    /// Concatenation along `axis`; all other axes must agree.
    public static func concat(_ parts: [Tensor], axis: Int, in ctx: ComputeContext = .serial) -> Tensor {
        precondition(!parts.isEmpty, "concat: no tensors")
        let a = Shape.axis(axis, rank: parts[0].rank)
        var outShape = parts[0].shape
        outShape[a] = 0
        for p in parts {
            var s = p.shape
            s[a] = 0
            precondition(s == { var t = parts[0].shape; t[a] = 0; return t }(),
                         "concat: shapes \(parts.map(\.shape)) differ off axis \(a)")
            outShape[a] += p.shape[a]
        }
        let (o, total, i) = Shape.split(outShape, axis: a)
        var out = parts[0].output(outShape, ctx)
        var start = 0
        out.withUnsafeMutableBufferPointer { y in
            for p in parts {
                p.withUnsafeBufferPointer { x in
                    ShapeKernels.copyWindow(x.baseAddress!, srcLength: p.shape[a], srcStart: 0, y.baseAddress!,
                                            dstLength: total, dstStart: start, outer: o, length: p.shape[a], inner: i)
                }
                start += p.shape[a]
            }
        }
        return out
    }

    /// `length` entries of `axis` from `start`.
    public func slice(axis: Int, start: Int, length: Int, in ctx: ComputeContext = .serial) -> Tensor {
        let a = Shape.axis(axis, rank: rank)
        precondition(start >= 0 && length >= 0 && start + length <= shape[a],
                     "slice: \(start)..<\(start + length) outside axis \(a) of \(shape)")
        let (o, l, i) = Shape.split(shape, axis: a)
        var outShape = shape
        outShape[a] = length
        var out = output(outShape, ctx)
        withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
            ShapeKernels.copyWindow(x.baseAddress!, srcLength: l, srcStart: start, y.baseAddress!,
                                    dstLength: length, dstStart: 0, outer: o, length: length, inner: i)
        } }
        return out
    }

    /// Consecutive pieces of `axis` with the given sizes (which must add up to its length).
    public func split(axis: Int, sizes: [Int], in ctx: ComputeContext = .serial) -> [Tensor] {
        let a = Shape.axis(axis, rank: rank)
        precondition(sizes.reduce(0, +) == shape[a], "split: sizes \(sizes) do not add up to axis \(a) of \(shape)")
        var start = 0
        return sizes.map { n in defer { start += n }; return slice(axis: a, start: start, length: n, in: ctx) }
    }

    /// Axes permuted (materialised): result axis j is axis `perm[j]` of `self`.
    public func permuted(_ perm: [Int], in ctx: ComputeContext = .serial) -> Tensor {
        precondition(perm.count == rank, "permute: \(perm) for rank \(rank)")
        var out = output(perm.map { shape[$0] }, ctx)
        withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
            ShapeKernels.permute(x.baseAddress!, shape: shape, perm: perm, y.baseAddress!)
        } }
        return out
    }

    /// Two axes swapped (materialised).
    public func transposed(_ a: Int = -2, _ b: Int = -1, in ctx: ComputeContext = .serial) -> Tensor {
        var perm = Array(0..<rank)
        perm.swapAt(Shape.axis(a, rank: rank), Shape.axis(b, rank: rank))
        return permuted(perm, in: ctx)
    }
}
