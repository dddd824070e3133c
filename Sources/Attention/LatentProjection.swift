import Autograd
import NN
import SeededRandom
import TensorCore

// Shapes: x (B, T, d); H heads, dn = qk_nope_head_dim, dR = qk_rope_head_dim, dv = v_head_dim,
// r = kv_lora_rank. Absorbed query q̂ (B, T, H, r + dR) = [q_nope·W_UK ; RoPE(q_rope)];
// latent c (B, T, r) = LayerNorm(x·W_kv_aᵀ[:r]); RoPE key kR (B, T, dR), one head shared by all heads.

/// The projections MLA and MTLA share (spec §1.4, §2.2), with the reference names: `wq` (or `wq_a`,
/// `q_norm`, `wq_b` when q_lora_rank > 0), `wkv_a`, `kv_norm`, `wkv_b`, `wo`.
///
/// The attention is computed in the latent space (weight absorption, §2.6): scores
/// (q̂·c + q_R·k_R)·(dn+dR)^(−1/2) are one dot product of [q̂; q_R] with [c; k_R], i.e. a multi-query
/// attention with key dim r + dR and value dim r, run by the fused kernel; W_UV is applied to the
/// weighted latent sum, then `wo`. Per-head K and V are never materialised.
/// `wkv_b.bias` exists when `bias` is set but is never used, as in the reference.
final class LatentProjection {
    let config: AttentionConfig
    let wq: Linear?, wqA: Linear?, qNorm: LayerNorm?, wqB: Linear?
    let wkvA: Linear, kvNorm: LayerNorm, wkvB: Linear, wo: Linear
    /// Dropout on the attention weights in training (the config's `dropout`, per absorbed head).
    let attentionDropout: Dropout
    var heads: Int { config.numHeads }
    var rank: Int { config.kvLoraRank }

    init<G: RandomNumberGenerator>(config: AttentionConfig, generator: inout G) {
        self.config = config
        let d = config.embedDim, h = config.numHeads, bias = config.bias ?? false
        if config.qLoraRank > 0 {
            wq = nil
            wqA = Linear(d, config.qLoraRank, bias: bias, generator: &generator)
            qNorm = LayerNorm(config.qLoraRank)
            wqB = Linear(config.qLoraRank, h * config.qkHeadDim, bias: bias, generator: &generator)
        } else {
            wq = Linear(d, h * config.qkHeadDim, bias: bias, generator: &generator)
            (wqA, qNorm, wqB) = (nil, nil, nil)
        }
        wkvA = Linear(d, config.kvLoraRank + config.qkRopeHeadDim, bias: bias, generator: &generator)
        kvNorm = LayerNorm(config.kvLoraRank)
        wkvB = Linear(config.kvLoraRank, h * (config.qkNopeHeadDim + config.vHeadDim), bias: bias, generator: &generator)
        wo = Linear(h * config.vHeadDim, d, bias: bias, generator: &generator)
        attentionDropout = Dropout(p: config.dropout, generator: Xoshiro256(seed: generator.next()))
    }

    /// The reference names, in the reference's registration order.
    var children: [(String, any Module)] {
        var q: [(String, any Module)] = []
        if let wq { q = [("wq", wq)] } else if let wqA, let qNorm, let wqB { q = [("wq_a", wqA), ("q_norm", qNorm), ("wq_b", wqB)] }
        return q + [("wkv_a", wkvA), ("kv_norm", kvNorm), ("wkv_b", wkvB), ("wo", wo), ("dropout_module", attentionDropout)]
    }

    /// `wkv_b.weight` viewed (H, dn + dv, r), rows [0, dn) = W_UK^h (`part` 0), [dn, dn + dv) = W_UV^h (1).
    ///
    /// When nothing is recorded (decoding) the two slices are kept between calls, keyed by the weight's
    /// storage: holding it makes any later write to the weight copy it first (copy-on-write), so a
    /// changed weight is seen as a new storage and sliced again.
    func upProjection(_ part: Int, on tape: Tape) -> Variable {
        if !tape.isRecording([wkvB.weight]) {
            if let s = slices, s.source.sharesStorage(with: wkvB.weight.value) { return part == 0 ? s.uk : s.uv }
            let w = wkvB.weight.value.reshaped([heads, config.qkNopeHeadDim + config.vHeadDim, rank])
            let s = (source: wkvB.weight.value, uk: Variable(w.slice(axis: 1, start: 0, length: config.qkNopeHeadDim)),
                     uv: Variable(w.slice(axis: 1, start: config.qkNopeHeadDim, length: config.vHeadDim)))
            slices = s
            return part == 0 ? s.uk : s.uv
        }
        let w = tape.reshape(wkvB.weight, [heads, config.qkNopeHeadDim + config.vHeadDim, rank])
        return part == 0 ? tape.slice(w, axis: 1, start: 0, length: config.qkNopeHeadDim)
            : tape.slice(w, axis: 1, start: config.qkNopeHeadDim, length: config.vHeadDim)
    }

    /// W_UK, W_UV sliced from the `wkv_b.weight` storage `source` (see `upProjection`).
    private var slices: (source: Tensor, uk: Variable, uv: Variable)?

