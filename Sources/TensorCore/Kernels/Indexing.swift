// indexSelect: inp (O, V, I), ids (M) → out (O, M, I)  [embedding: table (V, C), ids (N) → (N, C)]
// gather (last axis): inp (N, V), index (N, K) → out (N, K); scatter-add is the backward of both.

/// Index-based reads and their scatter-add backward.
public enum IndexingKernels {
    /// out[o, m, i] = inp[o, ids[m], i]. - Precondition: every id in `0..<length`.
    public static func indexSelect(_ inp: UnsafePointer<Float>, outer: Int, length: Int, inner: Int,
                                   ids: UnsafePointer<Int32>, count m: Int, _ out: UnsafeMutablePointer<Float>) {
        for j in 0..<m {
            precondition(ids[j] >= 0 && Int(ids[j]) < length, "indexSelect: id \(ids[j]) outside 0..<\(length)")
        }
        for o in 0..<outer {
            for j in 0..<m {
                (out + (o * m + j) * inner).update(from: inp + (o * length + Int(ids[j])) * inner, count: inner)
            }
        }
    }

    /// dinp[o, ids[m], i] += dout[o, m, i], skipping id `skip` (an embedding's padding index).
    public static func indexAdd(_ dout: UnsafePointer<Float>, ids: UnsafePointer<Int32>, count m: Int,
                                _ dinp: UnsafeMutablePointer<Float>, outer: Int, length: Int, inner: Int,
                                skip: Int32? = nil) {
        for o in 0..<outer {
            for j in 0..<m where ids[j] != skip {
                ElementwiseKernels.accumulate(dout + (o * m + j) * inner,
                                              into: dinp + (o * length + Int(ids[j])) * inner, inner)
            }
        }
    }

    /// out[n, k] = inp[n, index[n, k]]. - Precondition: every index in `0..<v`.
    public static func gather(_ inp: UnsafePointer<Float>, rows: Int, v: Int,
                              index: UnsafePointer<Int32>, k: Int, _ out: UnsafeMutablePointer<Float>) {
        for n in 0..<rows {
            for j in 0..<k {
                let ix = Int(index[n * k + j])
                precondition(ix >= 0 && ix < v, "gather: index \(ix) outside 0..<\(v)")
                out[n * k + j] = inp[n * v + ix]
            }
        }
    }

    /// dinp[n, index[n, k]] += dout[n, k].
    public static func scatterAdd(_ dout: UnsafePointer<Float>, index: UnsafePointer<Int32>, rows: Int, k: Int,
                                  _ dinp: UnsafeMutablePointer<Float>, v: Int) {
        for n in 0..<rows {
            for j in 0..<k { dinp[n * v + Int(index[n * k + j])] += dout[n * k + j] }
        }
    }
}

extension Tensor {
    /// Rows of `self` picked along `axis` by `ids`: shape `shape[..<axis] + ids.shape + shape[(axis+1)...]`.
    public func indexSelect(axis: Int, _ ids: Int32Tensor, in ctx: ComputeContext = .serial) -> Tensor {
        let a = Shape.axis(axis, rank: rank)
        let (o, l, i) = Shape.split(shape, axis: a)
        var out = output(Array(shape[..<a]) + ids.shape + Array(shape[(a + 1)...]), ctx)
        withUnsafeBufferPointer { x in ids.scalars.withUnsafeBufferPointer { id in out.withUnsafeMutableBufferPointer { y in
            IndexingKernels.indexSelect(x.baseAddress!, outer: o, length: l, inner: i,
                                        ids: id.baseAddress!, count: ids.count, y.baseAddress!)
        } } }
        return out
    }

    /// Embedding lookup: `self` is the table (V, C), `ids` any shape → `ids.shape + [C]`.
    public func embedding(_ ids: Int32Tensor, in ctx: ComputeContext = .serial) -> Tensor {
        precondition(rank == 2, "embedding: table must be (V, C), got \(shape)")
        return indexSelect(axis: 0, ids, in: ctx)
    }

    /// Gather along the last axis: `self` (..., V), `index` (..., K) with equal leading axes → (..., K).
    public func gather(lastAxis index: Int32Tensor, in ctx: ComputeContext = .serial) -> Tensor {
        precondition(rank >= 1 && index.rank == rank && Array(index.shape.dropLast()) == Array(shape.dropLast()),
                     "gather: index shape \(index.shape) does not match \(shape) on the leading axes")
        let v = shape[rank - 1], k = index.shape[rank - 1]
        var out = output(index.shape, ctx)
        withUnsafeBufferPointer { x in index.scalars.withUnsafeBufferPointer { ix in out.withUnsafeMutableBufferPointer { y in
            IndexingKernels.gather(x.baseAddress!, rows: count / Swift.max(v, 1), v: v, index: ix.baseAddress!, k: k, y.baseAddress!)
        } } }
        return out
    }
}

extension Tensor {
    /// Scatter-add along `axis`: `self[..., ids[m], ...] += source[..., m, ...]` where `source` has
    /// `self`'s shape with `axis` replaced by `ids.shape` (the backward of `indexSelect`). Entries equal
    /// to `skip` are left out.
    public mutating func indexAdd(axis: Int, _ ids: Int32Tensor, _ source: Tensor, skip: Int32? = nil) {
        let a = Shape.axis(axis, rank: rank)
        precondition(source.shape == Array(shape[..<a]) + ids.shape + Array(shape[(a + 1)...]),
                     "indexAdd: source \(source.shape) does not match \(shape) with axis \(a) indexed by \(ids.shape)")
        for id in ids.scalars { precondition(id >= 0 && Int(id) < shape[a], "indexAdd: id \(id) outside 0..<\(shape[a])") }
        let (o, l, i) = Shape.split(shape, axis: a)
        source.withUnsafeBufferPointer { s in ids.scalars.withUnsafeBufferPointer { ip in withUnsafeMutableBufferPointer { d in
            IndexingKernels.indexAdd(s.baseAddress!, ids: ip.baseAddress!, count: ids.count, d.baseAddress!,
                                     outer: o, length: l, inner: i, skip: skip)
        } } }
    }

    /// Scatter-add along the last axis: `self[n, index[n, k]] += source[n, k]` (the backward of `gather`).
    public mutating func scatterAdd(lastAxis index: Int32Tensor, _ source: Tensor) {
        precondition(index.shape == source.shape && index.rank == rank && Array(index.shape.dropLast()) == Array(shape.dropLast()),
                     "scatterAdd: index \(index.shape), source \(source.shape) and \(shape) disagree")
        let v = shape[rank - 1], k = index.shape[rank - 1]
        for ix in index.scalars { precondition(ix >= 0 && Int(ix) < v, "scatterAdd: index \(ix) outside 0..<\(v)") }
        let rows = count / Swift.max(v, 1)
        source.withUnsafeBufferPointer { s in index.scalars.withUnsafeBufferPointer { ip in withUnsafeMutableBufferPointer { d in
            IndexingKernels.scatterAdd(s.baseAddress!, index: ip.baseAddress!, rows: rows, k: k, d.baseAddress!, v: v)
        } } }
    }
}
