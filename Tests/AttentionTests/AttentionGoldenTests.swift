import Autograd
import Foundation
import NN
import SeededRandom
import TensorCore
import Testing
import _TestSupport
import Attention

/// One case of Data/reference/attention (reference/README.md §2): weights under the reference names,
/// `x` (B, T, d), `position` (B, T) and the reference outputs and caches.
struct AttentionGoldenCase {
    let name: String
    let kind: AttentionKind
    let config: AttentionConfig
    let promptLength: Int
    let tensors: [String: Tensor]

    private struct Meta: Decodable {
        let variant: String
        let constructor_kwargs: AttentionConfig
        let prompt_length: Int
    }

    init(_ name: String) throws {
        self.name = name
        let meta = try JSONDecoder().decode(Meta.self, from: Data(contentsOf: TestData.reference("attention/\(name).json")))
        kind = try #require(AttentionKind(caseInsensitive: meta.variant))
        config = meta.constructor_kwargs
        promptLength = meta.prompt_length
        tensors = try SafeTensors.read(TestData.reference("attention/\(name).safetensors")).tensors
    }

    var x: Tensor { tensors["x"]! }
    var positions: Int32Tensor {
        let p = tensors["position"]!
        return Int32Tensor(shape: p.shape, scalars: p.scalars.map { Int32($0) })
    }

    /// The layer with the case's weights, loaded strictly by reference name.
    func layer() throws -> any SelfAttention {
        var g = Xoshiro256(seed: 7)
        let m = try makeAttention(kind, config: config, generator: &g)
        let names = Set(m.stateDictParameters().map(\.0))
        try m.load(tensors.filter { names.contains($0.key) }, file: name)
        return m
    }
}

/// The README's tolerance: max abs 1e-5, relative 1e-5 for reference values above 1 (float32
/// re-implementations differ from the reference by summation order only; its own inc-vs-full gap is ≤ 1.07e-6).
func worstScaledError(_ got: Tensor, _ want: Tensor) -> Double {
    precondition(got.shape == want.shape, "shape \(got.shape) vs reference \(want.shape)")
    var worst = 0.0
    for (a, b) in zip(got.scalars, want.scalars) {
        let d = abs(Double(a) - Double(b)) / max(1, abs(Double(b)))
        if !(d <= worst) { worst = d.isNaN ? .infinity : d }
    }
    return worst
}

let goldenTolerance = 1e-5

/// Columns `start..<start+length` of (B, T, …) tensors / positions.
func columns(_ t: Tensor, _ start: Int, _ length: Int) -> Tensor { t.slice(axis: 1, start: start, length: length) }
func columns(_ p: Int32Tensor, _ start: Int, _ length: Int) -> Int32Tensor {
    let (b, t) = (p.shape[0], p.shape[1])
    var s: [Int32] = []
    for r in 0..<b { s += p.scalars[(r * t + start)..<(r * t + start + length)] }
    return Int32Tensor(shape: [b, length], scalars: s)
}

/// Token-by-token from an empty cache: outputs (B, T, d) and the final cache.
func incremental(_ m: any SelfAttention, _ x: Tensor, _ p: Int32Tensor, prompt: Int = 1) throws -> (Tensor, any KVCache, [String: Tensor]) {
    let cache = m.makeCache(batch: x.shape[0])
    var outs = [try m.step(columns(x, 0, prompt), positions: columns(p, 0, prompt), cache: cache, context: .serial)]
    let afterPrompt = cache.referenceTensors
    for t in prompt..<x.shape[1] {
        outs.append(try m.step(columns(x, t, 1), positions: columns(p, t, 1), cache: cache, context: .serial))
    }
    return (Tensor.concat(outs, axis: 1), cache, afterPrompt)
}

let goldenCases = ["mha", "gqa", "mqa", "mla", "mtla_s2", "mtla_s3", "mtla_s4"].filter {
    FileManager.default.fileExists(atPath: TestData.reference("attention/\($0).safetensors").path)
}

@Suite struct AttentionGoldenTests {
    @Test(arguments: goldenCases) func parameterNamesAreTheReference(_ name: String) throws {
        let c = try AttentionGoldenCase(name)
        let m = try c.layer()
        let weights = Set(c.tensors.keys.filter { $0.hasSuffix(".weight") || $0.hasSuffix(".bias") })
        #expect(Set(m.stateDictParameters().map(\.0)) == weights)
    }

    @Test(arguments: goldenCases) func fullSequenceMatches(_ name: String) throws {
        let c = try AttentionGoldenCase(name)
        let m = try c.layer()
        let tape = Tape(mode: .inference)
        let y = m(Variable(c.x), positions: c.positions, on: tape).value
        let err = worstScaledError(y, c.tensors["y_full"]!)
        #expect(err <= goldenTolerance, "\(name) y_full: \(err)")
    }

