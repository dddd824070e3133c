// Tape operations over the engine's raw-buffer kernels: fused scaled-dot-product attention,
// fairseq's label-smoothed cross-entropy from logits, and CTC. Their derivative rules are the
// `.attention`, `.labelSmoothedCrossEntropy` and `.ctc` cases in Derivatives.swift.
//
// Shapes (layout .headsMajor): q (B, Hq, Tq, Dk), k (B, Hkv, Tk, Dk), v (B, Hkv, Tk, Dv) → (B, Hq, Tq, Dv);
// (layout .sequenceMajor): q (B, Tq, Hq, Dk), k (B, Tk, Hkv, Dk), v (B, Tk, Hkv, Dv) → (B, Tq, Hq, Dv).
// GQA: Hkv divides Hq; query head h reads kv head h / (Hq / Hkv).
import TensorCore

/// What an attention call saw, kept for its backward (masks are constants: no gradient flows to them).
struct AttentionRecord {
    let shape: AttentionShape
    let layout: AttentionLayout
    let scale: Float
    let causal: Bool
    let queryOffset: Int
    /// (B) per-row additions to `queryOffset`.
    let queryOffsets: Int32Tensor?
    /// (B) valid key counts.
    let keyLengths: Int32Tensor?
    /// (Tq, Tk), (B, 1, Tq, Tk) or (B, Hq, Tq, Tk), added to the scaled scores.
    let additive: Tensor?
    /// `predicate(queryPosition, key)`, true = visible (e.g. `AttentionMask.strideAwareCausal`).
    let predicate: (@Sendable (Int, Int) -> Bool)?
    /// Dropout on the probabilities (the same mask is redrawn in backward from its seed).
    var dropout: AttentionDropout? = nil
    /// (B, Hq, Tq) from the forward pass (empty when nothing is recorded).
    let logSumExp: Tensor

    /// Runs `body` with the kernel's mask, whose pointers are valid only inside `body`.
    func withMask<R>(_ body: (AttentionMask) -> R) -> R {
        func withAdditive(_ next: (AttentionMaskBuffer<Float>?) -> R) -> R {
            guard let additive else { return next(nil) }
            return additive.withUnsafeBufferPointer { p in
                let base = UnsafePointer(p.baseAddress!)
                switch additive.rank {
                case 2: return next(.shared(base, keyLength: shape.keyLength))
                case 4 where additive.shape[1] == 1:
                    return next(.perBatch(base, queryLength: shape.queryLength, keyLength: shape.keyLength))
                default:
                    return next(.perHead(base, queryHeads: shape.queryHeads, queryLength: shape.queryLength,
                                         keyLength: shape.keyLength))
                }
            }
        }
        func withOptional(_ t: Int32Tensor?, _ next: (UnsafePointer<Int32>?) -> R) -> R {
            guard let t else { return next(nil) }
            return t.scalars.withUnsafeBufferPointer { next($0.baseAddress!) }
        }
        return withAdditive { add in withOptional(queryOffsets) { offsets in withOptional(keyLengths) { lengths in
            body(AttentionMask(causal: causal, queryOffset: queryOffset, queryOffsets: offsets, keyLengths: lengths,
                               additive: add, predicate: predicate, dropout: dropout))
        } } }
    }
}

extension Tape {
    // MARK: Attention

