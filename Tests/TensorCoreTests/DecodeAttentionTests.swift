import TensorCore
import SeededRandom
import Testing
import _TestSupport

// The decode kernel (`FusedAttention.decode`) against the naive kernel in Double, on every instruction set
// this CPU runs, 1–3 threads. Sizes are odd (vector tails), key lengths ragged and longer than one split
// (256 keys) so the partial states are merged, rows per kv head 1…12 (12 = two row groups of the C kernel).
let decodeCases: [AttentionCase] = [
    AttentionCase(name: "MLA-like: 8 heads as rows of the one latent head, Dk 37 / Dv 29",
                  shape: .init(batch: 3, queryHeads: 1, queryLength: 8, keyLength: 700, qkDim: 37, vDim: 29),
                  layout: .sequenceMajor, keyLengths: [700, 257, 1]),
    AttentionCase(name: "GQA group 3, Dk 64", shape: .init(batch: 2, queryHeads: 6, kvHeads: 2, queryLength: 1,
                  keyLength: 513, qkDim: 64), layout: .sequenceMajor, keyLengths: [513, 300]),
    AttentionCase(name: "MHA one row per head, causal offset", shape: .init(batch: 1, queryHeads: 3, queryLength: 1,
                  keyLength: 1000, qkDim: 19, vDim: 16), causal: true, offset: 777),
    AttentionCase(name: "Tq 2 × group 4: rows with different ends", shape: .init(batch: 2, queryHeads: 8, kvHeads: 2,
                  queryLength: 2, keyLength: 300, qkDim: 21, vDim: 33), causal: true, offset: 298, keyLengths: [300, 150]),
    AttentionCase(name: "12 rows: two row groups", shape: .init(batch: 2, queryHeads: 12, kvHeads: 1, queryLength: 1,
                  keyLength: 260, qkDim: 24, vDim: 40), layout: .sequenceMajor, keyLengths: [260, 33]),
    AttentionCase(name: "tiny Dk 5 / Dv 3", shape: .init(batch: 2, queryHeads: 2, queryLength: 1, keyLength: 3,
                  qkDim: 5, vDim: 3)),
    AttentionCase(name: "fully hidden row", shape: .init(batch: 2, queryHeads: 4, kvHeads: 1, queryLength: 1,
                  keyLength: 40, qkDim: 16), keyLengths: [0, 40]),
]

@Suite struct DecodeAttentionTests {
    /// Float32 dot products over ≤ 64 terms, polynomial exp, rescaling at each split merge: of the order
    /// of the fused kernel's 2e-6 (its bound, 2e-5, is used); a lost split or a wrong row end moves
    /// outputs by ≥ 1e-2.
    static let tolerance = 2e-5

    func decode(_ inputs: AttentionInputs, threads: Int, isa: DecodeInstructionSet)
        -> (out: KernelBuffer<Float>, lse: KernelBuffer<Float>) {
        let s = inputs.c.shape
        let out = KernelBuffer<Float>(count: s.batch * s.queryHeads * s.queryLength * s.vDim, value: .nan)
        let lse = KernelBuffer<Float>(count: s.batch * s.queryHeads * s.queryLength, value: .nan)
        let ws = KernelBuffer<Float>(count: FusedAttention.decodeWorkspaceCount(shape: s, mask: inputs.mask), value: .nan)
        withExtendedLifetime(ws) {
            FusedAttention.decode(q: inputs.q.const, k: inputs.k.const, v: inputs.v.const, shape: s,
                                  layout: inputs.c.layout, scale: inputs.scale, mask: inputs.mask, out: out.pointer,
                                  logSumExp: lse.pointer, workspace: ws.pointer, threads: threads, instructionSet: isa)
        }
        return (out, lse)
    }

