import COpenBLAS
import Dispatch

// Shapes (notation used in every FusedAttention* file):
//   B batch, Hq query heads, Hkv key/value heads (Hq % Hkv == 0; query head h reads kv head h / (Hq/Hkv),
//   the repeat-interleave grouping of fairseq's GQA), Tq query length, Tk key length, Dk q/k head dim,
//   Dv value head dim.
//   q (B, Hq, Tq, Dk), k (B, Hkv, Tk, Dk), v (B, Hkv, Tk, Dv), out (B, Hq, Tq, Dv)  [layout .headsMajor]
//   or q (B, Tq, Hq, Dk), k (B, Tk, Hkv, Dk), v (B, Tk, Hkv, Dv), out (B, Tq, Hq, Dv) [layout .sequenceMajor]
//   logSumExp (B, Hq, Tq) always.

/// The sizes of one attention call.
public struct AttentionShape: Sendable, Equatable, CustomStringConvertible {
    public var batch: Int
    public var queryHeads: Int
    public var kvHeads: Int
    public var queryLength: Int
    public var keyLength: Int
    public var qkDim: Int
    public var vDim: Int

    /// - Precondition: all sizes ≥ 1 (lengths may be 0), `queryHeads % kvHeads == 0`.
    public init(batch: Int, queryHeads: Int, kvHeads: Int? = nil, queryLength: Int, keyLength: Int,
                qkDim: Int, vDim: Int? = nil) {
        self.batch = batch
        self.queryHeads = queryHeads
        self.kvHeads = kvHeads ?? queryHeads
        self.queryLength = queryLength
        self.keyLength = keyLength
        self.qkDim = qkDim
        self.vDim = vDim ?? qkDim
        precondition(batch >= 1 && queryHeads >= 1 && self.kvHeads >= 1 && qkDim >= 1 && self.vDim >= 1,
                     "attention sizes must be positive: \(self)")
        precondition(queryLength >= 0 && keyLength >= 0, "attention lengths must be non-negative: \(self)")
        precondition(queryHeads % self.kvHeads == 0,
                     "query heads (\(queryHeads)) must be a multiple of kv heads (\(self.kvHeads))")
    }

    /// Query heads per kv head.
    public var group: Int { queryHeads / kvHeads }

    public var description: String {
        "B=\(batch) Hq=\(queryHeads) Hkv=\(kvHeads) Tq=\(queryLength) Tk=\(keyLength) Dk=\(qkDim) Dv=\(vDim)"
    }
}

/// Memory order of q, k, v, out and their gradients (the last axis is always contiguous).
public enum AttentionLayout: Sendable, Equatable {
    /// (B, H, T, D): heads before time.
    case headsMajor
    /// (B, T, H, D): the order a (B, T, H·D) projection output has, so no transpose is needed.
    case sequenceMajor

    /// Element strides (batch, head, row) of a (B, H, T, D) tensor in this layout.
    @inlinable
    public func strides(heads: Int, length: Int, dim: Int) -> (batch: Int, head: Int, row: Int) {
        switch self {
        case .headsMajor: return (heads * length * dim, length * dim, dim)
        case .sequenceMajor: return (length * heads * dim, dim, heads * dim)
        }
    }
}

/// A broadcastable per-(query, key) buffer: element (b, h, i, j) is at
/// `b·batchStride + h·headStride + i·rowStride + j` (i = query row 0..<Tq, j = key 0..<Tk).
public struct AttentionMaskBuffer<Element>: @unchecked Sendable {
    public let base: UnsafePointer<Element>
    public let batchStride: Int
    public let headStride: Int
    public let rowStride: Int

    public init(base: UnsafePointer<Element>, batchStride: Int, headStride: Int, rowStride: Int) {
        self.base = base
        self.batchStride = batchStride
        self.headStride = headStride
        self.rowStride = rowStride
    }

    /// A (Tq, Tk) buffer shared by every batch entry and head (fairseq's `self_attn_mask`).
    public static func shared(_ base: UnsafePointer<Element>, keyLength: Int) -> Self {
        Self(base: base, batchStride: 0, headStride: 0, rowStride: keyLength)
    }

    /// A (B, 1, Tq, Tk) buffer: one per batch entry, shared by the heads.
    public static func perBatch(_ base: UnsafePointer<Element>, queryLength: Int, keyLength: Int) -> Self {
        Self(base: base, batchStride: queryLength * keyLength, headStride: 0, rowStride: keyLength)
    }

    /// A (B, Hq, Tq, Tk) buffer.
    public static func perHead(_ base: UnsafePointer<Element>, queryHeads: Int, queryLength: Int, keyLength: Int) -> Self {
        Self(base: base, batchStride: queryHeads * queryLength * keyLength, headStride: queryLength * keyLength,
             rowStride: keyLength)
    }

