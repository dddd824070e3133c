// The differentiable operations: each computes its forward with a TensorCore kernel and records the
// `Op` whose rule in Derivatives.swift gives its backward. Shapes as in the TensorCore wrappers.
import TensorCore

extension Tape {
    // MARK: Linear algebra

    /// `a` (..., M, K) [(K, M) when `transposeA`] · `b` (K, N) [(N, K) when `transposeB`] → (..., M, N).
    public func matmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
        record(.matmul(transposeA: transposeA, transposeB: transposeB), [a, b],
               a.value.matmul(b.value, transposeA: transposeA, transposeB: transposeB, in: context))
    }

    /// Batched product over equal leading axes: (..., M, K) · (..., K, N) → (..., M, N) (transposes as flags).
    public func batchedMatmul(_ a: Variable, _ b: Variable, transposeA: Bool = false, transposeB: Bool = false) -> Variable {
        record(.batchedMatmul(transposeA: transposeA, transposeB: transposeB), [a, b],
               a.value.batchedMatmul(b.value, transposeA: transposeA, transposeB: transposeB, in: context))
    }

    /// PyTorch's `linear`: `x` (..., C) · `weight` (OC, C)ᵀ + `bias` (OC) → (..., OC).
    public func linear(_ x: Variable, weight: Variable, bias: Variable?) -> Variable {
        let y = matmul(x, weight, transposeB: true)
        return bias.map { add(y, $0) } ?? y
    }

    // MARK: Elementwise (numpy broadcasting)

    public func add(_ a: Variable, _ b: Variable) -> Variable { binary(.add, a, b) }
    public func sub(_ a: Variable, _ b: Variable) -> Variable { binary(.sub, a, b) }
    public func mul(_ a: Variable, _ b: Variable) -> Variable { binary(.mul, a, b) }
    public func div(_ a: Variable, _ b: Variable) -> Variable { binary(.div, a, b) }

    func binary(_ kind: BinaryOperation, _ a: Variable, _ b: Variable) -> Variable {
        record(.binary(kind), [a, b], a.value.elementwise(kind, b.value, in: context))
    }

    /// alpha · x + beta.
    public func affine(_ x: Variable, _ alpha: Float, _ beta: Float = 0) -> Variable {
        record(.affine(alpha: alpha), [x], x.value.affine(alpha, beta, in: context))
    }

    // MARK: Reductions

    public func sum(_ x: Variable, axis: Int, keepingDimension keep: Bool = false) -> Variable {
        record(.sum(axis: Shape.axis(axis, rank: x.value.rank)), [x], x.value.sum(axis: axis, keepingDimension: keep, in: context))
    }

    public func mean(_ x: Variable, axis: Int, keepingDimension keep: Bool = false) -> Variable {
        record(.mean(axis: Shape.axis(axis, rank: x.value.rank)), [x], x.value.mean(axis: axis, keepingDimension: keep, in: context))
    }

    /// Sum of all elements (a scalar).
    public func sum(_ x: Variable) -> Variable { record(.sumAll, [x], x.value.sum()) }

    /// Mean of all elements (a scalar).
    public func mean(_ x: Variable) -> Variable { record(.meanAll, [x], x.value.mean()) }

    public func max(_ x: Variable, axis: Int, keepingDimension keep: Bool = false) -> Variable {
        let (values, indices) = x.value.max(axis: axis, keepingDimension: keep, in: context)
        return record(.max(axis: Shape.axis(axis, rank: x.value.rank), argmax: indices), [x], values)
    }

    // MARK: Softmax and normalisation (last axis)

    public func softmax(_ x: Variable) -> Variable { record(.softmax, [x], x.value.softmax(in: context)) }
    public func logSoftmax(_ x: Variable) -> Variable { record(.logSoftmax, [x], x.value.logSoftmax(in: context)) }

    /// Layer norm over the last axis C; `weight`, `bias` (C) optional.
    public func layerNorm(_ x: Variable, weight: Variable?, bias: Variable?, eps: Float = 1e-5) -> Variable {
        let inputs = [x] + [weight, bias].compactMap { $0 }
        let cols = x.shape.last!, rows = x.value.count / cols
        precondition(weight.map { $0.shape == [cols] } ?? true && bias.map { $0.shape == [cols] } ?? true,
                     "layerNorm: weight/bias must be [\(cols)] for input \(x.shape)")
        var out = Tensor(uninitializedShape: x.shape, in: context)
        // Row statistics are allocated only when the op is recorded (nothing for backward otherwise).
        var mean: Tensor? = isRecording(inputs) ? Tensor(uninitializedShape: [rows], in: context) : nil, rstd = mean
        x.value.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { yp in
            withMutablePointer(&mean) { mp in withMutablePointer(&rstd) { rp in
                withPointer(weight?.value) { wp in withPointer(bias?.value) { bp in
                    NormalizationKernels.layerNorm(xp.baseAddress!, weight: wp, bias: bp, yp.baseAddress!, rows: rows,
                                                   cols: cols, eps: eps, mean: mp, rstd: rp, ctx: context)
                } }
            } } } }
        guard let mean, let rstd else { return Variable(result: out, requiresGrad: false) }
        return record(.layerNorm(mean: mean, rstd: rstd, hasWeight: weight != nil, hasBias: bias != nil), inputs, out)
    }

    /// RMS norm over the last axis C; `weight` (C) optional.
    public func rmsNorm(_ x: Variable, weight: Variable?, eps: Float = 1e-6) -> Variable {
        let inputs = [x] + [weight].compactMap { $0 }
        let cols = x.shape.last!, rows = x.value.count / cols
        precondition(weight.map { $0.shape == [cols] } ?? true, "rmsNorm: weight must be [\(cols)] for input \(x.shape)")
        var out = Tensor(uninitializedShape: x.shape, in: context)
        var rstd: Tensor? = isRecording(inputs) ? Tensor(uninitializedShape: [rows], in: context) : nil
        x.value.withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { yp in
            withMutablePointer(&rstd) { rp in withPointer(weight?.value) { wp in
                NormalizationKernels.rmsNorm(xp.baseAddress!, weight: wp, yp.baseAddress!, rows: rows, cols: cols,
                                             eps: eps, rstd: rp, ctx: context)
            } } } }
        guard let rstd else { return Variable(result: out, requiresGrad: false) }
        return record(.rmsNorm(rstd: rstd, hasWeight: weight != nil), inputs, out)
    }

    // MARK: Activations and dropout

    public func activation(_ x: Variable, _ f: Activation) -> Variable {
        record(.activation(f), [x], x.value.activated(f, in: context))
    }

    public func relu(_ x: Variable) -> Variable { activation(x, .relu) }

    /// GLU along `axis`: first half ⊙ σ(second half).
    public func glu(_ x: Variable, axis: Int = -1) -> Variable {
        record(.glu(axis: Shape.axis(axis, rank: x.value.rank)), [x], x.value.glu(axis: axis, in: context))
    }

    /// Inverted dropout with probability `p`, its mask a hash of one seed drawn from `generator` and the
    /// element index (identity, no draws, when p = 0); see `DropoutKernels`.
    /// Apply it only in training; the mask is kept only when recording.
    public func dropout<G: RandomNumberGenerator>(_ x: Variable, p: Float, using generator: inout G) -> Variable {
        if p == 0 { return x }
        guard isRecording([x]) else { return Variable(result: x.value.droppedOut(p: p, using: &generator, in: context), requiresGrad: false) }
        let (out, mask) = x.value.dropout(p: p, using: &generator, in: context)
        return record(.dropout(mask: mask), [x], out)
    }

    // MARK: Indexing

    /// Embedding lookup: `table` (V, C), `ids` any shape → ids.shape + [C]. The row `paddingIndex`
    /// receives no gradient (PyTorch's `padding_idx`).
    public func embedding(_ table: Variable, _ ids: Int32Tensor, paddingIndex: Int32? = nil) -> Variable {
        record(.indexSelect(axis: 0, ids: ids, skip: paddingIndex), [table], table.value.embedding(ids, in: context))
    }

    public func indexSelect(_ x: Variable, axis: Int, _ ids: Int32Tensor) -> Variable {
        record(.indexSelect(axis: Shape.axis(axis, rank: x.value.rank), ids: ids, skip: nil), [x],
               x.value.indexSelect(axis: axis, ids, in: context))
    }

    /// Gather along the last axis: `x` (..., V), `index` (..., K) → (..., K).
    public func gather(_ x: Variable, lastAxis index: Int32Tensor) -> Variable {
        record(.gather(index: index), [x], x.value.gather(lastAxis: index, in: context))
    }

    // MARK: Shape (materialised)

    public func concat(_ parts: [Variable], axis: Int) -> Variable {
        record(.concat(axis: Shape.axis(axis, rank: parts[0].value.rank)), parts,
               Tensor.concat(parts.map(\.value), axis: axis, in: context))
    }

    public func slice(_ x: Variable, axis: Int, start: Int, length: Int) -> Variable {
        record(.slice(axis: Shape.axis(axis, rank: x.value.rank), start: start), [x],
               x.value.slice(axis: axis, start: start, length: length, in: context))
    }

    public func split(_ x: Variable, axis: Int, sizes: [Int]) -> [Variable] {
        precondition(sizes.reduce(0, +) == x.shape[Shape.axis(axis, rank: x.value.rank)],
                     "split: sizes \(sizes) do not add up to axis \(axis) of \(x.shape)")
        var start = 0
        return sizes.map { n in defer { start += n }; return slice(x, axis: axis, start: start, length: n) }
    }

    public func permute(_ x: Variable, _ perm: [Int]) -> Variable {
        record(.permute(perm), [x], x.value.permuted(perm, in: context))
    }

    public func transpose(_ x: Variable, _ a: Int = -2, _ b: Int = -1) -> Variable {
        var perm = Array(0..<x.value.rank)
        perm.swapAt(Shape.axis(a, rank: x.value.rank), Shape.axis(b, rank: x.value.rank))
        return permute(x, perm)
    }

    /// Same elements, another shape (free: shares storage).
    public func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
        record(.reshape, [x], x.value.reshaped(shape))
    }

    // MARK: Masking, convolution, positions

    /// `value` where `mask` (broadcast to x's shape) is nonzero.
    public func maskedFill(_ x: Variable, _ mask: Int32Tensor, with value: Float) -> Variable {
        record(.maskedFill(mask: mask), [x], x.value.maskedFill(mask, with: value, in: context))
    }

    /// Conv1d: `x` (B, Cin, T), `weight` (Cout, Cin, K), `bias` (Cout) → (B, Cout, Tout).
    public func conv1d(_ x: Variable, weight: Variable, bias: Variable?, stride: Int = 1, padding: Int = 0) -> Variable {
        record(.conv1d(stride: stride, padding: padding, hasBias: bias != nil), [x, weight] + [bias].compactMap { $0 },
               x.value.conv1d(weight: weight.value, bias: bias?.value, stride: stride, padding: padding, in: context))
    }

    /// Interleaved-pair RoPE of `x` (B, T, H, D) or (B, T, D) at `positions` (T values).
    public func rope(_ x: Variable, positions: [Int32], base: Float = 10_000) -> Variable {
        record(.rope(positions: positions, base: base), [x], x.value.rotaryEmbedding(positions: positions, base: base, in: context))
    }
}

private func withMutablePointer<R>(_ t: inout Tensor?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    if t == nil { return body(nil) }
    return t!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}

private func withPointer<R>(_ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    if let t { return t.withUnsafeBufferPointer { body($0.baseAddress!) } }
    return body(nil)
}
