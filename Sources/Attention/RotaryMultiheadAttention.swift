import Autograd
import NN
import SeededRandom
import TensorCore

// Shapes: x (B, T, d); q (B, T, H, Dh); k, v (B, T, G, Dh) with G kv heads (G = H for MHA, 1 for MQA);
// out (B, T, d). Layout .sequenceMajor throughout, so no transposes.

/// fairseq's `RotaryMultiheadAttention` (G = H) and `GQARotaryMultiheadAttention` (G < H, query head h
/// reads kv head ⌊h / (H/G)⌋), spec §1.2–1.3: biased projections `q_proj`, `k_proj`, `v_proj`,
/// `out_proj`; q scaled by Dh^(−1/2) *before* RoPE over the whole head; scores are not scaled again.
public final class RotaryMultiheadAttention: SelfAttention {
    public let kind: AttentionKind
    public let config: AttentionConfig
    public let qProj: Linear, kProj: Linear, vProj: Linear, outProj: Linear
    /// Dropout on the attention weights in training (the config's `dropout`).
    let attentionDropout: Dropout
    let heads: Int, kvHeads: Int, headDim: Int

    /// - Parameter config: resolved for `kind` (see `AttentionConfig.resolved(for:)`).
    init<G: RandomNumberGenerator>(kind: AttentionKind, config: AttentionConfig, generator: inout G) {
        self.kind = kind
        self.config = config
        heads = config.numHeads
        kvHeads = config.numKvHeads ?? config.numHeads
        headDim = config.headDim
        let d = config.embedDim, bias = config.bias ?? true
        qProj = Linear(d, heads * headDim, bias: bias, generator: &generator)
        kProj = Linear(d, kvHeads * headDim, bias: bias, generator: &generator)
        vProj = Linear(d, kvHeads * headDim, bias: bias, generator: &generator)
        outProj = Linear(heads * headDim, d, bias: bias, generator: &generator)
        attentionDropout = Dropout(p: config.dropout, generator: Xoshiro256(seed: generator.next()))
    }

    public var children: [(String, any Module)] {
        [("q_proj", qProj), ("k_proj", kProj), ("v_proj", vProj), ("out_proj", outProj), ("dropout_module", attentionDropout)]
    }

    /// q (B, T, H, Dh): projected, scaled, rotated.
    func queries(_ x: Variable, positions: Int32Tensor, on tape: Tape) -> Variable {
        let (b, t) = (x.shape[0], x.shape[1])
        let q = tape.affine(qProj(x, on: tape), 1 / Float(headDim).squareRoot())
        return tape.rope(tape.reshape(q, [b, t, heads, headDim]), rowPositions: positions)
    }

    /// k (rotated), v: (B, T, G, Dh) each.
    func keysValues(_ x: Variable, positions: Int32Tensor, on tape: Tape) -> (Variable, Variable) {
        let (b, t) = (x.shape[0], x.shape[1])
        let k = tape.rope(tape.reshape(kProj(x, on: tape), [b, t, kvHeads, headDim]), rowPositions: positions)
        return (k, tape.reshape(vProj(x, on: tape), [b, t, kvHeads, headDim]))
    }

    func output(_ o: Variable, on tape: Tape) -> Variable {
        outProj(tape.reshape(o, [o.shape[0], o.shape[1], heads * headDim]), on: tape)
    }

    public func callAsFunction(_ x: Variable, prefix: Variable?, prefixLengths: [Int]?, positions: Int32Tensor,
                               keyLengths: Int32Tensor?, on tape: Tape) -> Variable {
        let a = AttentionKeys(x, prefix: prefix, prefixLengths: prefixLengths, positions: positions, keyLengths: keyLengths, on: tape)
        let q = queries(x, positions: a.queryPositions, on: tape)
        let (k, v) = keysValues(a.keys, positions: a.keyPositions, on: tape)
        let o = tape.scaledDotProductAttention(q, k, v, layout: .sequenceMajor, scale: 1, causal: true, queryOffset: a.queryOffset,
                                               queryOffsets: a.queryOffsets, keyLengths: a.keyLengths,
                                               dropout: attentionDropout.attentionDropout(on: tape))
        return output(o, on: tape)
    }

    public var cacheFloatsPerToken: Double { Double(2 * kvHeads * headDim) }

    public func makeCache(batch: Int) -> any KVCache { RotaryKVCache(batch: batch, kvHeads: kvHeads, headDim: headDim) }

    func ownCache(_ cache: any KVCache, batch: Int, empty: Bool = false) throws -> RotaryKVCache {
        guard let c = cache as? RotaryKVCache, c.batch == batch, c.kvHeads == kvHeads, c.headDim == headDim,
              !empty || c.length == 0 else {
            throw AttentionError.cacheMismatch(expected: "\(empty ? "empty " : "")RotaryKVCache(batch: \(batch), kvHeads: \(kvHeads))",
                                               got: "\(cache.typeName) of length \(cache.length)")
        }
        return c
    }

