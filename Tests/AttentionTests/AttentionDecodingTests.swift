import Autograd
import NN
import SeededRandom
import TensorCore
import Testing
import Attention
import Foundation

/// Random-weight checks of the decoding path: incremental (with and without a prompt) equals the
/// full-sequence path for every variant, MTLA s = 1…4, odd and even lengths; caches reorder by beam
/// parents and count their bytes as spec §1.6.
@Suite struct AttentionDecodingTests {
    static let cases: [(AttentionKind, AttentionConfig, Int, Int)] = {
        var c: [(AttentionKind, AttentionConfig, Int, Int)] = []
        for (len, prompt) in [(7, 1), (8, 3), (9, 4)] {
            for kind in [AttentionKind.mha, .gqa, .mqa, .mla] { c.append((kind, tinyConfig(), len, prompt)) }
            for s in 1...4 { c.append((.mtla, tinyConfig(downRate: s), len, prompt)) }
        }
        c.append((.mla, tinyConfig(qLoraRank: 4, bias: true), 8, 3))
        // Longer than the caches' initial capacity (16 rows), so they grow while decoding.
        c += [(.mha, tinyConfig(), 37, 1), (.gqa, tinyConfig(), 37, 20), (.mla, tinyConfig(), 37, 20),
              (.mtla, tinyConfig(downRate: 1), 37, 1), (.mtla, tinyConfig(downRate: 3), 40, 17)]
        c.append((.mtla, tinyConfig(qLoraRank: 4, bias: true, downRate: 3), 8, 3))
        return c
    }()

    @Test(arguments: cases.indices) func incrementalEqualsFull(_ index: Int) throws {
        let (kind, config, t, prompt) = Self.cases[index]
        var g = Xoshiro256(seed: 100 + UInt64(index))
        let m = try makeAttention(kind, config: config, generator: &g)
        let x = Tensor.randomNormal([2, t, 8], using: &g)
        let p = rowPositions(batch: 2, length: t, offsets: [0, 5])
        let full = m(Variable(x), positions: p, on: Tape(mode: .inference)).value
        let (y, cache, _) = try incremental(m, x, p, prompt: prompt)
        let err = worstScaledError(y, columns(full, prompt - 1, t - prompt + 1))
        #expect(err <= 1e-5, "\(kind) s=\(config.downRate) T=\(t) P=\(prompt): \(err)")
        #expect(cache.length == t)
    }

    /// Floats per token per layer at the defaults (spec §1.6): 1024, 256, 128, 288, 144/96/72.
    @Test func cacheBytesMatchTheAnalyticSizes() throws {
        let t = 12
        let expected: [(AttentionKind, Int, Int)] = [(.mha, 2, 1024), (.gqa, 2, 256), (.mqa, 2, 128), (.mla, 2, 288),
                                                      (.mtla, 2, 144), (.mtla, 3, 96), (.mtla, 4, 72)]
        for (kind, s, floats) in expected {
            var g = Xoshiro256(seed: 1)
            let m = try makeAttention(kind, config: AttentionConfig(downRate: s), generator: &g)
            let cache = m.makeCache(batch: 1)
            let x = Tensor.randomNormal([1, t, 512], using: &g)
            _ = try m.step(x, positions: rowPositions(batch: 1, length: t, offsets: [0]), cache: cache, context: .serial)
            #expect(cache.byteCount == floats * t * 4, "\(kind) s=\(s): \(cache.byteCount) bytes for \(t) tokens")
        }
    }

