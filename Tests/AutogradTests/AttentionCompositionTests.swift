// The fused attention tape op against the same attention composed from existing tape ops
// (indexSelect for the GQA head repeat, batchedMatmul, affine, add, maskedFill, softmax, batchedMatmul):
// values and all three gradients.
import Autograd
import SeededRandom
import TensorCore
import Testing

@Suite struct AttentionCompositionTests {
    /// Both are Float32; the composition rounds the full score matrix, the fused kernel uses an online
    /// softmax with a different summation order, so they agree to a few ulps of values of order 1.
    static let tolerance: Float = 2e-5

    func maxError(_ a: Tensor, _ b: Tensor) -> Float {
        zip(a.scalars, b.scalars).reduce(0) { Swift.max($0, abs($1.0 - $1.1) / Swift.max(1, abs($1.1))) }
    }

    @Test(arguments: [1, 2])
    func fusedEqualsComposition(threads: Int) {
        let (b, hq, hkv, t, d) = (2, 4, 2, 37, 8)
        let lengths: [Int32] = [37, 20]
        var g = Xoshiro256(seed: 11)
        let q0 = Tensor.randomNormal([b, hq, t, d], using: &g)
        let k0 = Tensor.randomNormal([b, hkv, t, d], using: &g)
        let v0 = Tensor.randomNormal([b, hkv, t, d], using: &g)
        let additive = Tensor.randomNormal([t, t], std: 0.5, using: &g)
        let w = Tensor.randomUniform([b, hq, t, d], low: -1, high: 1, using: &g)

        func run(fused: Bool) -> (Tensor, [Tensor]) {
            let tape = Tape(context: ComputeContext(threads: threads))
            let (q, k, v) = (Variable(q0, requiresGrad: true), Variable(k0, requiresGrad: true), Variable(v0, requiresGrad: true))
            let out: Variable
            if fused {
                out = tape.scaledDotProductAttention(q, k, v, causal: true,
                                                     keyLengths: Int32Tensor(shape: [b], scalars: lengths),
                                                     additiveMask: additive)
            } else {
                let heads = Int32Tensor(shape: [hq], scalars: (0..<hq).map { Int32($0 / (hq / hkv)) })
                let (kx, vx) = (tape.indexSelect(k, axis: 1, heads), tape.indexSelect(v, axis: 1, heads))
                var s = tape.affine(tape.batchedMatmul(q, kx, transposeB: true), 1 / Float(d).squareRoot())
                s = tape.add(s, Variable(additive))
                s = tape.maskedFill(s, Int32Tensor.causalMask(queries: t, keys: t), with: -1e9)
                let pad = Int32Tensor.paddingMask(lengths: lengths.map { Int($0) }, maxLength: t).reshaped([b, 1, 1, t])
                s = tape.maskedFill(s, pad, with: -1e9)
                out = tape.batchedMatmul(tape.softmax(s), vx)
            }
            tape.backward(out, gradient: w)
            return (out.value, [q.grad!, k.grad!, v.grad!])
        }
        let (yf, gf) = run(fused: true)
        let (yc, gc) = run(fused: false)
        #expect(maxError(yf, yc) <= Self.tolerance, "output")
        for (name, (a, c)) in zip(["dq", "dk", "dv"], zip(gf, gc)) {
            #expect(maxError(a, c) <= Self.tolerance, "\(name): \(maxError(a, c))")
        }
    }

    @Test func inferenceModeRecordsNothing() {
        var g = Xoshiro256(seed: 3)
        let q = Variable(Tensor.randomNormal([1, 2, 4, 4], using: &g), requiresGrad: true)
        let tape = Tape(mode: .inference)
        let y = tape.scaledDotProductAttention(q, q, q, causal: true)
        #expect(tape.recordedCount == 0 && !y.requiresGrad)
    }
}