    public func prefill(_ x: Tensor, positions: Int32Tensor, cache: any KVCache, context: ComputeContext) throws -> Tensor {
        let cache = try ownCache(cache, batch: x.shape[0], empty: true)
        let tape = Tape(context: context, mode: .inference)
        let xv = Variable(x)
        let (k, v) = keysValues(xv, positions: positions, on: tape)
        cache.append(keys: k.value, values: v.value)
        let q = queries(xv, positions: positions, on: tape)
        return output(tape.scaledDotProductAttention(q, k, v, layout: .sequenceMajor, scale: 1, causal: true), on: tape).value
    }

    public func step(_ x: Tensor, positions: Int32Tensor, lengths: [Int]?, cache: any KVCache, context: ComputeContext) throws -> Tensor {
        let cache = try ownCache(cache, batch: x.shape[0])
        try validateLengths(lengths, batch: x.shape[0], tokens: x.shape[1])
        let tape = Tape(context: context, mode: .inference)
        let (k, v) = keysValues(Variable(x), positions: positions, on: tape)
        cache.append(keys: k.value, values: v.value, lengths: lengths)
        let (xq, pq) = lastTokens(x, positions: positions, lengths: lengths)
        let q = queries(Variable(xq), positions: pq, on: tape)
        let (keys, values, lengths) = cache.attentionInputs
        // MQA: the heads share the one kv head, so they go to the kernel as H query rows of one head
        // (same memory), and each key tile is read once for all heads.
        let rows = kvHeads == 1 ? tape.reshape(q, [q.shape[0], heads, 1, headDim]) : q
        let attended: Variable
        if let sharedKeys = cache.keyBuffer.sharedRows(heads: kvHeads), let sharedValues = cache.valueBuffer.sharedRows(heads: kvHeads) {
            attended = tape.decodeAttention(rows, keys: keys, values: values, scale: 1, keyLengths: lengths,
                                            sharedKeys: sharedKeys, sharedValues: sharedValues)
        } else {
            attended = tape.scaledDotProductAttention(rows, Variable(keys), Variable(values), layout: .sequenceMajor, scale: 1,
                                                      keyLengths: lengths)
        }
        let o = tape.reshape(attended, q.shape)
        return output(o, on: tape).value
    }
}

/// The MHA/GQA/MQA cache: rotated keys and values of every absorbed token, un-repeated (G heads),
/// stored (B, capacity, G·Dh) with amortised appends; the reference layout `prev_key` / `prev_value`
/// is (B, G, T, Dh). 2·G·Dh floats per token; after a beam expansion a sentence's rows are held once
/// for its beams (`CacheBuffer` shared rows).
public final class RotaryKVCache: KVCache {
    public let kvHeads: Int, headDim: Int
    var keyBuffer: CacheBuffer, valueBuffer: CacheBuffer

    public init(batch: Int, kvHeads: Int, headDim: Int) {
        self.kvHeads = kvHeads
        self.headDim = headDim
        keyBuffer = CacheBuffer(batch: batch, width: kvHeads * headDim)
        valueBuffer = keyBuffer
    }

    public var batch: Int { keyBuffer.batch }
    public var length: Int { keyBuffer.maxCount }
    public var rowLengths: [Int] { keyBuffer.totalCounts }
    public var byteCount: Int { (keyBuffer.usedCount + valueBuffer.usedCount) * MemoryLayout<Float>.size }

    /// Keys and values in use, (B, T, G, Dh) each.
    public var keys: Tensor { keyBuffer.rows.reshaped([batch, length, kvHeads, headDim]) }
    public var values: Tensor { valueBuffer.rows.reshaped([batch, length, kvHeads, headDim]) }

    /// Appends k, v (B, L, G, Dh) (the first `lengths[b]` tokens of row b).
    func append(keys k: Tensor, values v: Tensor, lengths: [Int]? = nil) {
        keyBuffer.append(k.reshaped([batch, k.shape[1], kvHeads * headDim]), lengths: lengths)
        valueBuffer.append(v.reshaped([batch, v.shape[1], kvHeads * headDim]), lengths: lengths)
    }

    /// The whole buffers as (B, capacity, G, Dh) attention inputs and the (B) valid key counts.
    var attentionInputs: (keys: Tensor, values: Tensor, lengths: Int32Tensor) {
        let shape = [batch, keyBuffer.capacity, kvHeads, headDim]
        return (keyBuffer.storage.reshaped(shape), valueBuffer.storage.reshaped(shape), keyBuffer.keyLengths)
    }

    public func reorder(parents: [Int]) {
        keyBuffer.reorder(parents)
        valueBuffer.reorder(parents)
    }

    public var referenceTensors: [String: Tensor] {
        ["prev_key": keys.permuted([0, 2, 1, 3]), "prev_value": values.permuted([0, 2, 1, 3])]
    }
}
