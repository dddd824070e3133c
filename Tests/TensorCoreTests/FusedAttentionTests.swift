import Foundation
import SeededRandom
import TensorCore
import Testing
import _TestSupport

/// A heap buffer owned by a test (freed on deinit), so kernels can be given plain pointers.
final class KernelBuffer<T: BinaryFloatingPoint>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    let count: Int
    init(count: Int, value: T = 0) {
        self.count = count
        pointer = .allocate(capacity: Swift.max(count, 1))
        pointer.initialize(repeating: value, count: Swift.max(count, 1))
    }
    convenience init(_ values: [T]) {
        self.init(count: values.count)
        for (i, x) in values.enumerated() { pointer[i] = x }
    }
    deinit { pointer.deallocate() }
    var array: [T] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    var const: UnsafePointer<T> { UnsafePointer(pointer) }
    func toDouble() -> KernelBuffer<Double> { KernelBuffer<Double>(array.map { Double($0) }) }
}

func kernelGaussian(_ count: Int, seed: UInt64, scale: Double = 1) -> [Float] {
    var rng = Xoshiro256(seed: seed)
    return (0..<count).map { _ in Float(rng.nextGaussian() * scale) }
}

enum AdditiveKind: String, Sendable { case none, shared, perBatch, perHead }

/// One fused-vs-naive case.
struct AttentionCase: Sendable, CustomStringConvertible {
    var name: String
    var shape: AttentionShape
    var layout: AttentionLayout = .headsMajor
    var causal = false
    var offset = 0
    var keyLengths: [Int32]? = nil
    var additive: AdditiveKind = .none
    var keep = false
    var stride: Int? = nil
    /// Dropout probability on the attention weights (seeded from the case seed).
    var dropout: Float? = nil
    var description: String { "\(name) [\(shape)]" }

    /// Builds the inputs and the mask (the buffers stay alive as long as the returned value).
    func make(seed: UInt64 = 1) -> AttentionInputs { AttentionInputs(self, seed: seed) }
}

final class AttentionInputs: @unchecked Sendable {
    let c: AttentionCase
    let q, k, v, dOut: KernelBuffer<Float>
    let lengths: UnsafeMutablePointer<Int32>?
    let additive: KernelBuffer<Float>?
    let keep: UnsafeMutablePointer<UInt8>?
    let mask: AttentionMask
    var scale: Float { 1 / Float(c.shape.qkDim).squareRoot() }

    init(_ c: AttentionCase, seed: UInt64) {
        self.c = c
        let s = c.shape
        q = KernelBuffer(kernelGaussian(s.batch * s.queryHeads * s.queryLength * s.qkDim, seed: seed, scale: 1.5))
        k = KernelBuffer(kernelGaussian(s.batch * s.kvHeads * s.keyLength * s.qkDim, seed: seed + 1, scale: 1.5))
        v = KernelBuffer(kernelGaussian(s.batch * s.kvHeads * s.keyLength * s.vDim, seed: seed + 2))
        dOut = KernelBuffer(kernelGaussian(s.batch * s.queryHeads * s.queryLength * s.vDim, seed: seed + 3))
        var mask = AttentionMask(causal: c.causal, queryOffset: c.offset)
        if let kl = c.keyLengths {
            let p = UnsafeMutablePointer<Int32>.allocate(capacity: kl.count)
            p.initialize(from: kl, count: kl.count)
            lengths = p
            mask.keyLengths = UnsafePointer(p)
        } else { lengths = nil }
        let tq = s.queryLength, tk = s.keyLength
        let planes: Int
        switch c.additive {
        case .none: planes = 0
        case .shared: planes = 1
        case .perBatch: planes = s.batch
        case .perHead: planes = s.batch * s.queryHeads
        }
        if planes > 0 {
            var values = kernelGaussian(planes * tq * tk, seed: seed + 4, scale: 2)
            for idx in stride(from: 3, to: values.count, by: 7) { values[idx] = -.infinity }
            let buf = KernelBuffer(values)
            additive = buf
            switch c.additive {
            case .shared: mask.additive = .shared(buf.const, keyLength: tk)
            case .perBatch: mask.additive = .perBatch(buf.const, queryLength: tq, keyLength: tk)
            default: mask.additive = .perHead(buf.const, queryHeads: s.queryHeads, queryLength: tq, keyLength: tk)
            }
        } else { additive = nil }
        if c.keep {
            var rng = Xoshiro256(seed: seed + 5)
            let n = s.batch * tq * tk
            let p = UnsafeMutablePointer<UInt8>.allocate(capacity: n)
            for idx in 0..<n { p[idx] = rng.nextUnitDouble() < 0.3 ? 0 : 1 }
            keep = p
            mask.keep = .perBatch(UnsafePointer(p), queryLength: tq, keyLength: tk)
        } else { keep = nil }
        if let st = c.stride { mask.predicate = AttentionMask.strideAwareCausal(stride: st) }
        if let p = c.dropout { mask.dropout = AttentionDropout(p: p, seed: seed &+ 77) }
        self.mask = mask
    }

