import Autograd
import NN
import SeededRandom
import TensorCore

/// fairseq's `MultiheadLatentAttention` (DeepSeek-V2 style, spec §1.4): latent KV of rank r with
/// decoupled RoPE, absorbed computation in training and decoding. Parameters: see `LatentProjection`.
public final class MultiheadLatentAttention: SelfAttention {
    public var kind: AttentionKind { .mla }
    public let config: AttentionConfig
    let projection: LatentProjection

    init<G: RandomNumberGenerator>(config: AttentionConfig, generator: inout G) {
        self.config = config
        projection = LatentProjection(config: config, generator: &generator)
    }

    public var children: [(String, any Module)] { projection.children }

    public func callAsFunction(_ x: Variable, prefix: Variable?, prefixLengths: [Int]?, positions: Int32Tensor,
                               keyLengths: Int32Tensor?, on tape: Tape) -> Variable {
        let a = AttentionKeys(x, prefix: prefix, prefixLengths: prefixLengths, positions: positions, keyLengths: keyLengths, on: tape)
        let (c, kR) = projection.latents(a.keys, positions: a.keyPositions, on: tape)
        let q = projection.absorbedQueries(x, positions: a.queryPositions, on: tape)
        return projection.attend(q, latents: c, ropeKeys: kR, causal: true, queryOffset: a.queryOffset,
                                 queryOffsets: a.queryOffsets, keyLengths: a.keyLengths, predicate: nil, on: tape)
    }

    public func debugTensors(_ x: Tensor, positions: Int32Tensor, context: ComputeContext) -> [String: Tensor] {
        let (c, kR) = projection.latents(Variable(x), positions: positions, on: Tape(context: context, mode: .inference))
        return ["debug.kv_norm": c.value, "debug.k_pe": kR.value]
    }

    public var cacheFloatsPerToken: Double { Double(config.kvLoraRank + config.qkRopeHeadDim) }

    public func makeCache(batch: Int) -> any KVCache {
        LatentKVCache(batch: batch, rank: config.kvLoraRank, ropeDim: config.qkRopeHeadDim)
    }

    func ownCache(_ cache: any KVCache, batch: Int, empty: Bool = false) throws -> LatentKVCache {
        guard let c = cache as? LatentKVCache, !(c is TemporalLatentKVCache), c.batch == batch, c.rank == config.kvLoraRank,
              c.ropeDim == config.qkRopeHeadDim, !empty || c.length == 0 else {
            throw AttentionError.cacheMismatch(expected: "\(empty ? "empty " : "")LatentKVCache(batch: \(batch))",
                                               got: "\(cache.typeName) of length \(cache.length)")
        }
        return c
    }

    public func prefill(_ x: Tensor, positions: Int32Tensor, cache: any KVCache, context: ComputeContext) throws -> Tensor {
        let cache = try ownCache(cache, batch: x.shape[0], empty: true)
        let tape = Tape(context: context, mode: .inference)
        let xv = Variable(x)
        let (c, kR) = projection.latents(xv, positions: positions, on: tape)
        cache.append(latents: c.value, ropeKeys: kR.value)
        let q = projection.absorbedQueries(xv, positions: positions, on: tape)
        return projection.attend(q, latents: c, ropeKeys: kR, causal: true, keyLengths: nil, predicate: nil, on: tape).value
    }

    public func step(_ x: Tensor, positions: Int32Tensor, lengths: [Int]?, cache: any KVCache, context: ComputeContext) throws -> Tensor {
        let cache = try ownCache(cache, batch: x.shape[0])
        try validateLengths(lengths, batch: x.shape[0], tokens: x.shape[1])
        let tape = Tape(context: context, mode: .inference)
        let (c, kR) = projection.latents(Variable(x), positions: positions, on: tape)
        cache.append(latents: c.value, ropeKeys: kR.value, lengths: lengths)
        let (xq, pq) = lastTokens(x, positions: positions, lengths: lengths)
        let q = projection.absorbedQueries(Variable(xq), positions: pq, on: tape)
        return projection.attend(q, fusedCache: cache.buffer.storage, keyLengths: cache.buffer.keyLengths,
                                 shared: cache.buffer.sharedRows(heads: 1), on: tape).value
    }
}

/// The MLA cache: post-LayerNorm latents `prev_kv` (B, T, r) and rotated RoPE keys `prev_k_pe`
/// (B, T, dR), held fused as rows [c; kR] of one growing (B, capacity, r + dR) buffer; r + dR floats
/// per token. MTLA's cache subclasses it with one slot per chunk.
public class LatentKVCache: KVCache {
    public let rank: Int, ropeDim: Int
    var buffer: CacheBuffer

    public init(batch: Int, rank: Int, ropeDim: Int) {
        self.rank = rank
        self.ropeDim = ropeDim
        buffer = CacheBuffer(batch: batch, width: rank + ropeDim)
    }

    public var batch: Int { buffer.batch }
    /// Slots held (= tokens for MLA).
    public var slots: Int { buffer.maxCount }
    public var length: Int { slots }
    public var rowLengths: [Int] { buffer.totalCounts }
    public var byteCount: Int { buffer.usedCount * MemoryLayout<Float>.size }

    /// (B, slots, r) and (B, slots, dR) (copies).
    public var latents: Tensor { buffer.rows.slice(axis: 2, start: 0, length: rank) }
    public var ropeKeys: Tensor { buffer.rows.slice(axis: 2, start: rank, length: ropeDim) }

    /// Appends one slot per token: c (B, L, r), kR (B, L, dR) (the first `lengths[b]` of row b).
    func append(latents c: Tensor, ropeKeys k: Tensor, lengths: [Int]? = nil) {
        buffer.append(Tensor.concat([c, k], axis: 2), lengths: lengths)
    }

    /// Own rows each entry keeps when a beam expansion turns its rows into shared ones (nil: none).
    var rowsKeptOwnWhenShared: [Int]? { nil }

    public func reorder(parents: [Int]) { buffer.reorder(parents, keepOwn: rowsKeptOwnWhenShared) }

    public var referenceTensors: [String: Tensor] { ["prev_kv": latents, "prev_k_pe": ropeKeys] }
}