    @Test(arguments: decodeCases)
    func matchesNaiveOnEveryInstructionSetAndThreadCount(_ c: AttentionCase) {
        let inputs = c.make(seed: 11)
        #expect(FusedAttention.canDecode(shape: c.shape, mask: inputs.mask))
        let ref = inputs.naiveForward()
        let fusedLSE = inputs.fusedForward(threads: 1).lse.array
        for isa in DecodeInstructionSet.available {
            let one = decode(inputs, threads: 1, isa: isa)
            let diff = DifferenceStats(one.out.array, ref)
            #expect(diff.maxAbs <= Self.tolerance, "\(c) \(isa): \(diff)")
            // Log-sum-exp against the tiled kernel's (tested against a direct Double sum elsewhere).
            for (a, b) in zip(one.lse.array, fusedLSE) {
                #expect(a == b || abs(a - b) <= 5e-5, "\(c) \(isa): log-sum-exp \(a) vs \(b)")
            }
            for threads in [2, 3] {
                let other = decode(inputs, threads: threads, isa: isa)
                #expect(other.out.array == one.out.array && other.lse.array == one.lse.array,
                        "\(c) \(isa): \(threads) threads differ from 1")
            }
        }
    }

    @Test func fullyHiddenRowIsZero() {
        let inputs = decodeCases[6].make()
        let (out, lse) = decode(inputs, threads: 2, isa: .best)
        #expect(out.array[0..<(4 * 16)].allSatisfy { $0 == 0 })
        #expect(lse.array[0..<4].allSatisfy { $0 == -.infinity })
        #expect(!out.array.contains { $0.isNaN })
    }

    /// Elementwise masks and many rows per kv head stay on the tiled kernel.
    @Test func declinesWhatItDoesNotHandle() {
        let additive = AttentionCase(name: "additive", shape: .init(batch: 1, queryHeads: 2, queryLength: 1,
                                                                   keyLength: 10, qkDim: 8), additive: .shared).make()
        #expect(!FusedAttention.canDecode(shape: additive.c.shape, mask: additive.mask))
        let stride = AttentionCase(name: "stride", shape: .init(batch: 1, queryHeads: 2, queryLength: 1, keyLength: 10,
                                                                qkDim: 8), stride: 2).make()
        #expect(!FusedAttention.canDecode(shape: stride.c.shape, mask: stride.mask))
        let rows = AttentionShape(batch: 1, queryHeads: 8, kvHeads: 1, queryLength: 3, keyLength: 10, qkDim: 8)
        #expect(!FusedAttention.canDecode(shape: rows, mask: .none))
    }
}