    deinit {
        lengths?.deallocate()
        keep?.deallocate()
    }

    struct Forward { let out: [Float]; let lse: [Float] }
    struct Gradients { let dQ: [Float]; let dK: [Float]; let dV: [Float] }

    func fusedForward(threads: Int) -> (out: KernelBuffer<Float>, lse: KernelBuffer<Float>) {
        let s = c.shape
        let out = KernelBuffer<Float>(count: s.batch * s.queryHeads * s.queryLength * s.vDim, value: .nan)
        let lse = KernelBuffer<Float>(count: s.batch * s.queryHeads * s.queryLength, value: .nan)
        let ws = KernelBuffer<Float>(count: FusedAttention.forwardWorkspaceCount(threads: threads), value: .nan)
        withExtendedLifetime(ws) {
            FusedAttention.forward(q: q.const, k: k.const, v: v.const, shape: s, layout: c.layout, scale: scale,
                                   mask: mask, out: out.pointer, logSumExp: lse.pointer, workspace: ws.pointer,
                                   threads: threads)
        }
        return (out, lse)
    }

    func fusedBackward(threads: Int) -> Gradients {
        let s = c.shape
        let (out, lse) = fusedForward(threads: threads)
        let dQ = KernelBuffer<Float>(count: q.count, value: .nan)
        let dK = KernelBuffer<Float>(count: k.count, value: .nan)
        let dV = KernelBuffer<Float>(count: v.count, value: .nan)
        let ws = KernelBuffer<Float>(count: FusedAttention.backwardWorkspaceCount(threads: threads), value: .nan)
        withExtendedLifetime((out, lse, ws)) {
            FusedAttention.backward(q: q.const, k: k.const, v: v.const, out: out.const, logSumExp: lse.const,
                                    dOut: dOut.const, shape: s, layout: c.layout, scale: scale, mask: mask,
                                    dQ: dQ.pointer, dK: dK.pointer, dV: dV.pointer, workspace: ws.pointer,
                                    threads: threads)
        }
        return Gradients(dQ: dQ.array, dK: dK.array, dV: dV.array)
    }

    func naiveForward() -> [Double] {
        let s = c.shape
        let out = KernelBuffer<Double>(count: s.batch * s.queryHeads * s.queryLength * s.vDim)
        let (qd, kd, vd) = (q.toDouble(), k.toDouble(), v.toDouble())
        withExtendedLifetime((qd, kd, vd)) {
            NaiveAttention.forward(q: qd.const, k: kd.const, v: vd.const, shape: s,
                                   layout: c.layout, scale: Double(scale), mask: mask, out: out.pointer)
        }
        return out.array
    }