    /// softmax(scale · q·kᵀ + masks) · v through the tiled FusedAttention kernel (no T×T score tensor).
    ///
    /// - Parameters:
    ///   - q, k, v: see the shapes at the top of this file; Hkv (from k) may divide Hq (GQA).
    ///   - scale: default 1/√Dk.
    ///   - causal: query i sees keys j ≤ i + `queryOffset` (+ `queryOffsets[b]` in row b).
    ///   - queryOffsets: (B) per-row additions to `queryOffset` (causal rule and predicate).
    ///   - keyLengths: (B) valid key counts (key padding).
    ///   - additiveMask: (Tq, Tk), (B, 1, Tq, Tk) or (B, Hq, Tq, Tk) added to the scaled scores.
    ///   - predicate: `predicate(i + queryOffset, j)` true = key j visible to query i (MTLA's stride-aware rule).
    ///   - dropout: dropout on the probabilities (pass it only when training).
    /// A query row that sees no key gets output 0 and zero gradients.
    /// Workspace: a tensor of `FusedAttention.*WorkspaceCount(threads:)` floats per call, which the
    /// buffer cache hands back on the next call (so it is allocated once per size).
    public func scaledDotProductAttention(
        _ q: Variable, _ k: Variable, _ v: Variable, layout: AttentionLayout = .headsMajor, scale: Float? = nil,
        causal: Bool = false, queryOffset: Int = 0, queryOffsets: Int32Tensor? = nil, keyLengths: Int32Tensor? = nil,
        additiveMask: Tensor? = nil, predicate: (@Sendable (Int, Int) -> Bool)? = nil, dropout: AttentionDropout? = nil
    ) -> Variable {
        precondition(q.value.rank == 4 && k.value.rank == 4 && v.value.rank == 4,
                     "attention: q, k, v must be rank 4, got \(q.shape), \(k.shape), \(v.shape)")
        let headAxis = layout == .headsMajor ? 1 : 2, timeAxis = layout == .headsMajor ? 2 : 1
        let shape = AttentionShape(batch: q.shape[0], queryHeads: q.shape[headAxis], kvHeads: k.shape[headAxis],
                                   queryLength: q.shape[timeAxis], keyLength: k.shape[timeAxis],
                                   qkDim: q.shape[3], vDim: v.shape[3])
        precondition(k.shape[0] == shape.batch && v.shape[0] == shape.batch && k.shape[3] == shape.qkDim
                     && v.shape[headAxis] == shape.kvHeads && v.shape[timeAxis] == shape.keyLength,
                     "attention: inconsistent q \(q.shape), k \(k.shape), v \(v.shape) for layout \(layout)")
        if let keyLengths { precondition(keyLengths.shape == [shape.batch], "attention: keyLengths must be [\(shape.batch)]") }
        if let queryOffsets { precondition(queryOffsets.shape == [shape.batch], "attention: queryOffsets must be [\(shape.batch)]") }
        if let m = additiveMask {
            let (tq, tk, b, h) = (shape.queryLength, shape.keyLength, shape.batch, shape.queryHeads)
            precondition(m.shape == [tq, tk] || m.shape == [b, 1, tq, tk] || m.shape == [b, h, tq, tk],
                         "attention: additive mask \(m.shape) must be [\(tq), \(tk)], [\(b), 1, \(tq), \(tk)] or [\(b), \(h), \(tq), \(tk)]")
        }
        let recording = isRecording([q, k, v])
        var outShape = q.shape
        outShape[3] = shape.vDim
        var out = Tensor(uninitializedShape: outShape, in: context)
        var lse = Tensor(uninitializedShape: recording ? [shape.batch, shape.queryHeads, shape.queryLength] : [0], in: context)
        let config = AttentionRecord(shape: shape, layout: layout, scale: scale ?? 1 / Float(shape.qkDim).squareRoot(),
                                     causal: causal, queryOffset: queryOffset, queryOffsets: queryOffsets, keyLengths: keyLengths,
                                     additive: additiveMask, predicate: predicate, dropout: dropout,
                                     logSumExp: Tensor(zeros: [0], in: context))
        config.withMask { mask in
            // Decoding (few query rows per kv head, nothing recorded): the kernel without GEMM packing.
            let decode = !recording && mask.dropout == nil && FusedAttention.canDecode(shape: shape, mask: mask)
            var workspace = Tensor(uninitializedShape: [decode ? FusedAttention.decodeWorkspaceCount(shape: shape, mask: mask)
                                                        : FusedAttention.forwardWorkspaceCount(threads: context.threads)],
                                   in: context)
            q.value.withUnsafeBufferPointer { qp in k.value.withUnsafeBufferPointer { kp in v.value.withUnsafeBufferPointer { vp in
                out.withUnsafeMutableBufferPointer { op in lse.withUnsafeMutableBufferPointer { lp in
                    workspace.withUnsafeMutableBufferPointer { wp in
                        if decode {
                            FusedAttention.decode(q: qp.baseAddress!, k: kp.baseAddress!, v: vp.baseAddress!, shape: shape,
                                                  layout: layout, scale: config.scale, mask: mask, out: op.baseAddress!,
                                                  logSumExp: nil, workspace: wp.baseAddress!, threads: context.threads)
                        } else {
                            FusedAttention.forward(q: qp.baseAddress!, k: kp.baseAddress!, v: vp.baseAddress!, shape: shape,
                                                   layout: layout, scale: config.scale, mask: mask, out: op.baseAddress!,
                                                   logSumExp: recording ? lp.baseAddress! : nil,
                                                   workspace: wp.baseAddress!, threads: context.threads)
                        }
                    }
                } }
            } } }
        }
        guard recording else { return Variable(result: out, requiresGrad: false) }
        let saved = AttentionRecord(shape: shape, layout: layout, scale: config.scale, causal: causal,
                                    queryOffset: queryOffset, queryOffsets: queryOffsets, keyLengths: keyLengths, additive: additiveMask,
                                    predicate: predicate, dropout: dropout, logSumExp: lse)
        return record(.attention(saved), [q, k, v], out)
    }