/// `FusedAttention.decode` with a `DecodePrefix`: beams of a sentence share one stored prefix and
/// each has its own keys after it; the result equals decoding over each row's keys laid end to end.
@Suite struct DecodePrefixTests {
    @Test func sharedPrefixEqualsConcatenatedKeys() {
        // 5 rows: sentence 0's three beams, sentence 1's two; GQA group 3, odd dims, a prefix longer than
        // two splits (and one of 0 keys), ragged own keys (0 included).
        let (b, hq, hk, dk, dv) = (5, 6, 2, 23, 19)
        let prefixLengths = [600, 0], entry = [0, 0, 0, 1, 1], ownLengths = [5, 17, 1, 40, 0]
        let pcap = 650, lcap = 40
        var g = Xoshiro256(seed: 21)
        func random(_ n: Int) -> [Float] { (0..<n).map { _ in Float(g.nextGaussian()) } }
        let q = random(b * hq * dk)                              // (B, 1, Hq, Dk) sequence-major
        let pk = random(2 * pcap * hk * dk), pv = random(2 * pcap * hk * dv)
        let k = random(b * lcap * hk * dk), v = random(b * lcap * hk * dv)
        let shape = AttentionShape(batch: b, queryHeads: hq, kvHeads: hk, queryLength: 1, keyLength: lcap, qkDim: dk, vDim: dv)
        let lengths32 = ownLengths.map(Int32.init)
        let rowPrefix = entry.map { prefixLengths[$0] }

        func withPrefix(threads: Int) -> [Float] {
            var out = [Float](repeating: .nan, count: b * hq * dv)
            lengths32.withUnsafeBufferPointer { lp in
                let mask = AttentionMask(keyLengths: lp.baseAddress!)
                var ws = [Float](repeating: .nan, count: FusedAttention.decodeWorkspaceCount(shape: shape, mask: mask,
                                                                                               prefixLengths: rowPrefix))
                q.withUnsafeBufferPointer { qp in k.withUnsafeBufferPointer { kp in v.withUnsafeBufferPointer { vp in
                    pk.withUnsafeBufferPointer { pkp in pv.withUnsafeBufferPointer { pvp in
                        out.withUnsafeMutableBufferPointer { op in ws.withUnsafeMutableBufferPointer { wp in
                            let prefix = DecodePrefix(k: pkp.baseAddress!, v: pvp.baseAddress!, keyRowStride: hk * dk,
                                                      valueRowStride: hk * dv, keyOffsets: entry.map { $0 * pcap * hk * dk },
                                                      valueOffsets: entry.map { $0 * pcap * hk * dv }, lengths: rowPrefix)
                            FusedAttention.decode(q: qp.baseAddress!, k: kp.baseAddress!, v: vp.baseAddress!, shape: shape,
                                                  layout: .sequenceMajor, scale: 0.2, mask: mask, out: op.baseAddress!,
                                                  logSumExp: nil, workspace: wp.baseAddress!, threads: threads, prefix: prefix)
                        } }
                    } }
                } } }
            }
            return out
        }

        // The reference: each row's prefix and own keys laid end to end, decoded without a prefix.
        let total = zip(rowPrefix, ownLengths).map { $0 + $1 }, tcap = total.max()!
        var ck = [Float](repeating: 0, count: b * tcap * hk * dk), cv = [Float](repeating: 0, count: b * tcap * hk * dv)
        for r in 0..<b {
            for t in 0..<total[r] {
                let fromPrefix = t < rowPrefix[r]
                for h in 0..<hk {
                    for j in 0..<dk {
                        ck[((r * tcap + t) * hk + h) * dk + j] = fromPrefix ? pk[((entry[r] * pcap + t) * hk + h) * dk + j]
                            : k[((r * lcap + t - rowPrefix[r]) * hk + h) * dk + j]
                    }
                    for j in 0..<dv {
                        cv[((r * tcap + t) * hk + h) * dv + j] = fromPrefix ? pv[((entry[r] * pcap + t) * hk + h) * dv + j]
                            : v[((r * lcap + t - rowPrefix[r]) * hk + h) * dv + j]
                    }
                }
            }
        }
        let cshape = AttentionShape(batch: b, queryHeads: hq, kvHeads: hk, queryLength: 1, keyLength: tcap, qkDim: dk, vDim: dv)
        var reference = [Float](repeating: .nan, count: b * hq * dv)
        let totals32 = total.map(Int32.init)
        totals32.withUnsafeBufferPointer { lp in
            let mask = AttentionMask(keyLengths: lp.baseAddress!)
            var ws = [Float](repeating: .nan, count: FusedAttention.decodeWorkspaceCount(shape: cshape, mask: mask))
            q.withUnsafeBufferPointer { qp in ck.withUnsafeBufferPointer { kp in cv.withUnsafeBufferPointer { vp in
                reference.withUnsafeMutableBufferPointer { op in ws.withUnsafeMutableBufferPointer { wp in
                    FusedAttention.decode(q: qp.baseAddress!, k: kp.baseAddress!, v: vp.baseAddress!, shape: cshape,
                                          layout: .sequenceMajor, scale: 0.2, mask: AttentionMask(keyLengths: lp.baseAddress!),
                                          out: op.baseAddress!, logSumExp: nil, workspace: wp.baseAddress!, threads: 1)
                } }
            } } }
        }
        let one = withPrefix(threads: 1)
        let diff = DifferenceStats(one, reference)
        #expect(diff.maxAbs <= DecodeAttentionTests.tolerance, "\(diff)")
        #expect(withPrefix(threads: 2) == one, "2 threads differ from 1")
        // The row with neither prefix nor keys gets zeros.
        #expect(one[(4 * hq) * dv..<(5 * hq) * dv].allSatisfy { $0 == 0 })
    }
}