    func naiveBackward() -> (dQ: [Double], dK: [Double], dV: [Double]) {
        let dQ = KernelBuffer<Double>(count: q.count), dK = KernelBuffer<Double>(count: k.count)
        let dV = KernelBuffer<Double>(count: v.count)
        let (qd, kd, vd, dod) = (q.toDouble(), k.toDouble(), v.toDouble(), dOut.toDouble())
        withExtendedLifetime((qd, kd, vd, dod)) {
            NaiveAttention.backward(q: qd.const, k: kd.const, v: vd.const, dOut: dod.const, shape: c.shape,
                                    layout: c.layout, scale: Double(scale), mask: mask,
                                    dQ: dQ.pointer, dK: dK.pointer, dV: dV.pointer)
        }
        return (dQ.array, dK.array, dV.array)
    }
}

// Lengths chosen so tiles are partial: 150 keys = 128 + 22 (key tile 128), 150 queries = 128 + 22 (query tile 128).
let attentionCases: [AttentionCase] = [
    AttentionCase(name: "no mask", shape: .init(batch: 2, queryHeads: 2, queryLength: 70, keyLength: 150, qkDim: 16)),
    AttentionCase(name: "causal", shape: .init(batch: 2, queryHeads: 2, queryLength: 150, keyLength: 150, qkDim: 32),
                  causal: true),
    AttentionCase(name: "causal, last 37 queries", shape: .init(batch: 1, queryHeads: 2, queryLength: 37,
                  keyLength: 150, qkDim: 16), causal: true, offset: 113),
    AttentionCase(name: "key padding", shape: .init(batch: 3, queryHeads: 2, queryLength: 70, keyLength: 150, qkDim: 16),
                  keyLengths: [150, 77, 5]),
    AttentionCase(name: "additive (Tq,Tk) with -inf", shape: .init(batch: 2, queryHeads: 2, queryLength: 70,
                  keyLength: 131, qkDim: 16), additive: .shared),
    AttentionCase(name: "additive (B,1,Tq,Tk) + padding", shape: .init(batch: 2, queryHeads: 2, queryLength: 33,
                  keyLength: 140, qkDim: 16), keyLengths: [100, 140], additive: .perBatch),
    AttentionCase(name: "additive (B,H,Tq,Tk) + causal", shape: .init(batch: 2, queryHeads: 3, queryLength: 67,
                  keyLength: 67, qkDim: 8), causal: true, additive: .perHead),
    AttentionCase(name: "keep buffer", shape: .init(batch: 2, queryHeads: 2, queryLength: 65, keyLength: 129, qkDim: 16),
                  keep: true),
    AttentionCase(name: "MTLA stride-aware s=3", shape: .init(batch: 2, queryHeads: 2, queryLength: 140, keyLength: 140,
                  qkDim: 24, vDim: 16), stride: 3),
    AttentionCase(name: "GQA 4q/2kv causal", shape: .init(batch: 2, queryHeads: 4, kvHeads: 2, queryLength: 70,
                  keyLength: 70, qkDim: 16), causal: true),
    AttentionCase(name: "MQA 4q/1kv padding", shape: .init(batch: 2, queryHeads: 4, kvHeads: 1, queryLength: 50,
                  keyLength: 150, qkDim: 16), keyLengths: [150, 99]),
    AttentionCase(name: "MLA dims Dk 96 / Dv 64", shape: .init(batch: 1, queryHeads: 2, queryLength: 70, keyLength: 130,
                  qkDim: 96, vDim: 64), causal: true, offset: 60),
    AttentionCase(name: "odd dims Dk 13 / Dv 7", shape: .init(batch: 2, queryHeads: 2, queryLength: 19, keyLength: 23,
                  qkDim: 13, vDim: 7), causal: true, offset: 4),
    AttentionCase(name: "decode Tq=1 with cache", shape: .init(batch: 3, queryHeads: 4, kvHeads: 2, queryLength: 1,
                  keyLength: 200, qkDim: 16), causal: true, offset: 150, keyLengths: [200, 151, 120]),
    AttentionCase(name: "sequence-major layout, all masks", shape: .init(batch: 2, queryHeads: 4, kvHeads: 2,
                  queryLength: 70, keyLength: 150, qkDim: 16, vDim: 24), layout: .sequenceMajor, causal: true,
                  offset: 80, keyLengths: [150, 120], additive: .perBatch, keep: true),
    AttentionCase(name: "fully hidden rows", shape: .init(batch: 2, queryHeads: 2, queryLength: 20, keyLength: 40,
                  qkDim: 16), keyLengths: [0, 40], keep: true),
    AttentionCase(name: "dropout 0.3, causal", shape: .init(batch: 2, queryHeads: 2, queryLength: 150, keyLength: 150, qkDim: 32),
                  causal: true, dropout: 0.3),
    AttentionCase(name: "dropout 0.15, GQA sequence-major, padding", shape: .init(batch: 2, queryHeads: 4, kvHeads: 2,
                  queryLength: 70, keyLength: 150, qkDim: 16, vDim: 24), layout: .sequenceMajor, causal: true, offset: 80,
                  keyLengths: [150, 120], dropout: 0.15),
    AttentionCase(name: "dropout 0.1, MTLA stride s=2", shape: .init(batch: 1, queryHeads: 8, kvHeads: 1, queryLength: 45,
                  keyLength: 140, qkDim: 24, vDim: 16), causal: true, offset: 95, stride: 2, dropout: 0.1),
]