    @inlinable
    func row(batch b: Int, head h: Int, query i: Int) -> UnsafePointer<Element> {
        base + b * batchStride + h * headStride + i * rowStride
    }
}

/// Which keys each query sees, and additive biases. All parts combine: a key is visible when every given
/// rule allows it; the additive mask is added to the scaled scores (it may hold −∞ or large negative
/// values such as MTLA's −1e9, which stay ordinary numbers, as in PyTorch).
///
/// A query row whose keys are all hidden gets output 0, log-sum-exp −∞ and zero gradients (PyTorch's
/// softmax would give NaN there).
public struct AttentionMask: @unchecked Sendable {
    /// Query i (0..<Tq) sees keys j ≤ i + `queryOffset`.
    public var causal: Bool
    /// Absolute position of query row 0 among the keys: `Tk − Tq` for the last Tq positions of a
    /// sequence, the cache length when decoding one step. Also passed to `predicate`.
    public var queryOffset: Int
    /// (B) per-row offsets added to `queryOffset` (nil = none): row b's query i sits at key position
    /// i + queryOffset + queryOffsets[b], e.g. the decoder-only model's queries after prefixes of
    /// different lengths. Also passed to `predicate`.
    public var queryOffsets: UnsafePointer<Int32>?
    /// (B) valid key counts: keys j ≥ keyLengths[b] are padding (fairseq's key_padding_mask).
    public var keyLengths: UnsafePointer<Int32>?
    /// Added to the scaled scores, e.g. fairseq's `self_attn_mask` (Tq, Tk) or a (B, 1, Tq, Tk) bias.
    public var additive: AttentionMaskBuffer<Float>?
    /// Nonzero = visible.
    public var keep: AttentionMaskBuffer<UInt8>?
    /// `predicate(queryPosition, key)` with queryPosition = i + queryOffset; true = visible. Evaluated
    /// once per (query, key) pair per pass, so keep it cheap (e.g. MTLA's stride-aware causal rule).
    public var predicate: (@Sendable (Int, Int) -> Bool)?
    /// Dropout on the probabilities (training): applied after the softmax, not part of visibility.
    public var dropout: AttentionDropout?

    public init(causal: Bool = false, queryOffset: Int = 0, queryOffsets: UnsafePointer<Int32>? = nil,
                keyLengths: UnsafePointer<Int32>? = nil,
                additive: AttentionMaskBuffer<Float>? = nil, keep: AttentionMaskBuffer<UInt8>? = nil,
                predicate: (@Sendable (Int, Int) -> Bool)? = nil, dropout: AttentionDropout? = nil) {
        self.dropout = dropout
        self.causal = causal
        self.queryOffset = queryOffset
        self.queryOffsets = queryOffsets
        self.keyLengths = keyLengths
        self.additive = additive
        self.keep = keep
        self.predicate = predicate
    }

    public static let none = AttentionMask()

    /// MTLA's stride-aware causal rule (0-based): query position i sees key j iff j == i, or j < i and
    /// (j + 1) mod s == 0. Equivalent to the reference's −1e9 mask whenever a row has a visible key
    /// (its own position always is), because e^(−1e9 − max) is exactly 0 in Float.
    public static func strideAwareCausal(stride s: Int) -> @Sendable (Int, Int) -> Bool {
        precondition(s >= 1, "stride must be positive")
        return { i, j in j == i || (j < i && (j + 1) % s == 0) }
    }

    /// The key position of query row i of batch b: i + queryOffset (+ queryOffsets[b]).
    @inlinable
    func queryPosition(batch b: Int, query i: Int) -> Int {
        i + queryOffset + (queryOffsets.map { Int($0[b]) } ?? 0)
    }

    /// Number of keys row `i` may see at most, from the causal rule and padding (exclusive end).
    @inlinable
    func keyEnd(batch b: Int, query i: Int, keyLength: Int) -> Int {
        var end = keyLength
        if let lengths = keyLengths { end = min(end, Swift.max(0, Int(lengths[b]))) }
        if causal { end = min(end, Swift.max(0, queryPosition(batch: b, query: i) + 1)) }
        return end
    }

    /// Whether anything beyond causal/padding needs a per-element pass.
    @inlinable
    var hasElementwiseRules: Bool { additive != nil || keep != nil || predicate != nil }
}

/// Scaled dot-product attention, tiled over keys with an online softmax (FlashAttention-2): the full
/// Tq×Tk score matrix is never stored; each worker holds one `queryTile × keyTile` score tile.
///
/// Forward stores the per-row log-sum-exp of the (scaled, masked) scores; backward recomputes each
/// score tile from it. Tile products run through `cblas_sgemm` (BLAS must run on one thread inside:
/// both entry points set OpenBLAS to 1 thread for their duration and restore the previous count), the
/// softmax arithmetic through SIMD16.
///
/// Parallel over (B, Hq) in forward and over (B, Hkv) in backward (so the kv gradients of a group are
/// summed by one worker in a fixed order); every output element is computed by one worker in an order
/// that does not depend on the thread count, so results are identical for any thread count.
public enum FusedAttention {
    /// Query rows per tile.
    public static let queryTile = 128
    /// Keys per tile (a multiple of 16).
    public static let keyTile = 128

