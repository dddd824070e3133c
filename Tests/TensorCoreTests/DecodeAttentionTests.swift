import TensorCore
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
