import Autograd
import NN
import TensorCore

/// A causal self-attention layer of one of the five variants (spec/mtla.md §1), with the reference
/// parameter names (`namedParameters()` equals the reference `state_dict()` keys).
///
/// Shapes: B batch, T sequence length, d = `embed_dim`. `positions` (B, T) holds the absolute RoPE
/// position of every row (rows may differ, e.g. different prefix lengths).
public protocol SelfAttention: Module {
    var kind: AttentionKind { get }
    /// The resolved configuration (per-variant defaults filled in).
    var config: AttentionConfig { get }

    /// Full-sequence (training) path: x (B, S, d) → (B, S, d). The keys are [prefix; x], (B, P + S, d)
    /// (P = 0 without a prefix: the decoder-only model's speech/text prompt is the prefix), with
    /// `positions` (B, P + S) for the keys; query i is key P + i and sees keys j ≤ P + i (MTLA: the
    /// stride-aware causal rule over the partial chunk sums, chunks counted from key 0).
    ///
    /// `prefixLengths` (B values in 0...P, nil = all P): row b's prefix holds `prefixLengths[b]` real
    /// keys, then padding, which is removed: row b's keys become [prefix_b[..<L_b]; x_b] (positions
    /// taken at the same columns), its query i is key L_b + i, and MTLA's chunks count from its first
    /// key, so a row's output does not depend on the other rows' prefix lengths.
    /// `keyLengths` (B): keys j ≥ keyLengths[b] of that (packed) key sequence are padding.
    /// Differentiable on `tape` (prefix included).
    func callAsFunction(_ x: Variable, prefix: Variable?, prefixLengths: [Int]?, positions: Int32Tensor,
                        keyLengths: Int32Tensor?, on tape: Tape) -> Variable

    /// Analytic cache size per absorbed token per row in floats (spec §1.6): MHA/GQA/MQA 2·g·d_h,
    /// MLA r + d_R, MTLA (r + d_R)/s (one slot per s tokens, the last one possibly partial).
    var cacheFloatsPerToken: Double { get }

    /// An empty cache for `batch` rows.
    func makeCache(batch: Int) -> any KVCache

    /// Incremental path: appends the L ≥ 1 keys of `x` (B, L, d) at `positions` (B, L) to `cache`
    /// and returns the output of the last of them, (B, 1, d), attending over everything cached
    /// (L > 1 is fairseq's prompt call at generation step 0).
    ///
    /// `lengths` (B values in 1...L, nil = all L): row b appends only its first `lengths[b]` tokens
    /// (right padding) and its output is that of token `lengths[b] − 1`, so rows of a batch may hold
    /// different numbers of keys (MTLA: chunks then start at each row's own first key).
    /// - Throws: `AttentionError.cacheMismatch` for a cache of another variant or batch size,
    ///   `.shapeMismatch` for invalid `lengths`.
    func step(_ x: Tensor, positions: Int32Tensor, lengths: [Int]?, cache: any KVCache, context: ComputeContext) throws -> Tensor

    /// Prompt call that keeps every output (the reference's `recompute_prompt_attn=True`): fills an
    /// *empty* `cache` with the L keys of `x` (B, L, d) and returns the full-path outputs (B, L, d).
    /// - Throws: `AttentionError.cacheMismatch` for a non-empty cache or one of another variant.
    func prefill(_ x: Tensor, positions: Int32Tensor, cache: any KVCache, context: ComputeContext) throws -> Tensor

    /// Intermediate tensors of the full path under the reference goldens' `debug.*` names, for x (B, T, d):
    /// MLA/MTLA `debug.kv_norm` (B, T, r), `debug.k_pe` (B, T, dR); MTLA also `debug.gate` (B, T) and
    /// `debug.merged_latent` (B, T, r). Empty for MHA/GQA/MQA.
    func debugTensors(_ x: Tensor, positions: Int32Tensor, context: ComputeContext) -> [String: Tensor]
}

extension SelfAttention {
    public func debugTensors(_ x: Tensor, positions: Int32Tensor, context: ComputeContext) -> [String: Tensor] { [:] }