    @Test(arguments: goldenCases) func incrementalMatches(_ name: String) throws {
        let c = try AttentionGoldenCase(name)
        let m = try c.layer()
        let (y, cache, _) = try incremental(m, c.x, c.positions)
        let err = worstScaledError(y, c.tensors["y_incremental"]!)
        #expect(err <= goldenTolerance, "\(name) y_incremental: \(err)")
        for (key, value) in cache.referenceTensors {
            let want = try #require(c.tensors["cache_final.\(key)"], "no cache_final.\(key)")
            let e = worstScaledError(value, want)
            #expect(e <= goldenTolerance, "\(name) cache_final.\(key): \(e)")
        }
        // Incremental equals the full path (the reference's own gap is ≤ 1.07e-6).
        let full = m(Variable(c.x), positions: c.positions, on: Tape(mode: .inference)).value
        #expect(worstScaledError(y, full) <= goldenTolerance)
    }

    @Test(arguments: goldenCases) func prefillMatches(_ name: String) throws {
        let c = try AttentionGoldenCase(name)
        let m = try c.layer()
        let (y, _, prompt) = try incremental(m, c.x, c.positions, prompt: c.promptLength)
        let err = worstScaledError(y, c.tensors["y_prefill"]!)
        #expect(err <= goldenTolerance, "\(name) y_prefill: \(err)")
        for (key, value) in prompt {
            let want = try #require(c.tensors["cache_prompt.\(key)"], "no cache_prompt.\(key)")
            let e = worstScaledError(value, want)
            #expect(e <= goldenTolerance, "\(name) cache_prompt.\(key): \(e)")
        }
    }
}

@Suite struct AttentionRecomputePrefillTests {
    /// MTLA with `recompute_prompt_attn=True`: prompt outputs from the training path, then token by token.
    @Test(arguments: goldenCases.filter { $0.hasPrefix("mtla") }) func recomputedPrefillMatches(_ name: String) throws {
        let c = try AttentionGoldenCase(name)
        let m = try c.layer()
        let (b, t, p) = (c.x.shape[0], c.x.shape[1], c.promptLength)
        let cache = m.makeCache(batch: b)
        var outs = [try m.prefill(columns(c.x, 0, p), positions: columns(c.positions, 0, p), cache: cache, context: .serial)]
        for (key, value) in cache.referenceTensors {
            let want = try #require(c.tensors["cache_prompt_recompute.\(key)"], "no cache_prompt_recompute.\(key)")
            #expect(worstScaledError(value, want) <= goldenTolerance, "\(name) cache_prompt_recompute.\(key)")
        }
        for i in p..<t {
            outs.append(try m.step(columns(c.x, i, 1), positions: columns(c.positions, i, 1), cache: cache, context: .serial))
        }
        let err = worstScaledError(Tensor.concat(outs, axis: 1), c.tensors["y_prefill_recompute"]!)
        #expect(err <= goldenTolerance, "\(name) y_prefill_recompute: \(err)")
        #expect(cache.length == t)
    }

    /// Every variant: the recomputing prefill gives the full path's prompt outputs and a cache equal to
    /// the token-by-token prompt's.
    @Test(arguments: goldenCases) func prefillEqualsFullAndStepCache(_ name: String) throws {
        let c = try AttentionGoldenCase(name)
        let m = try c.layer()
        let p = c.promptLength
        let cache = m.makeCache(batch: c.x.shape[0])
        let y = try m.prefill(columns(c.x, 0, p), positions: columns(c.positions, 0, p), cache: cache, context: .serial)
        #expect(worstScaledError(y, columns(c.tensors["y_full"]!, 0, p)) <= goldenTolerance)
        for (key, value) in cache.referenceTensors {
            let want = try #require(c.tensors["cache_prompt.\(key)"])
            #expect(worstScaledError(value, want) <= goldenTolerance, "\(name) cache_prompt.\(key)")
        }
        #expect(throws: AttentionError.self) {
            try m.prefill(columns(c.x, 0, p), positions: columns(c.positions, 0, p), cache: cache, context: .serial)
        }
    }
}

@Suite struct AttentionPrefixTests {
    /// Keys [prefix; text] with queries only for the text rows give the reference's full-sequence rows
    /// for those positions (prefix lengths 1 and 4; MTLA chunks counted from key 0).
    @Test(arguments: goldenCases) func prefixPathMatchesFullRows(_ name: String) throws {
        let c = try AttentionGoldenCase(name)
        let m = try c.layer()
        let t = c.x.shape[1]
        for p in [1, 4] {
            let y = m(Variable(columns(c.x, p, t - p)), prefix: Variable(columns(c.x, 0, p)), positions: c.positions,
                      keyLengths: nil, on: Tape(mode: .inference)).value
            let err = worstScaledError(y, columns(c.tensors["y_full"]!, p, t - p))
            #expect(err <= goldenTolerance, "\(name) prefix \(p): \(err)")
        }
    }
}
