import Autograd
import NN
import SeededRandom
import TensorCore

/// `MultiheadTemporalLatentAttention` (spec §1.5, §2): MLA (the same `LatentProjection`) whose latent
/// sequence is merged over chunks of s = `down_rate` tokens by the hyper-network's gates.
///
/// Training path (§2.3): partial chunk sums ĉ′_j = Σ_{k = s⌊j/s⌋}^{j} w_k c_k, raw RoPE keys, and the
/// stride-aware causal rule (query i sees j = i, or j < i with (j+1) mod s = 0).
/// Decoding (§2.4): one cache slot per chunk, the gated latent summed into it and the RoPE key replaced
/// by the newest token's. Unlike the reference (pitfall P1), s = 1 appends every token (= gated MLA).
public final class MultiheadTemporalLatentAttention: SelfAttention {
    public var kind: AttentionKind { .mtla }
    public let config: AttentionConfig
    let projection: LatentProjection
    let hyperNetwork: HyperNetwork
    var downRate: Int { config.downRate }

    init<G: RandomNumberGenerator>(config: AttentionConfig, generator: inout G) {
        self.config = config
        projection = LatentProjection(config: config, generator: &generator)
        hyperNetwork = HyperNetwork(rank: config.kvLoraRank, downRate: config.downRate, generator: &generator)
    }

    public var children: [(String, any Module)] { projection.children + [("hypernet_down", hyperNetwork)] }

    /// The partial chunk sums ĉ′ (B, T, r) and gates w (B, T) of the keys c (B, T, r) at indices 0..<T.
    ///
    /// The reference multiplies by a T×T chunk mask; here the keys are padded to n·s rows, viewed as
    /// n chunks of s, and each chunk is multiplied by the s×s lower-triangular ones matrix, so the cost
    /// is O(T·s·r) instead of O(T²·r) (the same sums; zero padding adds nothing).
    func mergedLatents(_ c: Variable, on tape: Tape) -> (merged: Variable, gates: Variable) {
        let (b, t, r, s) = (c.shape[0], c.shape[1], c.shape[2], downRate)
        let w = hyperNetwork.gates(c, starts: Array(repeating: 0, count: b), on: tape)
        let weighted = tape.mul(c, tape.reshape(w, [b, t, 1]))
        guard s > 1 else { return (weighted, w) }
        let n = (t + s - 1) / s, padded = n * s
        let full = padded == t ? weighted : tape.concat([weighted, Variable(Tensor(zeros: [b, padded - t, r]))], axis: 1)
        var lower = [Float](repeating: 0, count: s * s)
        for i in 0..<s { for j in 0...i { lower[i * s + j] = 1 } }
        let triangles = Tensor.concat(Array(repeating: Tensor(shape: [1, s, s], scalars: lower), count: b * n), axis: 0)
        let sums = tape.reshape(tape.batchedMatmul(Variable(triangles), tape.reshape(full, [b * n, s, r])), [b, padded, r])
        return (padded == t ? sums : tape.slice(sums, axis: 1, start: 0, length: t), w)
    }

    public func callAsFunction(_ x: Variable, prefix: Variable?, prefixLengths: [Int]?, positions: Int32Tensor,
                               keyLengths: Int32Tensor?, on tape: Tape) -> Variable {
        let a = AttentionKeys(x, prefix: prefix, prefixLengths: prefixLengths, positions: positions, keyLengths: keyLengths, on: tape)
        let (c, kR) = projection.latents(a.keys, positions: a.keyPositions, on: tape)
        let merged = mergedLatents(c, on: tape).merged
        let q = projection.absorbedQueries(x, positions: a.queryPositions, on: tape)
        return projection.attend(q, latents: merged, ropeKeys: kR, causal: true, queryOffset: a.queryOffset,
                                 queryOffsets: a.queryOffsets, keyLengths: a.keyLengths,
                                 predicate: AttentionMask.strideAwareCausal(stride: downRate), on: tape)
    }

    public func debugTensors(_ x: Tensor, positions: Int32Tensor, context: ComputeContext) -> [String: Tensor] {
        let tape = Tape(context: context, mode: .inference)
        let (c, kR) = projection.latents(Variable(x), positions: positions, on: tape)
        let (merged, gates) = mergedLatents(c, on: tape)
        return ["debug.kv_norm": c.value, "debug.k_pe": kR.value, "debug.gate": gates.value, "debug.merged_latent": merged.value]
    }

    public var cacheFloatsPerToken: Double { Double(config.kvLoraRank + config.qkRopeHeadDim) / Double(downRate) }

    public func makeCache(batch: Int) -> any KVCache {
        TemporalLatentKVCache(batch: batch, rank: config.kvLoraRank, ropeDim: config.qkRopeHeadDim, downRate: downRate)
    }

    func ownCache(_ cache: any KVCache, batch: Int, empty: Bool = false) throws -> TemporalLatentKVCache {
        guard let c = cache as? TemporalLatentKVCache, c.batch == batch, c.downRate == downRate, c.rank == config.kvLoraRank,
              c.ropeDim == config.qkRopeHeadDim, !empty || c.length == 0 else {
            throw AttentionError.cacheMismatch(expected: "\(empty ? "empty " : "")TemporalLatentKVCache(batch: \(batch), s: \(downRate))",
                                               got: "\(cache.typeName) of length \(cache.length)")
        }
        return c
    }

