import Attention
import Dispatch
import Autograd
import TensorCore

/// The incremental decoding state of a `DecoderOnly`: one KV cache per layer, each row's real prefix
/// length and how many tokens have been fed. Rows are sentences × beams; `reorder` follows the beam
/// search's choice of parents (and drops finished rows).
public final class DecoderState {
    public let caches: [any KVCache]
    /// Real prefix rows of each batch row (text token k sits at position prefixLengths[b] + k).
    public private(set) var prefixLengths: [Int]
    /// Text tokens fed so far (the same for every row).
    public internal(set) var tokenCount: Int
    /// Wall seconds spent inside the layers' self-attention (`SelfAttention.step`) so far.
    public internal(set) var attentionSeconds = 0.0

    init(caches: [any KVCache], prefixLengths: [Int]) {
        self.caches = caches
        self.prefixLengths = prefixLengths
        tokenCount = 0
    }

    public var batch: Int { prefixLengths.count }

    /// Bytes held by all layers' caches (Float32; spec §1.6 per token per layer times tokens and layers).
    public var cacheBytes: Int { caches.reduce(0) { $0 + $1.byteCount } }

    /// Keeps row `parents[i]` as new row i in every layer (beam reorder; fewer parents drop rows).
    public func reorder(parents: [Int]) {
        for c in caches { c.reorder(parents: parents) }
        prefixLengths = parents.map { prefixLengths[$0] }
    }
}

extension DecoderOnly {
    /// Generation step 0 (fairseq's first incremental call): every layer caches its row's real prefix
    /// rows and the first token, and the logits (B, V) of that token come back.
    ///
    /// - Parameters: prefix (B, P, d) from `prefix(_:on:)`, `prefixLengths` (B) real rows,
    ///   `tokens` (B) the first decoder input (EOS in fairseq).
    /// - Throws: `ModelError.invalidInput` for inconsistent shapes or ids outside the vocabulary.
    public func startDecoding(prefix: Tensor, prefixLengths: [Int], tokens: Int32Tensor,
                              context: ComputeContext) throws -> (state: DecoderState, logits: Tensor) {
        let (b, p, d) = (prefix.shape[0], prefix.shape[1], prefix.shape[2])
        guard prefix.rank == 3, d == config.decoderEmbedDim, prefixLengths.count == b,
              prefixLengths.allSatisfy({ (0...p).contains($0) }) else {
            throw ModelError.invalidInput(what: "prefix \(prefix.shape) with lengths \(prefixLengths)",
                                          expected: "(B, P, \(config.decoderEmbedDim)) and B lengths in 0...P")
        }
        let state = DecoderState(caches: layers.items.map { $0.selfAttention.makeCache(batch: b) }, prefixLengths: prefixLengths)
        let width = (prefixLengths.max() ?? 0) + 1
        let positions = Int32Tensor(shape: [b, width], scalars: prefixLengths.flatMap { l in (0..<width).map { Int32(min($0, l)) } })
        let logits = try run(tokens, state: state, context: context) { layer, h, cache in
            // keys per row: [prefix_b[..<L_b]; h_b], right-padded to `width`
            var keys = Tensor(zeros: [b, width, d])
            prefix.withUnsafeBufferPointer { src in h.withUnsafeBufferPointer { hp in keys.withUnsafeMutableBufferPointer { dst in
                for r in 0..<b {
                    let l = prefixLengths[r], row = dst.baseAddress! + r * width * d
                    row.update(from: src.baseAddress! + r * p * d, count: l * d)
                    (row + l * d).update(from: hp.baseAddress! + r * d, count: d)
                }
            } } }
            return try layer.selfAttention.step(keys, positions: positions, lengths: prefixLengths.map { $0 + 1 },
                                                cache: cache, context: context)
        }
        return (state, logits)
    }

    /// A later generation step: feeds `tokens` (B) at each row's next position → logits (B, V).
    /// - Throws: `ModelError.invalidInput` for a batch other than the state's, or ids outside the vocabulary.
    public func decodeStep(_ tokens: Int32Tensor, state: DecoderState, context: ComputeContext) throws -> Tensor {
        let b = state.batch
        let positions = Int32Tensor(shape: [b, 1], scalars: state.prefixLengths.map { Int32($0 + state.tokenCount) })
        return try run(tokens, state: state, context: context) { layer, h, cache in
            try layer.selfAttention.step(h, positions: positions, lengths: nil, cache: cache, context: context)
        }
    }

    /// Embeds `tokens`, runs every layer with `attend` computing its attention output (B, 1, d) from
    /// the normalised input h (B, 1, d) and the layer's cache, and returns the logits (B, V).
    private func run(_ tokens: Int32Tensor, state: DecoderState, context: ComputeContext,
                     attend: (DecoderOnlyLayer, Tensor, any KVCache) throws -> Tensor) throws -> Tensor {
        let b = state.batch
        guard tokens.scalars.count == b else {
            throw ModelError.invalidInput(what: "\(tokens.scalars.count) tokens for a state of \(b) rows", expected: "one token per row")
        }
        if let bad = tokens.scalars.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw ModelError.invalidInput(what: "token id \(bad)", expected: "ids below vocab_size \(config.vocabSize)")
        }
        let tape = Tape(context: context, mode: .inference)
        var x = embed(Int32Tensor(shape: [b, 1], scalars: tokens.scalars), on: tape)
        for (layer, cache) in zip(layers.items, state.caches) {
            let h = layer.selfAttentionLayerNorm(x, on: tape)
            let start = DispatchTime.now().uptimeNanoseconds
            let a = try attend(layer, h.value, cache)
            state.attentionSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            x = layer.feedForward(layer.selfAttentionLayerNorm(tape.add(x, Variable(a)), on: tape), on: tape)
        }
        state.tokenCount += 1
        return logits(x, on: tape).value.reshaped([b, config.vocabSize])
    }
}
