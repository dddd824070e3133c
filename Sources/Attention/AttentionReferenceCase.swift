import Autograd
import Foundation
import NN
import SeededRandom
import TensorCore

/// A case in the format of the reference goldens (reference/README.md §2): the JSON's `variant`
/// (matched case-insensitively), `constructor_kwargs` (every field the reference accepts) and
/// `prompt_length`; the safetensors file holds the weights under the reference names, `x` (B, T, d)
/// and `position` (B, T). `run` computes what the reference stored, under the same names, so anyone
/// can hold `mtla`'s numerics against the reference (the `mtla attention run` command's library entry).
public struct AttentionReferenceCase: Decodable, Sendable {
    public var variant: String
    public var config: AttentionConfig
    public var promptLength: Int

    enum CodingKeys: String, CodingKey { case variant, config = "constructor_kwargs", promptLength = "prompt_length" }

    public init(variant: String, config: AttentionConfig, promptLength: Int) {
        self.variant = variant
        self.config = config
        self.promptLength = promptLength
    }

    /// The variant, or `AttentionError.unknownVariant`.
    public func kind() throws -> AttentionKind {
        guard let k = AttentionKind(caseInsensitive: variant) else { throw AttentionError.unknownVariant(variant) }
        return k
    }

    /// Builds the layer and loads its weights from `tensors` by reference name (every parameter must
    /// be present with its shape: `NNError.missingParameter` / `.shapeMismatch`; other tensors are ignored).
    public func layer(weights tensors: [String: Tensor], file: String = "<memory>") throws -> any SelfAttention {
        var g = Xoshiro256(seed: 0)
        let m = try makeAttention(try kind(), config: config, generator: &g)
        let names = Set(m.stateDictParameters().map(\.0))
        try m.load(tensors.filter { names.contains($0.key) }, file: file)
        return m
    }

    /// Runs the case: `y_full` (B, T, d), `y_incremental` (B, T, d), `y_prefill` (B, T−P+1, d),
    /// `cache_prompt.<name>`, `cache_final.<name>` (after the token-by-token run from an empty cache) and,
    /// for MTLA, `y_prefill_recompute` (B, T, d) and `cache_prompt_recompute.<name>`; MLA/MTLA also the
    /// `debug.*` intermediates (see `SelfAttention.debugTensors`).
    /// - Throws: `AttentionError.missingTensor` for `x` / `position`, `.shapeMismatch`, and loading errors.
    public func run(_ tensors: [String: Tensor], file: String = "<memory>", context: ComputeContext = .serial) throws -> [String: Tensor] {
        let m = try layer(weights: tensors, file: file)
        guard let x = tensors["x"] else { throw AttentionError.missingTensor("x") }
        guard let pos = tensors["position"] else { throw AttentionError.missingTensor("position") }
        guard x.rank == 3, x.shape[2] == config.embedDim else {
            throw AttentionError.shapeMismatch(what: "x", expected: [-1, -1, config.embedDim], got: x.shape)
        }
        let (b, t) = (x.shape[0], x.shape[1])
        guard pos.shape == [b, t] else { throw AttentionError.shapeMismatch(what: "position", expected: [b, t], got: pos.shape) }
        guard (1...t).contains(promptLength) else {
            throw AttentionError.shapeMismatch(what: "prompt_length", expected: [t], got: [promptLength])
        }
        let positions = Int32Tensor(shape: [b, t], scalars: pos.scalars.map { Int32($0.rounded()) })
        func cols(_ a: Tensor, _ s: Int, _ n: Int) -> Tensor { a.slice(axis: 1, start: s, length: n) }
        func cols(_ p: Int32Tensor, _ s: Int, _ n: Int) -> Int32Tensor {
            Int32Tensor(shape: [b, n], scalars: (0..<b).flatMap { r in p.scalars[(r * t + s)..<(r * t + s + n)] })
        }
        var out: [String: Tensor] = [:]
        out["y_full"] = m(Variable(x), positions: positions, on: Tape(context: context, mode: .inference)).value
        out.merge(m.debugTensors(x, positions: positions, context: context)) { a, _ in a }

        func decode(prompt: Int, recompute: Bool, prefix: String) throws -> (Tensor, any KVCache) {
            let cache = m.makeCache(batch: b)
            let first = recompute
                ? try m.prefill(cols(x, 0, prompt), positions: cols(positions, 0, prompt), cache: cache, context: context)
                : try m.step(cols(x, 0, prompt), positions: cols(positions, 0, prompt), cache: cache, context: context)
            if !prefix.isEmpty { for (k, v) in cache.referenceTensors { out["\(prefix).\(k)"] = v } }
            var ys = [first]
            for i in prompt..<t {
                ys.append(try m.step(cols(x, i, 1), positions: cols(positions, i, 1), cache: cache, context: context))
            }
            return (Tensor.concat(ys, axis: 1), cache)
        }
        let (inc, cache) = try decode(prompt: 1, recompute: false, prefix: "")
        out["y_incremental"] = inc
        for (k, v) in cache.referenceTensors { out["cache_final.\(k)"] = v }
        out["y_prefill"] = try decode(prompt: promptLength, recompute: false, prefix: "cache_prompt").0
        if m.kind == .mtla {
            out["y_prefill_recompute"] = try decode(prompt: promptLength, recompute: true, prefix: "cache_prompt_recompute").0
        }
        return out
    }
}
