// Every derivative rule of the engine, keyed by `Op`. G is the output gradient; each rule returns one
// gradient per input (nil where `needs` is false or the input is not differentiable).
//
// `gradients(of:)` is one long switch on purpose: it is the one table of derivative rules, one case
// per op, so that every rule can be read (and checked against the op harness) in one place.
import TensorCore

/// A recorded operation with what its backward needs besides the inputs and the output.
enum Op {
    case matmul(transposeA: Bool, transposeB: Bool)
    case batchedMatmul(transposeA: Bool, transposeB: Bool)
    case binary(BinaryOperation)
    case affine(alpha: Float)
    case sum(axis: Int), mean(axis: Int)               // axis of the input; output may keep it or not
    case sumAll, meanAll
    case max(axis: Int, argmax: Int32Tensor)
    case softmax, logSoftmax
    case layerNorm(mean: Tensor, rstd: Tensor, hasWeight: Bool, hasBias: Bool)
    case rmsNorm(rstd: Tensor, hasWeight: Bool)
    case activation(Activation)
    case glu(axis: Int)
    case dropout(mask: Tensor)
    case indexSelect(axis: Int, ids: Int32Tensor, skip: Int32?)
    case gather(index: Int32Tensor)
    case concat(axis: Int)
    case slice(axis: Int, start: Int)
    case permute([Int])
    case reshape
    case maskedFill(mask: Int32Tensor)
    case conv1d(stride: Int, padding: Int, hasBias: Bool)
    case rope(positions: [Int32], base: Float)
    case attention(AttentionRecord)
    case labelSmoothedCrossEntropy(targets: Int32Tensor, epsilon: Float, ignoreIndex: Int32?)
    case ctc(gradient: Tensor, perSequence: Bool, layout: CTCLoss.Layout)
}