    /// Reordering by beam parents before a step gives the step of the reordered rows. Two rows share a
    /// parent, so its rows are kept once (shared) instead of copied: fewer bytes held, the same rows
    /// (`rowLengths`, the reference tensors), and outputs equal up to the kernel's split of the keys
    /// into shared and own ones (float rounding: ≤ 1e-6 here).
    @Test(arguments: [AttentionKind.mha, .gqa, .mla, .mtla]) func reorderFollowsBeamParents(_ kind: AttentionKind) throws {
        var g = Xoshiro256(seed: 5)
        let m = try makeAttention(kind, config: tinyConfig(downRate: 2), generator: &g)
        let x = Tensor.randomNormal([3, 5, 8], using: &g)
        let p = rowPositions(batch: 3, length: 5, offsets: [0, 0, 0])
        let parents = [2, 2, 0]
        let a = m.makeCache(batch: 3)
        _ = try m.step(columns(x, 0, 4), positions: columns(p, 0, 4), cache: a, context: .serial)
        a.reorder(parents: parents)
        let xr = x.indexSelect(axis: 0, Int32Tensor(shape: [3], scalars: parents.map(Int32.init)))
        let ya = try m.step(columns(xr, 4, 1), positions: columns(p, 4, 1), cache: a, context: .serial)
        // The same rows built directly.
        let b = m.makeCache(batch: 3)
        _ = try m.step(columns(xr, 0, 4), positions: columns(p, 0, 4), cache: b, context: .serial)
        let yb = try m.step(columns(xr, 4, 1), positions: columns(p, 4, 1), cache: b, context: .serial)
        #expect(ya.shape == yb.shape && zip(ya.scalars, yb.scalars).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(ya) vs \(yb)")
        #expect(a.rowLengths == b.rowLengths && a.byteCount < b.byteCount, "\(a.rowLengths) \(a.byteCount) vs \(b.byteCount)")
        for (name, t) in b.referenceTensors { #expect(a.referenceTensors[name] == t, "\(name)") }
        a.reorder(parents: [1])
        #expect(a.batch == 1)
    }

    @Test func wrongCacheIsAnError() throws {
        var g = Xoshiro256(seed: 5)
        let mla = try makeAttention(.mla, config: tinyConfig(), generator: &g)
        let mtla = try makeAttention(.mtla, config: tinyConfig(), generator: &g)
        let x = Tensor.randomNormal([1, 1, 8], using: &g)
        let p = rowPositions(batch: 1, length: 1, offsets: [0])
        #expect(throws: AttentionError.self) { try mla.step(x, positions: p, cache: mtla.makeCache(batch: 1), context: .serial) }
        #expect(throws: AttentionError.self) { try mtla.step(x, positions: p, cache: mla.makeCache(batch: 1), context: .serial) }
    }

    @Test func configValidation() throws {
        #expect(throws: AttentionError.embedDimNotDivisible(embedDim: 10, numHeads: 4)) {
            try AttentionConfig(embedDim: 10, numHeads: 4).resolved(for: .mha)
        }
        #expect(throws: AttentionError.headsNotDivisible(numHeads: 8, numKvHeads: 3)) {
            try AttentionConfig(numKvHeads: 3).resolved(for: .gqa)
        }
        #expect(throws: AttentionError.mqaNeedsOneKvHead(numKvHeads: 2)) { try AttentionConfig(numKvHeads: 2).resolved(for: .mqa) }
        #expect(throws: AttentionError.nonPositive(field: "down_rate", value: 0)) { try AttentionConfig(downRate: 0).resolved(for: .mtla) }
        #expect(throws: AttentionError.oddDimension(field: "qk_rope_head_dim", value: 3)) {
            try AttentionConfig(qkRopeHeadDim: 3).resolved(for: .mla)
        }
        // Reference names round-trip; absent fields take the reference defaults.
        let c = AttentionConfig(embedDim: 64, numHeads: 4, numKvHeads: 2, qLoraRank: 8, downRate: 3, bias: true)
        #expect(try JSONDecoder().decode(AttentionConfig.self, from: JSONEncoder().encode(c)) == c)
        let minimal = try JSONDecoder().decode(AttentionConfig.self, from: Data(#"{"embed_dim": 512, "num_heads": 8}"#.utf8))
        #expect(minimal == AttentionConfig())
        let r = try AttentionConfig().resolved(for: .gqa)
        #expect(r.bias == true && r.numKvHeads == 2)
        #expect(try AttentionConfig().resolved(for: .mtla).bias == false)
    }

    /// Parameter counts of the reference at the defaults (spec §3.2): MTLA 1,098,368, MLA 1,065,472.
    @Test func defaultParameterCounts() throws {
        var g = Xoshiro256(seed: 1)
        #expect(try makeAttention(.mtla, config: AttentionConfig(), generator: &g).parameterCount == 1_098_368)
        #expect(try makeAttention(.mla, config: AttentionConfig(), generator: &g).parameterCount == 1_065_472)
    }
}