    /// Floats of workspace `forward` needs.
    public static func forwardWorkspaceCount(threads: Int) -> Int {
        max(1, threads) * (queryTile * keyTile + 2 * queryTile)
    }

    /// Floats of workspace `backward` needs.
    public static func backwardWorkspaceCount(threads: Int) -> Int {
        max(1, threads) * (2 * queryTile * keyTile + queryTile)
    }

    /// out = softmax(scale · q·kᵀ + masks) · v.
    ///
    /// - Parameters:
    ///   - q, k, v: inputs in `layout` (see the shape notation at the top of this file).
    ///   - out: (B, Hq, Tq, Dv) in `layout`, overwritten.
    ///   - logSumExp: (B, Hq, Tq), overwritten with log Σ_j exp(scaled masked score); −∞ for a row that
    ///     sees no key. Pass it to `backward`. May be nil when no backward follows.
    ///   - workspace: `forwardWorkspaceCount(threads:)` floats.
    ///   - threads: worker count (≥ 1).
    public static func forward(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        shape: AttentionShape, layout: AttentionLayout = .headsMajor, scale: Float,
        mask: AttentionMask = .none,
        out: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>?,
        workspace: UnsafeMutablePointer<Float>, threads: Int
    ) {
        precondition(threads >= 1, "thread count must be at least 1")
        let units = shape.batch * shape.queryHeads
        let workers = min(threads, units)
        let perWorker = queryTile * keyTile + 2 * queryTile
        let ctx = KernelPointers(AttentionForwardArgs(q: q, k: k, v: v, shape: shape, layout: layout, scale: scale,
                                             mask: mask, out: out, lse: logSumExp))
        runUnits(units, workers: workers, workspace: workspace, perWorker: perWorker) { unit, ws in
            forwardUnit(ctx.value, unit: unit, workspace: ws)
        }
    }

    /// Runs `body` for units 0..<units, unit u on worker u mod workers (a fixed assignment, so results
    /// do not depend on scheduling), each worker with its own `perWorker` floats of `workspace`, and
    /// OpenBLAS on one thread inside.
    private static func runUnits(_ units: Int, workers: Int, workspace: UnsafeMutablePointer<Float>, perWorker: Int,
                                 _ body: @escaping @Sendable (Int, UnsafeMutablePointer<Float>) -> Void) {
        let ws = KernelPointers(workspace)
        MatmulKernels.withSingleThreadedBLAS {
            if workers <= 1 {
                for unit in 0..<units { body(unit, ws.value) }
            } else {
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var unit = w
                    while unit < units {
                        body(unit, ws.value + w * perWorker)
                        unit += workers
                    }
                }
            }
        }
    }

    /// Gradients of `forward` from dOut, recomputing score tiles from q, k and the stored log-sum-exp.
    ///
    /// - Parameters:
    ///   - out, logSumExp: what `forward` produced for the same q, k, v, mask and scale.
    ///   - dOut: (B, Hq, Tq, Dv) in `layout`.
    ///   - dQ: like q, dK like k, dV like v; all overwritten (padded keys get 0).
    ///   - workspace: `backwardWorkspaceCount(threads:)` floats.
    public static func backward(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        out: UnsafePointer<Float>, logSumExp: UnsafePointer<Float>, dOut: UnsafePointer<Float>,
        shape: AttentionShape, layout: AttentionLayout = .headsMajor, scale: Float,
        mask: AttentionMask = .none,
        dQ: UnsafeMutablePointer<Float>, dK: UnsafeMutablePointer<Float>, dV: UnsafeMutablePointer<Float>,
        workspace: UnsafeMutablePointer<Float>, threads: Int
    ) {
        precondition(threads >= 1, "thread count must be at least 1")
        let units = shape.batch * shape.kvHeads
        let workers = min(threads, units)
        let perWorker = 2 * queryTile * keyTile + queryTile
        let ctx = KernelPointers(AttentionBackwardArgs(q: q, k: k, v: v, out: out, lse: logSumExp, dOut: dOut,
                                              shape: shape, layout: layout, scale: scale, mask: mask,
                                              dQ: dQ, dK: dK, dV: dV))
        runUnits(units, workers: workers, workspace: workspace, perWorker: perWorker) { unit, ws in
            backwardUnit(ctx.value, unit: unit, workspace: ws)
        }
    }
}