    /// x (B, T, d) → q̂ (B, T, H, r + dR).
    func absorbedQueries(_ x: Variable, positions: Int32Tensor, on tape: Tape) -> Variable {
        let (b, t, h) = (x.shape[0], x.shape[1], heads)
        let q: Variable
        if let wq { q = wq(x, on: tape) } else { q = wqB!(qNorm!(wqA!(x, on: tape), on: tape), on: tape) }
        let parts = tape.split(tape.reshape(q, [b, t, h, config.qkHeadDim]), axis: 3,
                               sizes: [config.qkNopeHeadDim, config.qkRopeHeadDim])
        let qRope = tape.rope(parts[1], rowPositions: positions)
        let nope = tape.reshape(tape.permute(parts[0], [2, 0, 1, 3]), [h, b * t, config.qkNopeHeadDim])
        let absorbed = tape.batchedMatmul(nope, upProjection(0, on: tape))                       // (H, B·T, r)
        let qHat = tape.permute(tape.reshape(absorbed, [h, b, t, rank]), [1, 2, 0, 3])            // (B, T, H, r)
        return tape.concat([qHat, qRope], axis: 3)
    }

    /// x (B, T, d) → latent c (B, T, r) after `kv_norm`, rotated RoPE key kR (B, T, dR).
    func latents(_ x: Variable, positions: Int32Tensor, on tape: Tape) -> (latent: Variable, ropeKey: Variable) {
        let (b, t) = (x.shape[0], x.shape[1])
        let parts = tape.split(wkvA(x, on: tape), axis: 2, sizes: [rank, config.qkRopeHeadDim])
        let c = kvNorm(parts[0], on: tape)
        let k = tape.rope(tape.reshape(parts[1], [b, t, 1, config.qkRopeHeadDim]), rowPositions: positions)
        return (c, tape.reshape(k, [b, t, config.qkRopeHeadDim]))
    }

    /// Attention of q̂ (B, Tq, H, r + dR) over latents (B, Tk, r) with RoPE keys (B, Tk, dR) → (B, Tq, d)
    /// (the training path: keys [c; kR], values c).
    func attend(_ q: Variable, latents c: Variable, ropeKeys kR: Variable, causal: Bool, queryOffset: Int = 0,
                queryOffsets: Int32Tensor? = nil, keyLengths: Int32Tensor?, predicate: (@Sendable (Int, Int) -> Bool)?,
                on tape: Tape) -> Variable {
        let (b, tk) = (q.shape[0], c.shape[1])
        let k = tape.reshape(tape.concat([c, kR], axis: 2), [b, tk, 1, rank + config.qkRopeHeadDim])
        let v = tape.reshape(c, [b, tk, 1, rank])
        let o = tape.scaledDotProductAttention(q, k, v, layout: .sequenceMajor, scale: scoreScale,
                                               causal: causal, queryOffset: queryOffset, queryOffsets: queryOffsets,
                                               keyLengths: keyLengths, predicate: predicate,
                                               dropout: attentionDropout.attentionDropout(on: tape))                             // (B, Tq, H, r)
        return project(o, on: tape)
    }

    /// Decoding: attention of q̂ (B, Tq, H, r + dR) over a fused cache [c; kR] (B, Tk, r + dR) of which
    /// the first `keyLengths[b]` rows are valid. The fused rows serve as keys *and* values (the extra dR
    /// output columns are dropped), so the cache is read in place, as the reference's FlashAttention layout.
    ///
    /// With one query token the H heads share the single key head, so they are passed to the kernel as
    /// H query rows of one head (the same memory, (B, 1, H, D) = (B, H, 1, D)): each key tile is then
    /// read once for all heads, as one GEMM, instead of once per head.
    /// `shared`: rows [c; kR] stored once for several batch rows (a sentence's beams), read before each
    /// row's own rows.
    func attend(_ q: Variable, fusedCache kv: Tensor, keyLengths: Int32Tensor, shared: SharedKeyRows? = nil, on tape: Tape) -> Variable {
        let k = Variable(kv.reshaped([kv.shape[0], kv.shape[1], 1, kv.shape[2]]))
        let (b, tq, h, dk) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let rows = tq == 1 ? tape.reshape(q, [b, h, 1, dk]) : q
        let o = shared.map { tape.decodeAttention(rows, keys: k.value, values: k.value, scale: scoreScale, keyLengths: keyLengths,
                                                  sharedKeys: $0, sharedValues: $0) }
            ?? tape.scaledDotProductAttention(rows, k, k, layout: .sequenceMajor, scale: scoreScale, keyLengths: keyLengths)
        return project(tq == 1 ? tape.reshape(o, [b, 1, h, o.shape[3]]) : o, on: tape)
    }

    var scoreScale: Float { 1 / Float(config.qkHeadDim).squareRoot() }

    /// Weighted latent sums o (B, Tq, H, ≥ r; the first r columns are used) → W_UV per head → concat → `wo`: (B, Tq, d).
    func project(_ o: Variable, on tape: Tape) -> Variable {
        let (b, tq, h) = (o.shape[0], o.shape[1], heads)
        let latent = o.shape[3] == rank ? o : tape.slice(o, axis: 3, start: 0, length: rank)
        let flat = tape.reshape(tape.permute(latent, [2, 0, 1, 3]), [h, b * tq, rank])
        let u = tape.batchedMatmul(flat, upProjection(1, on: tape), transposeB: true)            // (H, B·Tq, dv)
        let merged = tape.reshape(tape.permute(tape.reshape(u, [h, b, tq, config.vHeadDim]), [1, 2, 0, 3]),
                                  [b, tq, h * config.vHeadDim])
        return wo(merged, on: tape)
    }
}