@Suite struct FusedAttentionTests {
    // Fused (Float32: sgemm dot products over ≤ 96 terms, polynomial exp with ~2 ulp, online rescaling)
    // against the naive kernel in Double, values of order 1. Measured worst cases over these cases:
    // forward 2.1e-6, backward 3.8e-6 (Float32 rounding, ~30 ulp at the largest magnitudes). Bounds are
    // 10× that; a wrong mask or a dropped tile moves outputs by ≥ 1e-2.
    static let forwardTolerance = 2e-5
    // Gradients sum over up to Tq·group terms with the P·(dP − D) cancellation.
    static let backwardTolerance = 4e-5

    @Test(arguments: attentionCases)
    func forwardMatchesNaive(_ c: AttentionCase) {
        let inputs = c.make()
        let (out, lse) = inputs.fusedForward(threads: 2)
        let ref = inputs.naiveForward()
        let diff = DifferenceStats(out.array, ref)
        #expect(diff.maxAbs <= Self.forwardTolerance, "\(c): \(diff)")
        #expect(!lse.array.contains { $0.isNaN }, "\(c): NaN in log-sum-exp")
    }

    @Test(arguments: attentionCases)
    func backwardMatchesNaive(_ c: AttentionCase) {
        let inputs = c.make()
        let fused = inputs.fusedBackward(threads: 2)
        let ref = inputs.naiveBackward()
        for (name, a, b) in [("dQ", fused.dQ, ref.dQ), ("dK", fused.dK, ref.dK), ("dV", fused.dV, ref.dV)] {
            let diff = DifferenceStats(a, b)
            #expect(diff.maxAbs <= Self.backwardTolerance, "\(c) \(name): \(diff)")
        }
    }