    /// The training path over the prompt (outputs for every prompt position), then the cache holds
    /// rows I = {s−1, 2s−1, …} ∪ {L−1} of ĉ′ and K^R (spec §2.4, `recompute_prompt_attn=True`).
    public func prefill(_ x: Tensor, positions: Int32Tensor, cache: any KVCache, context: ComputeContext) throws -> Tensor {
        let cache = try ownCache(cache, batch: x.shape[0], empty: true)
        let tape = Tape(context: context, mode: .inference)
        let xv = Variable(x), l = x.shape[1]
        let (c, kR) = projection.latents(xv, positions: positions, on: tape)
        let merged = mergedLatents(c, on: tape).merged
        let ends = Int32Tensor(shape: [(l + downRate - 1) / downRate],
                               scalars: stride(from: 0, to: l, by: downRate).map { Int32(min($0 + downRate, l) - 1) })
        cache.store(latents: merged.value.indexSelect(axis: 1, ends), ropeKeys: kR.value.indexSelect(axis: 1, ends), steps: l)
        let q = projection.absorbedQueries(xv, positions: positions, on: tape)
        return projection.attend(q, latents: merged, ropeKeys: kR, causal: true, keyLengths: nil,
                                 predicate: AttentionMask.strideAwareCausal(stride: downRate), on: tape).value
    }

    public func step(_ x: Tensor, positions: Int32Tensor, lengths: [Int]?, cache: any KVCache, context: ComputeContext) throws -> Tensor {
        let cache = try ownCache(cache, batch: x.shape[0])
        try validateLengths(lengths, batch: x.shape[0], tokens: x.shape[1])
        let tape = Tape(context: context, mode: .inference)
        let (c, kR) = projection.latents(Variable(x), positions: positions, on: tape)
        let w = hyperNetwork.gates(c, starts: cache.steps, on: tape)
        cache.absorb(latents: c.value, ropeKeys: kR.value, gates: w.value, lengths: lengths ?? Array(repeating: x.shape[1], count: x.shape[0]))
        let (xq, pq) = lastTokens(x, positions: positions, lengths: lengths)
        let q = projection.absorbedQueries(Variable(xq), positions: pq, on: tape)
        return projection.attend(q, fusedCache: cache.buffer.storage, keyLengths: cache.buffer.keyLengths,
                                 shared: cache.buffer.sharedRows(heads: 1), on: tape).value
    }
}

/// The MTLA cache (spec §2.4): `prev_kv_t` (B, ⌈T/s⌉, r) merged latents, `prev_k_pe` (B, ⌈T/s⌉, dR) the
/// RoPE key of each chunk's newest token, `infer_steps` (B,) tokens absorbed. (r + dR)/s floats per token.
public final class TemporalLatentKVCache: LatentKVCache {
    public let downRate: Int
    /// Key tokens absorbed per row (the reference's `infer_steps`).
    public private(set) var steps: [Int]

    public init(batch: Int, rank: Int, ropeDim: Int, downRate: Int) {
        self.downRate = downRate
        steps = Array(repeating: 0, count: batch)
        super.init(batch: batch, rank: rank, ropeDim: ropeDim)
    }

    public override var length: Int { steps.max() ?? 0 }
    public override var rowLengths: [Int] { steps }

    /// A partial last slot (tokens absorbed not a multiple of s) still changes: it stays with each beam.
    override var rowsKeptOwnWhenShared: [Int]? { steps.map { $0 % downRate == 0 ? 0 : 1 } }

    public override func reorder(parents: [Int]) {
        super.reorder(parents: parents)
        steps = parents.map { steps[$0] }
    }

    /// Absorbs the first `lengths[b]` of L tokens in row b: latents c (B, L, r), RoPE keys (B, L, dR),
    /// gates w (B, L). The token with key index g (per row) opens a slot when g mod s = 0 (so s = 1
    /// appends every token), else adds into the last slot and replaces its RoPE key. In place.
    func absorb(latents c: Tensor, ropeKeys k: Tensor, gates w: Tensor, lengths: [Int]) {
        let (b, l, r, dr) = (batch, c.shape[1], rank, ropeDim), width = r + dr
        let old = buffer.counts, first = steps, s = downRate
        buffer.grow(by: (0..<b).map { row in (first[row]..<(first[row] + lengths[row])).filter { $0 % s == 0 }.count })
        c.withUnsafeBufferPointer { cp in k.withUnsafeBufferPointer { kp in w.withUnsafeBufferPointer { wp in
            buffer.withRows { rows, capacity in
                for row in 0..<b {
                    var slot = old[row] - 1
                    for j in 0..<lengths[row] {
                        let opens = (first[row] + j) % s == 0
                        if opens { slot += 1 }
                        let g = wp[row * l + j], dst = rows + (row * capacity + slot) * width, src = (row * l + j) * r
                        if opens { for i in 0..<r { dst[i] = g * cp[src + i] } } else { for i in 0..<r { dst[i] += g * cp[src + i] } }
                        for i in 0..<dr { dst[r + i] = kp[(row * l + j) * dr + i] }
                    }
                }
            }
        } } }
        for row in 0..<b { steps[row] += lengths[row] }
    }

    /// Replaces the contents: merged latents (B, slots, r), RoPE keys (B, slots, dR), tokens absorbed.
    func store(latents c: Tensor, ropeKeys k: Tensor, steps n: Int) {
        buffer = CacheBuffer(batch: batch, width: rank + ropeDim, capacity: max(16, c.shape[1]))
        append(latents: c, ropeKeys: k)
        steps = Array(repeating: n, count: batch)
    }

    public override var referenceTensors: [String: Tensor] {
        ["prev_kv_t": latents, "prev_k_pe": ropeKeys,
         "infer_steps": Tensor(shape: [batch], scalars: steps.map { Float($0) })]
    }
}