    // MARK: Losses

    /// fairseq's label-smoothed cross-entropy of `logits` (..., V) against `targets` (the leading shape),
    /// summed over non-ignored rows (see `LabelSmoothedCrossEntropy`); the log-softmax is fused, and no
    /// (N, V) buffer is kept for backward (the rule recomputes from the logits).
    public func labelSmoothedCrossEntropy(
        _ logits: Variable, targets: Int32Tensor, epsilon: Float, ignoreIndex: Int32? = nil
    ) -> LabelSmoothedLoss {
        let v = logits.shape.last!, n = logits.value.count / v
        precondition(targets.count == n, "labelSmoothedCrossEntropy: \(targets.count) targets for \(n) rows of \(logits.shape)")
        let r = logits.value.withUnsafeBufferPointer { lp in targets.scalars.withUnsafeBufferPointer { tp in
            LabelSmoothedCrossEntropy.fromLogits(logits: lp.baseAddress!, targets: tp.baseAddress!, rows: n, vocab: v,
                                                 epsilon: epsilon, ignoreIndex: ignoreIndex, gradLogits: nil,
                                                 threads: context.threads)
        } }
        let loss = record(.labelSmoothedCrossEntropy(targets: targets, epsilon: epsilon, ignoreIndex: ignoreIndex),
                          [logits], Tensor(r.loss))
        return LabelSmoothedLoss(loss: loss, nllLoss: r.nllLoss, tokens: r.tokens)
    }