@Suite struct AttentionRaggedBatchTests {
    /// A batch whose rows have prompts of different lengths (right-padded, `lengths`) decodes each row
    /// exactly as that row alone (MTLA chunks start at each row's own first key).
    @Test(arguments: [(AttentionKind.mha, 2), (.gqa, 2), (.mqa, 2), (.mla, 2), (.mtla, 1), (.mtla, 2), (.mtla, 3), (.mtla, 4)])
    func raggedPromptsDecodeAsSingleRows(_ kind: AttentionKind, _ s: Int) throws {
        var g = Xoshiro256(seed: 21)
        let m = try makeAttention(kind, config: tinyConfig(downRate: s), generator: &g)
        let prompts = [5, 2, 4], steps = 6, b = prompts.count
        let x = Tensor.randomNormal([b, 5 + steps, 8], using: &g)
        let p = rowPositions(batch: b, length: 5 + steps, offsets: [0, 7, 2])
        // Batched: prompt call with lengths, then one token per row per step (row r's token i is at prompts[r] + i).
        let cache = m.makeCache(batch: b)
        var batched = [try m.step(columns(x, 0, 5), positions: columns(p, 0, 5), lengths: prompts, cache: cache, context: .serial)]
        for i in 0..<steps {
            let xi = Tensor.concat((0..<b).map { r in x.slice(axis: 0, start: r, length: 1).slice(axis: 1, start: prompts[r] + i, length: 1) }, axis: 0)
            let pi = Int32Tensor(shape: [b, 1], scalars: (0..<b).map { r in p.scalars[r * (5 + steps) + prompts[r] + i] })
            batched.append(try m.step(xi, positions: pi, cache: cache, context: .serial))
        }
        #expect(cache.rowLengths == prompts.map { $0 + steps })
        // Each row alone.
        for r in 0..<b {
            let xr = x.slice(axis: 0, start: r, length: 1), pr = Int32Tensor(shape: [1, 5 + steps], scalars: Array(p.scalars[(r * (5 + steps))..<((r + 1) * (5 + steps))]))
            let (alone, single, _) = try incremental(m, columns(xr, 0, prompts[r] + steps), columns(pr, 0, prompts[r] + steps), prompt: prompts[r])
            let mine = Tensor.concat(batched.map { $0.slice(axis: 0, start: r, length: 1) }, axis: 1)
            #expect(worstScaledError(mine, alone) <= 1e-6, "\(kind) s=\(s) row \(r)")
            #expect(single.rowLengths == [prompts[r] + steps])
        }
    }
}

@Suite struct AttentionWeightUpdateTests {
    /// An in-place update of `wkv_b.weight` (as an optimiser makes) is seen by the inference path,
    /// which keeps W_UK / W_UV slices between calls.
    @Test(arguments: [AttentionKind.mla, .mtla]) func inferenceSeesUpdatedWeights(_ kind: AttentionKind) throws {
        var g = Xoshiro256(seed: 9)
        let m = try makeAttention(kind, config: tinyConfig(), generator: &g)
        let x = Variable(Tensor.randomNormal([1, 6, 8], using: &g))
        let p = rowPositions(batch: 1, length: 6, offsets: [0])
        let before = m(x, positions: p, on: Tape(mode: .inference)).value
        let w = try #require(m.namedParameters().first { $0.0 == "wkv_b.weight" }).1
        w.value.withUnsafeMutableBufferPointer { for i in $0.indices { $0[i] *= 1.5 } }
        let after = m(x, positions: p, on: Tape(mode: .inference)).value
        let recorded = m(x, positions: p, on: Tape(mode: .recording)).value
        #expect(after != before)
        #expect(worstScaledError(after, recorded) <= 1e-6)
    }
}