enum Derivatives {
    static func gradients(of op: Op, inputs x: [Tensor], output y: Tensor, outputGrad g: Tensor,
                          needs: [Bool], ctx: ComputeContext) -> [Tensor?] {
        switch op {
        case let .matmul(ta, tb):
            // Y = op(A)·op(B) with A folded to a matrix: dA = G·op(B)ᵀ (or op(B)·Gᵀ when A is transposed),
            // dB = op(A)ᵀ·G (or Gᵀ·op(A) when B is transposed).
            let a = ta ? x[0] : x[0].reshaped([-1, x[0].shape.last!])
            let g2 = g.reshaped([-1, g.shape.last!])
            let da: Tensor? = needs[0] ? (ta ? x[1].matmul(g2, transposeA: tb, transposeB: true, in: ctx)
                                             : g2.matmul(x[1], transposeB: !tb, in: ctx).reshaped(x[0].shape)) : nil
            let db: Tensor? = needs[1] ? (tb ? g2.matmul(a, transposeA: true, transposeB: ta, in: ctx)
                                             : a.matmul(g2, transposeA: !ta, in: ctx)) : nil
            return [da, db]

        case let .batchedMatmul(ta, tb):
            let da: Tensor? = needs[0] ? (ta ? x[1].batchedMatmul(g, transposeA: tb, transposeB: true, in: ctx)
                                             : g.batchedMatmul(x[1], transposeB: !tb, in: ctx)) : nil
            let db: Tensor? = needs[1] ? (tb ? g.batchedMatmul(x[0], transposeA: true, transposeB: ta, in: ctx)
                                             : x[0].batchedMatmul(g, transposeA: !ta, in: ctx)) : nil
            return [da, db]

        case let .binary(kind):
            // Broadcast inputs get G summed over the broadcast axes.
            let (sa, sb) = (x[0].shape, x[1].shape)
            switch kind {
            case .add: return [needs[0] ? g.summed(toShape: sa, in: ctx) : nil, needs[1] ? g.summed(toShape: sb, in: ctx) : nil]
            case .sub: return [needs[0] ? g.summed(toShape: sa, in: ctx) : nil,
                               needs[1] ? g.affine(-1, in: ctx).summed(toShape: sb, in: ctx) : nil]
            case .mul: return [needs[0] ? g.elementwise(.mul, x[1], in: ctx).summed(toShape: sa, in: ctx) : nil,
                               needs[1] ? g.elementwise(.mul, x[0], in: ctx).summed(toShape: sb, in: ctx) : nil]
            case .div: return [needs[0] ? g.elementwise(.div, x[1], in: ctx).summed(toShape: sa, in: ctx) : nil,   // d(a/b)/db = −y/b
                               needs[1] ? g.elementwise(.mul, y, in: ctx).elementwise(.div, x[1], in: ctx).affine(-1, in: ctx)
                                              .summed(toShape: sb, in: ctx) : nil]
            }

        case let .affine(alpha):
            return [g.affine(alpha, in: ctx)]

        case let .sum(axis), let .mean(axis):
            let (o, l, i) = Shape.split(x[0].shape, axis: axis)
            var scale: Float = 1
            if case .mean = op { scale = 1 / Float(l) }
            var dx = Tensor(uninitializedShape: x[0].shape, in: ctx)
            g.withUnsafeBufferPointer { gp in dx.withUnsafeMutableBufferPointer { d in
                ReductionKernels.expand(gp.baseAddress!, outer: o, length: l, inner: i, scale: scale, d.baseAddress!)
            } }
            return [dx]

        case .sumAll:
            return [Tensor(shape: x[0].shape, repeating: g.item, in: ctx)]

        case .meanAll:
            return [Tensor(shape: x[0].shape, repeating: g.item / Float(x[0].count), in: ctx)]

        case let .max(axis, argmax):
            // G goes to the (first) maximal element of each reduced line.
            let (o, l, i) = Shape.split(x[0].shape, axis: axis)
            var dx = Tensor(zeros: x[0].shape, in: ctx)
            g.withUnsafeBufferPointer { gp in dx.withUnsafeMutableBufferPointer { d in
                for oi in 0..<o { for ii in 0..<i {
                    d[(oi * l + Int(argmax.scalars[oi * i + ii])) * i + ii] = gp[oi * i + ii]
                } }
            } }
            return [dx]

        case .softmax, .logSoftmax:
            let cols = y.shape.last ?? 1, rows = y.count / Swift.max(cols, 1)
            var dx = Tensor(uninitializedShape: y.shape, in: ctx)
            y.withUnsafeBufferPointer { yp in g.withUnsafeBufferPointer { gp in dx.withUnsafeMutableBufferPointer { d in
                if case .softmax = op {
                    SoftmaxKernels.softmaxBackward(yp.baseAddress!, gp.baseAddress!, d.baseAddress!, rows: rows, cols: cols, ctx: ctx)
                } else {
                    SoftmaxKernels.logSoftmaxBackward(yp.baseAddress!, gp.baseAddress!, d.baseAddress!, rows: rows, cols: cols, ctx: ctx)
                }
            } } }
            return [dx]

        case let .layerNorm(mean, rstd, hasWeight, hasBias):
            let cols = x[0].shape.last!, rows = x[0].count / cols
            var dx: Tensor? = needs[0] ? Tensor(uninitializedShape: x[0].shape, in: ctx) : nil
            var dw: Tensor? = hasWeight && needs[1] ? Tensor(zeros: [cols], in: ctx) : nil
            var db: Tensor? = hasBias && needs[hasWeight ? 2 : 1] ? Tensor(zeros: [cols], in: ctx) : nil
            let w: Tensor? = hasWeight ? x[1] : nil
            withOptionalPointers(w, &dx, &dw, &db) { wp, dxp, dwp, dbp in
                x[0].withUnsafeBufferPointer { xp in g.withUnsafeBufferPointer { gp in
                    mean.withUnsafeBufferPointer { mp in rstd.withUnsafeBufferPointer { rp in
                        NormalizationKernels.layerNormBackward(xp.baseAddress!, weight: wp, mean: mp.baseAddress!,
                                                               rstd: rp.baseAddress!, gp.baseAddress!, dinp: dxp,
                                                               dweight: dwp, dbias: dbp, rows: rows, cols: cols, ctx: ctx)
                    } } } }
            }
            return [dx] + (hasWeight ? [dw] : []) + (hasBias ? [db] : [])

        case let .rmsNorm(rstd, hasWeight):
            let cols = x[0].shape.last!, rows = x[0].count / cols
            var dx: Tensor? = needs[0] ? Tensor(uninitializedShape: x[0].shape, in: ctx) : nil
            var dw: Tensor? = hasWeight && needs[1] ? Tensor(zeros: [cols], in: ctx) : nil
            var unused: Tensor? = nil
            withOptionalPointers(hasWeight ? x[1] : nil, &dx, &dw, &unused) { wp, dxp, dwp, _ in
                x[0].withUnsafeBufferPointer { xp in g.withUnsafeBufferPointer { gp in rstd.withUnsafeBufferPointer { rp in
                    NormalizationKernels.rmsNormBackward(xp.baseAddress!, weight: wp, rstd: rp.baseAddress!,
                                                         gp.baseAddress!, dinp: dxp, dweight: dwp, rows: rows, cols: cols, ctx: ctx)
                } } }
            }
            return [dx] + (hasWeight ? [dw] : [])

        case let .activation(f):
            var dx = Tensor(uninitializedShape: x[0].shape, in: ctx)
            x[0].withUnsafeBufferPointer { xp in g.withUnsafeBufferPointer { gp in dx.withUnsafeMutableBufferPointer { d in
                ActivationKernels.backward(f, xp.baseAddress!, gp.baseAddress!, d.baseAddress!, x[0].count, ctx: ctx)
            } } }
            return [dx]

        case let .glu(axis):
            let (o, l, i) = Shape.split(x[0].shape, axis: axis)
            var dx = Tensor(uninitializedShape: x[0].shape, in: ctx)
            x[0].withUnsafeBufferPointer { xp in g.withUnsafeBufferPointer { gp in dx.withUnsafeMutableBufferPointer { d in
                ActivationKernels.gluBackward(xp.baseAddress!, gp.baseAddress!, d.baseAddress!, outer: o, half: l / 2, inner: i)
            } } }
            return [dx]

        case let .dropout(mask):
            return [g.elementwise(.mul, mask, in: ctx)]

        case let .indexSelect(axis, ids, skip):
            // Scatter-add of G's rows back to the rows they were read from.
            let (o, l, i) = Shape.split(x[0].shape, axis: axis)
            var dx = Tensor(zeros: x[0].shape, in: ctx)
            g.withUnsafeBufferPointer { gp in ids.scalars.withUnsafeBufferPointer { ip in dx.withUnsafeMutableBufferPointer { d in
                IndexingKernels.indexAdd(gp.baseAddress!, ids: ip.baseAddress!, count: ids.count, d.baseAddress!,
                                         outer: o, length: l, inner: i, skip: skip)
            } } }
            return [dx]

        case let .gather(index):
            let v = x[0].shape.last!, k = index.shape.last!
            var dx = Tensor(zeros: x[0].shape, in: ctx)
            g.withUnsafeBufferPointer { gp in index.scalars.withUnsafeBufferPointer { ip in dx.withUnsafeMutableBufferPointer { d in
                IndexingKernels.scatterAdd(gp.baseAddress!, index: ip.baseAddress!, rows: x[0].count / v, k: k, d.baseAddress!, v: v)
            } } }
            return [dx]

        case let .concat(axis):
            var start = 0
            return x.enumerated().map { j, part in
                defer { start += part.shape[axis] }
                return needs[j] ? g.slice(axis: axis, start: start, length: part.shape[axis]) : nil
            }

        case let .slice(axis, start):
            let (o, l, i) = Shape.split(x[0].shape, axis: axis)
            let len = g.shape[axis]
            var dx = Tensor(zeros: x[0].shape, in: ctx)
            g.withUnsafeBufferPointer { gp in dx.withUnsafeMutableBufferPointer { d in
                ShapeKernels.copyWindow(gp.baseAddress!, srcLength: len, srcStart: 0, d.baseAddress!, dstLength: l,
                                        dstStart: start, outer: o, length: len, inner: i)
            } }
            return [dx]

        case let .permute(perm):
            var inverse = [Int](repeating: 0, count: perm.count)
            for (j, p) in perm.enumerated() { inverse[p] = j }
            return [g.permuted(inverse)]

        case .reshape:
            return [g.reshaped(x[0].shape)]

        case let .maskedFill(mask):
            return [g.maskedFill(mask, with: 0)]

        case let .conv1d(stride, padding, hasBias):
            let (b, cin, t) = (x[0].shape[0], x[0].shape[1], x[0].shape[2])
            let (cout, k) = (x[1].shape[0], x[1].shape[2])
            let tout = g.shape[2]
            var dx: Tensor? = needs[0] ? Tensor(uninitializedShape: x[0].shape, in: ctx) : nil
            var dw: Tensor? = needs[1] ? Tensor(zeros: x[1].shape, in: ctx) : nil
            var db: Tensor? = hasBias && needs[2] ? Tensor(zeros: [cout], in: ctx) : nil
            // cols and dcols from the context's buffer cache (reused every step: no fresh pages).
            var workspace = Tensor(uninitializedShape: [Swift.max(1, 2 * cin * k * tout)], in: ctx)
            workspace.withUnsafeMutableBufferPointer { ws in
                let work = ws.baseAddress!
                withOptionalPointers(nil, &dx, &dw, &db) { _, dxp, dwp, dbp in
                    x[0].withUnsafeBufferPointer { xp in x[1].withUnsafeBufferPointer { wp in g.withUnsafeBufferPointer { gp in
                        Conv1dKernels.backward(xp.baseAddress!, weight: wp.baseAddress!, gp.baseAddress!, dinp: dxp,
                                               dweight: dwp, dbias: dbp, batch: b, cin: cin, cout: cout, t: t, kernel: k,
                                               stride: stride, padding: padding, cols: work, dcols: work + cin * k * tout, ctx: ctx)
                    } } }
                }
            }
            return [dx, dw] + (hasBias ? [db] : [])

        case let .rope(positions, base):
            // A rotation's adjoint is the rotation by the opposite angle.
            return [g.rotaryEmbedding(positions: positions, base: base, inverse: true)]

        case let .attention(r):
            // FlashAttention-2 backward: score tiles recomputed from q, k and the saved log-sum-exp.
            // The kernel writes all three gradients (a GQA kv head sums its group's contributions).
            var (dq, dk, dv) = (Tensor(uninitializedShape: x[0].shape, in: ctx), Tensor(uninitializedShape: x[1].shape, in: ctx),
                                Tensor(uninitializedShape: x[2].shape, in: ctx))
            var workspace = Tensor(uninitializedShape: [FusedAttention.backwardWorkspaceCount(threads: ctx.threads)], in: ctx)
            r.withMask { mask in
                x[0].withUnsafeBufferPointer { qp in x[1].withUnsafeBufferPointer { kp in x[2].withUnsafeBufferPointer { vp in
                    y.withUnsafeBufferPointer { op in r.logSumExp.withUnsafeBufferPointer { lp in g.withUnsafeBufferPointer { gp in
                        dq.withUnsafeMutableBufferPointer { dqp in dk.withUnsafeMutableBufferPointer { dkp in
                            dv.withUnsafeMutableBufferPointer { dvp in workspace.withUnsafeMutableBufferPointer { wp in
                                FusedAttention.backward(q: qp.baseAddress!, k: kp.baseAddress!, v: vp.baseAddress!,
                                                        out: op.baseAddress!, logSumExp: lp.baseAddress!, dOut: gp.baseAddress!,
                                                        shape: r.shape, layout: r.layout, scale: r.scale, mask: mask,
                                                        dQ: dqp.baseAddress!, dK: dkp.baseAddress!, dV: dvp.baseAddress!,
                                                        workspace: wp.baseAddress!, threads: ctx.threads)
                            } }
                        } }
                    } } }
                } } }
            }
            return [needs[0] ? dq : nil, needs[1] ? dk : nil, needs[2] ? dv : nil]

        case let .labelSmoothedCrossEntropy(targets, epsilon, ignoreIndex):
            // d loss/d logits = G·(softmax − eps_i − (1 − ε − eps_i)·onehot(target)), recomputed from the logits.
            let v = x[0].shape.last!, n = x[0].count / v
            var dx = Tensor(uninitializedShape: x[0].shape, in: ctx)
            x[0].withUnsafeBufferPointer { lp in targets.scalars.withUnsafeBufferPointer { tp in dx.withUnsafeMutableBufferPointer { d in
                _ = LabelSmoothedCrossEntropy.fromLogits(logits: lp.baseAddress!, targets: tp.baseAddress!, rows: n, vocab: v,
                                                         epsilon: epsilon, ignoreIndex: ignoreIndex, gradLoss: g.item,
                                                         gradLogits: d.baseAddress!, threads: ctx.threads)
            } } }
            return [dx]

        case let .ctc(gradient, perSequence, layout):
            // The forward pass stored d(Σ_n w_n·loss_n)/d logits with w_n the reduction weights for G = 1;
            // a reduced loss scales it by G, per-sequence losses scale sequence n's rows by G_n.
            guard perSequence else { return [gradient.affine(g.item)] }
            let s = x[0].shape, c = s[2]
            var dx = gradient
            g.withUnsafeBufferPointer { gp in dx.withUnsafeMutableBufferPointer { d in
                for row in 0..<(s[0] * s[1]) {
                    let w = gp[layout == .timeMajor ? row % s[1] : row / s[1]]
                    for j in 0..<c { d[row * c + j] *= w }
                }
            } }
            return [dx]
        }
    }

    /// Pointers into an optional read-only tensor and three optional gradient buffers.
    private static func withOptionalPointers(
        _ w: Tensor?, _ a: inout Tensor?, _ b: inout Tensor?, _ c: inout Tensor?,
        _ body: (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?) -> Void
    ) {
        func mut(_ t: inout Tensor?, _ next: (UnsafeMutablePointer<Float>?) -> Void) {
            if t == nil { next(nil) } else { t!.withUnsafeMutableBufferPointer { next($0.baseAddress!) } }
        }
        func read(_ next: (UnsafePointer<Float>?) -> Void) {
            if let w { w.withUnsafeBufferPointer { next($0.baseAddress!) } } else { next(nil) }
        }
        read { wp in mut(&a) { ap in mut(&b) { bp in mut(&c) { cp in body(wp, ap, bp, cp) } } } }
    }
}