    /// CTC loss of `logits` (T, N, C) [`.timeMajor`] or (N, T, C) [`.batchMajor`] with log-softmax over C
    /// fused, as `torch.nn.functional.ctc_loss(log_softmax(logits), ...)`: shape [] for `.mean`/`.sum`,
    /// [N] for `.none`. The gradient w.r.t. the logits is computed in the forward pass (the α/β recursions
    /// give it at no extra cost) and kept for backward only when recording.
    /// - Parameters: inputLengths, targetLengths (N); targets (N, S) for `.padded(maxLength: S)` or Σ lengths.
    public func ctcLoss(
        _ logits: Variable, layout: CTCLoss.Layout = .timeMajor, inputLengths: Int32Tensor, targets: Int32Tensor,
        targetLayout: CTCLoss.Targets, targetLengths: Int32Tensor, blank: Int = 0,
        reduction: CTCLoss.Reduction = .mean, zeroInfinity: Bool = false
    ) -> Variable {
        precondition(logits.value.rank == 3, "ctcLoss: logits must be rank 3, got \(logits.shape)")
        let (t, n) = layout == .timeMajor ? (logits.shape[0], logits.shape[1]) : (logits.shape[1], logits.shape[0])
        let c = logits.shape[2]
        precondition(inputLengths.count == n && targetLengths.count == n, "ctcLoss: lengths must have \(n) entries")
        let maxS: Int
        switch targetLayout {
        case let .padded(s): maxS = s
        case .concatenated: maxS = Int(targetLengths.scalars.max() ?? 0)
        }
        var losses = Tensor(uninitializedShape: [n], in: context)
        var grad = Tensor(uninitializedShape: logits.shape, in: context)     // log-probabilities scratch, then the gradient
        var workspace = Tensor(uninitializedShape: [CTCLoss.workspaceCount(maxInputLength: t, maxTargetLength: maxS,
                                                                           classes: c, threads: context.threads)], in: context)
        var weights = [Float](repeating: 1, count: n)
        if reduction == .mean {
            targetLengths.scalars.withUnsafeBufferPointer { tl in weights.withUnsafeMutableBufferPointer { w in
                CTCLoss.reductionWeights(targetLengths: tl.baseAddress!, batch: n, reduction: .mean, into: w.baseAddress!)
            } }
        }
        logits.value.withUnsafeBufferPointer { lp in grad.withUnsafeMutableBufferPointer { gp in
            losses.withUnsafeMutableBufferPointer { sp in workspace.withUnsafeMutableBufferPointer { wp in
                inputLengths.scalars.withUnsafeBufferPointer { il in targetLengths.scalars.withUnsafeBufferPointer { tl in
                    targets.scalars.withUnsafeBufferPointer { tp in weights.withUnsafeBufferPointer { w in
                        CTCLoss.fromLogits(logits: lp.baseAddress!, layout: layout, maxInputLength: t, batch: n, classes: c,
                                           inputLengths: il.baseAddress!, targets: tp.baseAddress ?? il.baseAddress!,
                                           targetLayout: targetLayout, targetLengths: tl.baseAddress!, blank: blank,
                                           zeroInfinity: zeroInfinity, losses: sp.baseAddress!, gradOutputs: w.baseAddress!,
                                           gradLogits: gp.baseAddress!, maxTargetLength: maxS,
                                           workspace: wp.baseAddress!, threads: context.threads)
                    } }
                } }
            } }
        } }
        let output: Tensor = reduction == .none ? losses : Tensor(losses.withUnsafeBufferPointer { sp in
            targetLengths.scalars.withUnsafeBufferPointer { tl in
                CTCLoss.reduce(losses: sp.baseAddress!, targetLengths: tl.baseAddress!, batch: n, reduction: reduction)
            }
        })
        return record(.ctc(gradient: grad, perSequence: reduction == .none, layout: layout), [logits], output)
    }
}

/// The result of `Tape.labelSmoothedCrossEntropy`: the differentiable smoothed loss (a scalar) and
/// fairseq's logging quantities.
public struct LabelSmoothedLoss {
    /// Smoothed loss summed over non-ignored rows, shape [].
    public let loss: Variable
    /// Σ −log p(target) over non-ignored rows (fairseq's `nll_loss`).
    public let nllLoss: Float
    /// Non-ignored rows.
    public let tokens: Int
}