    /// The dropout mask keeps about 1 − p of the weights, independently of tiling: over 2 × 2 × 300 × 300
    /// entries the kept fraction is within 4 standard deviations of 1 − p, and a different seed gives a
    /// different mask; without dropout nothing changes.
    @Test func dropoutKeepsOneMinusPAndDependsOnTheSeed() {
        for p: Float in [0.1, 0.5] {
            let a = AttentionDropout(p: p, seed: 3), b = AttentionDropout(p: p, seed: 4)
            var kept = 0, differ = 0, n = 0
            for row in 0..<1_200 {
                let ka = a.rowKey(row), kb = b.rowKey(row)
                for j in 0..<300 {
                    let fa = a.factor(rowKey: ka, key: j)
                    kept += fa > 0 ? 1 : 0
                    differ += (fa > 0) != (b.factor(rowKey: kb, key: j) > 0) ? 1 : 0
                    n += 1
                    if fa > 0 { #expect(abs(fa - 1 / (1 - p)) < 1e-6) }
                }
            }
            let expected = Double(n) * Double(1 - p), sd = (Double(n) * Double(p) * Double(1 - p)).squareRoot()
            #expect(abs(Double(kept) - expected) < 4 * sd, "p \(p): kept \(kept) of \(n)")
            #expect(Double(differ) > 0.5 * Double(n) * 2 * Double(p) * Double(1 - p))
        }
    }

    /// Every output element is computed by one worker in a thread-independent order.
    @Test func identicalForAnyThreadCount() {
        let c = attentionCases[14]
        let inputs = c.make(seed: 9)
        let one = inputs.fusedBackward(threads: 1), two = inputs.fusedBackward(threads: 2)
        let three = inputs.fusedBackward(threads: 3)
        #expect(one.dQ == two.dQ && one.dK == two.dK && one.dV == two.dV)
        #expect(one.dQ == three.dQ && one.dK == three.dK && one.dV == three.dV)
        #expect(inputs.fusedForward(threads: 1).out.array == inputs.fusedForward(threads: 2).out.array)
    }

    /// A row with no visible key: output 0, log-sum-exp −∞, no NaN anywhere (PyTorch would give NaN).
    @Test func fullyHiddenRowIsZero() {
        let inputs = attentionCases[15].make()
        let (out, lse) = inputs.fusedForward(threads: 1)
        let s = inputs.c.shape
        let perBatch = s.queryHeads * s.queryLength * s.vDim
        #expect(out.array[0..<perBatch].allSatisfy { $0 == 0 })
        #expect(lse.array[0..<(s.queryHeads * s.queryLength)].allSatisfy { $0 == -.infinity })
        let g = inputs.fusedBackward(threads: 1)
        #expect(!(g.dQ + g.dK + g.dV).contains { $0.isNaN })
        #expect(g.dK[0..<(s.kvHeads * s.keyLength * s.qkDim)].allSatisfy { $0 == 0 })
    }

    /// The log-sum-exp equals log Σ exp of the masked scores computed directly (in Double).
    @Test func logSumExpMatchesDirect() {
        let c = attentionCases[5]
        let inputs = c.make()
        let (_, lse) = inputs.fusedForward(threads: 1)
        let s = c.shape
        var maxDiff = 0.0
        for b in 0..<s.batch {
            for h in 0..<s.queryHeads {
                for i in 0..<s.queryLength {
                    var terms: [Double] = []
                    for j in 0..<min(s.keyLength, Int(inputs.mask.keyLengths![b])) {
                        var dot = 0.0
                        for d in 0..<s.qkDim {
                            dot += Double(inputs.q.pointer[((b * s.queryHeads + h) * s.queryLength + i) * s.qkDim + d])
                                * Double(inputs.k.pointer[((b * s.kvHeads + h) * s.keyLength + j) * s.qkDim + d])
                        }
                        let add = Double(inputs.additive!.pointer[(b * s.queryLength + i) * s.keyLength + j])
                        terms.append(dot * Double(inputs.scale) + add)
                    }
                    let m = terms.max()!
                    let direct = m + log(terms.reduce(0) { $0 + exp($1 - m) })
                    maxDiff = max(maxDiff, abs(direct - Double(lse.pointer[(b * s.queryHeads + h) * s.queryLength + i])))
                }
            }
        }
        // Float32 scores of magnitude ≤ ~20: relative 1e-6 → 2e-5 absolute.
        #expect(maxDiff <= 5e-5, "max |lse diff| \(maxDiff)")
    }

    /// The MTLA predicate gives what the reference's additive −1e9 stride-aware mask gives.
    @Test func strideAwarePredicateEqualsMinusOneE9Mask() {
        let s = AttentionShape(batch: 1, queryHeads: 2, queryLength: 50, keyLength: 50, qkDim: 16)
        let c = AttentionCase(name: "stride 2", shape: s, stride: 2)
        let inputs = c.make(seed: 3)
        let (out, _) = inputs.fusedForward(threads: 1)
        var additive = [Float](repeating: -1e9, count: 50 * 50)
        for i in 0..<50 { for j in 0..<50 where j == i || (j < i && (j + 1) % 2 == 0) { additive[i * 50 + j] = 0 } }
        let addBuf = KernelBuffer(additive)
        let mask = AttentionMask(additive: .shared(addBuf.const, keyLength: 50))
        let out2 = KernelBuffer<Float>(count: out.count)
        let ws = KernelBuffer<Float>(count: FusedAttention.forwardWorkspaceCount(threads: 1))
        withExtendedLifetime((addBuf, ws)) {
            FusedAttention.forward(q: inputs.q.const, k: inputs.k.const, v: inputs.v.const, shape: s,
                                   scale: inputs.scale, mask: mask, out: out2.pointer, logSumExp: nil,
                                   workspace: ws.pointer, threads: 1)
        }
        #expect(DifferenceStats(out.array, out2.array).maxAbs <= 1e-6)
    }

    /// The naive backward in Double against central differences of the naive forward in Double
    /// (L = Σ out ∘ dOut). h = 1e-6: truncation error O(h²) ≈ 1e-12, rounding ≈ 1e-16/h = 1e-10; 1e-7 is safe.
    @Test(arguments: [
        AttentionCase(name: "tiny causal GQA padded", shape: .init(batch: 2, queryHeads: 2, kvHeads: 1, queryLength: 3,
                      keyLength: 5, qkDim: 3, vDim: 2), causal: true, offset: 2, keyLengths: [5, 4]),
        AttentionCase(name: "tiny additive stride", shape: .init(batch: 1, queryHeads: 2, queryLength: 4, keyLength: 4,
                      qkDim: 2, vDim: 3), additive: .shared, stride: 2),
        AttentionCase(name: "tiny causal dropout 0.4", shape: .init(batch: 2, queryHeads: 2, queryLength: 4, keyLength: 6,
                      qkDim: 3, vDim: 2), causal: true, offset: 2, dropout: 0.4),
    ])
    func naiveBackwardMatchesFiniteDifferences(_ c: AttentionCase) {
        let inputs = c.make(seed: 21)
        let s = c.shape
        let q = inputs.q.toDouble(), k = inputs.k.toDouble(), v = inputs.v.toDouble(), dO = inputs.dOut.toDouble()
        let scale = Double(inputs.scale)
        func loss() -> Double {
            let out = KernelBuffer<Double>(count: dO.count)
            NaiveAttention.forward(q: q.const, k: k.const, v: v.const, shape: s, scale: scale, mask: inputs.mask,
                                   out: out.pointer)
            return zip(out.array, dO.array).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let dQ = KernelBuffer<Double>(count: q.count), dK = KernelBuffer<Double>(count: k.count)
        let dV = KernelBuffer<Double>(count: v.count)
        NaiveAttention.backward(q: q.const, k: k.const, v: v.const, dOut: dO.const, shape: s, scale: scale,
                                mask: inputs.mask, dQ: dQ.pointer, dK: dK.pointer, dV: dV.pointer)
        let fused = inputs.fusedBackward(threads: 1)
        let h = 1e-6
        for (name, x, analytic, fusedGrad) in [("q", q, dQ, fused.dQ), ("k", k, dK, fused.dK), ("v", v, dV, fused.dV)] {
            for idx in 0..<x.count {
                let saved = x.pointer[idx]
                x.pointer[idx] = saved + h
                let plus = loss()
                x.pointer[idx] = saved - h
                let minus = loss()
                x.pointer[idx] = saved
                let numeric = (plus - minus) / (2 * h)
                #expect(abs(numeric - analytic.pointer[idx]) <= 1e-7, "\(c) d\(name)[\(idx)]: \(numeric) vs \(analytic.pointer[idx])")
                // Fused Float32 gradient against the Double finite difference: Float32 rounding, 1e-5.
                #expect(abs(numeric - Double(fusedGrad[idx])) <= 1e-5, "\(c) fused d\(name)[\(idx)]")
            }
        }
    }
}

/// Timing note, not a test of speed: runs only with MTLA_TIMING=1 (use a release build), prints, asserts
/// nothing about time.
@Suite struct FusedAttentionTiming {
    static let enabled = ProcessInfo.processInfo.environment["MTLA_TIMING"] == "1"

    @Test(.enabled(if: FusedAttentionTiming.enabled))
    func fusedVersusNaive() {
        let threads = Int(ProcessInfo.processInfo.environment["MTLA_TIMING_THREADS"] ?? "2") ?? 2
        let s = AttentionShape(batch: 8, queryHeads: 8, queryLength: 512, keyLength: 512, qkDim: 64)
        for causal in [false, true] {
            let c = AttentionCase(name: causal ? "causal" : "no mask", shape: s, causal: causal)
            let inputs = c.make(seed: 5)
            let out = KernelBuffer<Float>(count: inputs.dOut.count), lse = KernelBuffer<Float>(count: 8 * 8 * 512)
            let dQ = KernelBuffer<Float>(count: inputs.q.count), dK = KernelBuffer<Float>(count: inputs.k.count)
            let dV = KernelBuffer<Float>(count: inputs.v.count)
            let ws = KernelBuffer<Float>(count: FusedAttention.backwardWorkspaceCount(threads: threads))
            func fused() -> (Double, Double) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                FusedAttention.forward(q: inputs.q.const, k: inputs.k.const, v: inputs.v.const, shape: s,
                                       scale: inputs.scale, mask: inputs.mask, out: out.pointer,
                                       logSumExp: lse.pointer, workspace: ws.pointer, threads: threads)
                let t1 = DispatchTime.now().uptimeNanoseconds
                FusedAttention.backward(q: inputs.q.const, k: inputs.k.const, v: inputs.v.const, out: out.const,
                                        logSumExp: lse.const, dOut: inputs.dOut.const, shape: s, scale: inputs.scale,
                                        mask: inputs.mask, dQ: dQ.pointer, dK: dK.pointer, dV: dV.pointer,
                                        workspace: ws.pointer, threads: threads)
                let t2 = DispatchTime.now().uptimeNanoseconds
                return (Double(t1 - t0) / 1e6, Double(t2 - t1) / 1e6)
            }
            _ = fused()
            var runs: [(Double, Double)] = []
            for _ in 0..<5 { runs.append(fused()) }
            let fwd = runs.map(\.0).sorted()[2], bwd = runs.map(\.1).sorted()[2]
            // Useful flops: forward 2 products, backward 4 (plus 1 recomputed), 2·T²·D each, halved if causal.
            let unit = 2.0 * 8 * 8 * 512 * 512 * 64 * (causal ? 0.5 : 1)
            if ProcessInfo.processInfo.environment["MTLA_TIMING_NAIVE"] == "0" {
                print(String(format: "attention %@ fused fwd %.1f ms bwd %.1f ms", c.name, fwd, bwd))
                continue
            }
            let t0 = DispatchTime.now().uptimeNanoseconds
            NaiveAttention.forward(q: inputs.q.const, k: inputs.k.const, v: inputs.v.const, shape: s,
                                   scale: inputs.scale, mask: inputs.mask, out: out.pointer)
            let t1 = DispatchTime.now().uptimeNanoseconds
            NaiveAttention.backward(q: inputs.q.const, k: inputs.k.const, v: inputs.v.const, dOut: inputs.dOut.const,
                                    shape: s, scale: inputs.scale, mask: inputs.mask,
                                    dQ: dQ.pointer, dK: dK.pointer, dV: dV.pointer)
            let t2 = DispatchTime.now().uptimeNanoseconds
            let nf = Double(t1 - t0) / 1e6, nb = Double(t2 - t1) / 1e6
            print(String(format: "attention B=8 H=8 T=512 D=64 %@, %d threads: fused fwd %.1f ms (%.0f GFLOP/s) bwd %.1f ms (%.0f GFLOP/s, 5 products) total %.1f ms; naive (1 thread, Float) fwd %.0f ms bwd %.0f ms total %.0f ms",
                         c.name, threads, fwd, 2 * unit / fwd / 1e6, bwd, 5 * unit / bwd / 1e6, fwd + bwd, nf, nb, nf + nb))
            withExtendedLifetime((out, lse, dQ, dK, dV, ws, inputs)) {}
        }
    }
}