    /// `step` with every row appending all L tokens.
    public func step(_ x: Tensor, positions: Int32Tensor, cache: any KVCache, context: ComputeContext) throws -> Tensor {
        try step(x, positions: positions, lengths: nil, cache: cache, context: context)
    }

    /// The full path without a prefix.
    public func callAsFunction(_ x: Variable, positions: Int32Tensor, keyLengths: Int32Tensor? = nil, on tape: Tape) -> Variable {
        callAsFunction(x, prefix: nil, prefixLengths: nil, positions: positions, keyLengths: keyLengths, on: tape)
    }

    /// The full path with a prefix without padding.
    public func callAsFunction(_ x: Variable, prefix: Variable?, positions: Int32Tensor, keyLengths: Int32Tensor?,
                               on tape: Tape) -> Variable {
        callAsFunction(x, prefix: prefix, prefixLengths: nil, positions: positions, keyLengths: keyLengths, on: tape)
    }
}

/// The decoding state of one attention layer. Caches are reference types: `step` mutates them.
public protocol KVCache: AnyObject {
    /// Rows (sentences × beams).
    var batch: Int { get }
    /// Key tokens absorbed so far (prompt included), the largest over the rows.
    var length: Int { get }
    /// Key tokens absorbed by each row.
    var rowLengths: [Int] { get }
    /// Bytes held by the cached tensors (Float32), the quantity spec §1.6 tabulates.
    var byteCount: Int { get }
    /// Keeps row `parents[i]` as new row i (beam reordering, or dropping finished rows when
    /// `parents` is shorter than `batch`).
    func reorder(parents: [Int])
    /// The cached tensors under the reference names and layouts (`prev_key`, `prev_kv_t`, …).
    var referenceTensors: [String: Tensor] { get }
}

extension KVCache {
    var typeName: String { String(describing: type(of: self)) }
}

/// `positions` (B, T) as one array of T positions per row.
func positionRows(_ positions: Int32Tensor) -> [[Int32]] {
    let b = positions.shape[0], t = positions.shape[1]
    return (0..<b).map { Array(positions.scalars[($0 * t)..<(($0 + 1) * t)]) }
}

/// The keys of a full-path call and where its queries sit among them (see `SelfAttention.callAsFunction`).
struct AttentionKeys {
    /// (B, Tk, d): [prefix; x], per row without the prefix padding when prefix lengths are given.
    let keys: Variable
    /// (B, Tk) RoPE positions of the keys.
    let keyPositions: Int32Tensor
    /// (B, S) RoPE positions of the queries (x's rows).
    let queryPositions: Int32Tensor
    /// Key index of query 0 shared by all rows (P, or 0 with prefix lengths).
    let queryOffset: Int
    /// (B) per-row key index of query 0 (the prefix lengths), or nil.
    let queryOffsets: Int32Tensor?
    /// (B) valid keys per row, or nil for all.
    let keyLengths: Int32Tensor?