extension Tape {
    /// Decoding attention (inference only) of q (B, Tq, Hq, Dk) over each row's shared keys then its own
    /// keys k (B, Tk, Hkv, Dk) and values v (B, Tk, Hkv, Dv), all sequence-major; row b's own keys are
    /// its first `keyLengths[b]`, and every key is visible to every query (one new token per row).
    /// `sharedKeys`/`sharedValues` hold the rows stored once for several batch rows (beams of a
    /// sentence). Runs the decode kernel with a `DecodePrefix`; shapes it does not take (more than 16
    /// query rows per kv head) fall back to the keys laid end to end.
    public func decodeAttention(_ q: Variable, keys k: Tensor, values v: Tensor, scale: Float, keyLengths: Int32Tensor,
                                sharedKeys: SharedKeyRows, sharedValues: SharedKeyRows) -> Variable {
        let shape = AttentionShape(batch: q.shape[0], queryHeads: q.shape[2], kvHeads: k.shape[2], queryLength: q.shape[1],
                                   keyLength: k.shape[1], qkDim: q.shape[3], vDim: v.shape[3])
        precondition(sharedKeys.entries == sharedValues.entries && sharedKeys.lengths == sharedValues.lengths
                     && sharedKeys.entries.count == shape.batch && sharedKeys.rows.shape[2] == shape.kvHeads,
                     "decodeAttention: shared rows do not match \(shape)")
        var out = Tensor(uninitializedShape: [shape.batch, shape.queryLength, shape.queryHeads, shape.vDim], in: context)
        let fits = keyLengths.scalars.withUnsafeBufferPointer { lp in
            FusedAttention.canDecode(shape: shape, mask: AttentionMask(keyLengths: lp.baseAddress!))
        }
        guard fits else {
            // Lay each row's shared and own keys end to end.
            let total = zip(sharedKeys.lengths, keyLengths.scalars).map { $0 + Int($1) }, n = Swift.max(1, total.max() ?? 0)
            func joined(_ own: Tensor, _ shared: SharedKeyRows) -> Tensor {
                let w = own.shape[2] * own.shape[3], cap = own.shape[1]
                var t = Tensor(zeros: [shape.batch, n, own.shape[2], own.shape[3]], in: context)
                own.withUnsafeBufferPointer { op in shared.rows.withUnsafeBufferPointer { sp in t.withUnsafeMutableBufferPointer { tp in
                    for b in 0..<shape.batch {
                        let row = tp.baseAddress! + b * n * w, p = shared.lengths[b]
                        if p > 0 { row.update(from: sp.baseAddress! + shared.offset(b), count: p * w) }
                        (row + p * w).update(from: op.baseAddress! + b * cap * w, count: Int(keyLengths.scalars[b]) * w)
                    }
                } } }
                return t
            }
            return scaledDotProductAttention(q, Variable(joined(k, sharedKeys)), Variable(joined(v, sharedValues)),
                                             layout: .sequenceMajor, scale: scale,
                                             keyLengths: Int32Tensor(shape: [shape.batch], scalars: total.map(Int32.init)))
        }
        keyLengths.scalars.withUnsafeBufferPointer { lp in
            let mask = AttentionMask(keyLengths: lp.baseAddress!)
            var workspace = Tensor(uninitializedShape: [FusedAttention.decodeWorkspaceCount(shape: shape, mask: mask,
                                                                                            prefixLengths: sharedKeys.lengths)],
                                   in: context)
            q.value.withUnsafeBufferPointer { qp in k.withUnsafeBufferPointer { kp in v.withUnsafeBufferPointer { vp in
                sharedKeys.rows.withUnsafeBufferPointer { skp in sharedValues.rows.withUnsafeBufferPointer { svp in
                    out.withUnsafeMutableBufferPointer { op in workspace.withUnsafeMutableBufferPointer { wp in
                        let prefix = DecodePrefix(k: skp.baseAddress!, v: svp.baseAddress!, keyRowStride: sharedKeys.rowStride,
                                                  valueRowStride: sharedValues.rowStride,
                                                  keyOffsets: (0..<shape.batch).map(sharedKeys.offset),
                                                  valueOffsets: (0..<shape.batch).map(sharedValues.offset), lengths: sharedKeys.lengths)
                        FusedAttention.decode(q: qp.baseAddress!, k: kp.baseAddress!, v: vp.baseAddress!, shape: shape,
                                              layout: .sequenceMajor, scale: scale, mask: mask, out: op.baseAddress!,
                                              logSumExp: nil, workspace: wp.baseAddress!, threads: context.threads, prefix: prefix)
                    } }
                } }
            } } }
        }
        return Variable(result: out, requiresGrad: false)
    }
}