    /// - Precondition: `positions` is (B, P + S); `prefixLengths` has B values in 0...P.
    init(_ x: Variable, prefix: Variable?, prefixLengths: [Int]?, positions: Int32Tensor, keyLengths: Int32Tensor?, on tape: Tape) {
        let (b, s) = (x.shape[0], x.shape[1])
        guard let prefix else {
            precondition(positions.shape == [b, s], "attention: positions \(positions.shape) for \(s) keys")
            (keys, keyPositions, queryPositions, queryOffset, queryOffsets) = (x, positions, positions, 0, nil)
            self.keyLengths = keyLengths
            return
        }
        let p = prefix.shape[1], t = p + s
        precondition(positions.shape == [b, t], "attention: positions \(positions.shape) for \(t) keys")
        let joined = tape.concat([prefix, x], axis: 1)
        queryPositions = Int32Tensor(shape: [b, s], scalars: (0..<b).flatMap { r in positions.scalars[(r * t + p)..<((r + 1) * t)] })
        guard let lengths = prefixLengths, lengths != Array(repeating: p, count: b) else {
            (keys, keyPositions, queryOffset, queryOffsets) = (joined, positions, p, nil)
            self.keyLengths = keyLengths
            return
        }
        precondition(lengths.count == b && lengths.allSatisfy { (0...p).contains($0) },
                     "attention: prefix lengths \(lengths) for \(b) rows of \(p) prefix keys")
        // Row r: its real prefix columns, then x's columns, then (masked) copies of its last column.
        let tk = lengths.max()! + s
        var columns: [Int32] = []
        columns.reserveCapacity(b * tk)
        for r in 0..<b {
            let real = Array(0..<lengths[r]) + Array(p..<t)
            columns += (real + Array(repeating: t - 1, count: tk - real.count)).map { Int32(r * t + $0) }
        }
        let index = Int32Tensor(shape: [b * tk], scalars: columns)
        keys = tape.reshape(tape.indexSelect(tape.reshape(joined, [b * t, x.shape[2]]), axis: 0, index), [b, tk, x.shape[2]])
        keyPositions = Int32Tensor(shape: [b, tk], scalars: columns.map { positions.scalars[Int($0)] })
        queryOffset = 0
        queryOffsets = Int32Tensor(shape: [b], scalars: lengths.map(Int32.init))
        self.keyLengths = Int32Tensor(shape: [b], scalars: (0..<b).map { r in
            Int32(min(lengths[r] + s, keyLengths.map { Int($0.scalars[r]) } ?? tk))
        })
    }
}

/// Checks `lengths` for an input of L tokens per row: B values in 1...L (nil passes).
func validateLengths(_ lengths: [Int]?, batch: Int, tokens l: Int) throws {
    guard let lengths else { return }
    guard lengths.count == batch, lengths.allSatisfy({ (1...l).contains($0) }) else {
        throw AttentionError.shapeMismatch(what: "lengths \(lengths)", expected: [batch], got: [lengths.count])
    }
}

/// Each row's last valid token of x (B, L, d) → (B, 1, d), and its position (B, 1).
func lastTokens(_ x: Tensor, positions: Int32Tensor, lengths: [Int]?) -> (Tensor, Int32Tensor) {
    let (b, l, d) = (x.shape[0], x.shape[1], x.shape[2])
    let last = (0..<b).map { (lengths?[$0] ?? l) - 1 }
    var out = Tensor(uninitializedShape: [b, 1, d])
    x.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { dst in
        for r in 0..<b { (dst.baseAddress! + r * d).update(from: src.baseAddress! + (r * l + last[r]) * d, count: d) }
    } }
    return (out, Int32Tensor(shape: [b, 1], scalars: (0..<b).map { positions.scalars[$0 * l + last[$0]] }))
}

extension Tape {
    /// Interleaved-pair RoPE of `x` (B, T, H, D) at per-row `positions` (B, T); one kernel call when
    /// all rows share their positions, else one per row.
    func rope(_ x: Variable, rowPositions positions: Int32Tensor) -> Variable {
        precondition(positions.shape == [x.shape[0], x.shape[1]], "rope: positions \(positions.shape) for \(x.shape)")
        let rows = positionRows(positions)
        if rows.allSatisfy({ $0 == rows[0] }) { return rope(x, positions: rows[0]) }
        return concat(rows.enumerated().map { b, row in rope(slice(x, axis: 0, start: b, length: 1), positions: row) }, axis: 0)
    }

    /// Logistic sigmoid of `x` as softmax([x, 0])₀ (the tape has no sigmoid op; this is exact and
    /// differentiable through softmax's rule).
    func gateSigmoid(_ x: Variable) -> Variable {
        let col = reshape(x, x.shape + [1])
        let z = concat([col, Variable(Tensor(zeros: x.shape + [1]))], axis: -1)
        return reshape(slice(softmax(z), axis: -1, start: 0, length: 1), x.shape)
    }
}

/// `t` rows reindexed by `parents` along axis 0.
func selectRows(_ t: Tensor, _ parents: [Int]) -> Tensor {
    t.indexSelect(axis: 0, Int32Tensor(shape: [parents.count], scalars: parents.map(Int32.init)))
}
