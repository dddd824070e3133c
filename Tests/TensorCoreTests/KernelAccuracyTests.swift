// Checks at sizes larger than the op harness uses (SIMD bodies, BLAS blocking), and kernel facts the
// harness does not cover (exp accuracy, masked rows, fairseq tables).
import Foundation
import SeededRandom
import TensorCore
import Testing

@Suite struct KernelAccuracyTests {
    @Test func polynomialExpIsAccurateToTwoUlps() {
        var worst = 0.0
        var x: Float = -87
        while x < 88 {
            let v = SIMD16<Float>((0..<16).map { x + Float($0) * 0.0137 })
            let e = SIMDMath.exp(v)
            for i in 0..<16 {
                let ref = Foundation.exp(Double(v[i]))
                worst = max(worst, abs(Double(e[i]) - ref) / ref)
            }
            x += 0.2193
        }
        // Cephes expf: ≤ ~2 ulp (2.4e-7) after range reduction.
        #expect(worst < 3e-7, "worst relative error \(worst)")
        #expect(SIMDMath.exp(-Float.infinity) == 0)
        var erfWorst = 0.0
        for i in -600...600 {
            let v = Float(i) * 0.01
            erfWorst = max(erfWorst, abs(Double(SIMDMath.erf(SIMD16<Float>(repeating: v))[0]) - Foundation.erf(Double(v))))
        }
        // Abramowitz & Stegun 7.1.26: |error| ≤ 1.5e-7, plus Float32 rounding.
        #expect(erfWorst < 3e-7, "erf worst absolute error \(erfWorst)")
        #expect(SIMDMath.exp(-100) == 0)
    }

    @Test func softmaxOfMaskedRowsHasExactZeros() {
        let x = Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]).maskedFill(Int32Tensor(shape: [4], scalars: [0, 1, 0, 1]), with: -.infinity)
        let y = x.softmax().scalars
        #expect(y[1] == 0 && y[3] == 0)
        #expect(abs(y[0] + y[2] - 1) < 1e-6)
    }

    @Test(arguments: [(1, 1000), (7, 513), (33, 64)])
    func softmaxLargeRowsMatchReference(_ shape: (Int, Int)) {
        var g = Xoshiro256(seed: 11)
        let x = Tensor.randomNormal([shape.0, shape.1], std: 5, using: &g)
        let ref = Reference.softmax(x.scalars.map(Double.init), cols: shape.1)
        let y = x.softmax().scalars
        // ~1e-6 relative: polynomial exp (2e-7) plus Float32 rounding of the row sum.
        let err = zip(y, ref).map { abs(Double($0) - $1) / max($1, 1e-30) }.max()!
        #expect(err < 2e-6, "relative error \(err)")
        let lref = Reference.softmax(x.scalars.map(Double.init), cols: shape.1, log: true)
        let lerr = zip(x.logSoftmax().scalars, lref).map { abs(Double($0) - $1) / max(1, abs($1)) }.max()!
        #expect(lerr < 2e-6, "log-softmax error \(lerr)")
    }

    @Test func sgemmMatchesReferenceAtBlockedSizes() {
        var g = Xoshiro256(seed: 5)
        let (m, n, k) = (67, 131, 259)
        let a = Tensor.randomNormal([k, m], using: &g), b = Tensor.randomNormal([n, k], using: &g)
        let y = a.matmul(b, transposeA: true, transposeB: true)
        let ref = Reference.matmul(a.scalars.map(Double.init), b.scalars.map(Double.init), m: m, n: n, k: k,
                                   transA: true, transB: true)
        // Sums of 259 products of N(0,1) values: magnitude ~16, Float32 rounding ~√259·6e-8·16.
        let err = zip(y.scalars, ref).map { abs(Double($0) - $1) }.max()!
        #expect(err < 1e-4, "max abs error \(err)")
    }

    /// The matrix-vector paths (one output row or column), the few-row x·wᵀ kernel (M ≤ `fewRows` with
    /// transposeB), the blocks cut over 1–3 workers (rows when M ≥ N, else columns; sizes above
    /// `parallelWork` so they are cut, with ragged last blocks) and a weight-gradient shape (150×130×1000:
    /// K above both sides, cut over the workers too since OpenBLAS stays on one thread), in all four
    /// transpose forms, against the Double reference.
    @Test(arguments: [(1, 4100, 301), (5000, 1, 300), (1, 515, 77), (40, 515, 301), (13, 70, 37), (70, 1100, 301), (1500, 70, 300), (150, 130, 1000), (1, 1, 5)])
    func threadedAndVectorProductsMatchReference(_ size: (Int, Int, Int)) {
        let (m, n, k) = size
        var g = Xoshiro256(seed: 17)
        for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
            let a = Tensor.randomNormal(ta ? [k, m] : [m, k], using: &g)
            let b = Tensor.randomNormal(tb ? [n, k] : [k, n], using: &g)
            let ref = Reference.matmul(a.scalars.map(Double.init), b.scalars.map(Double.init), m: m, n: n, k: k,
                                       transA: ta, transB: tb)
            for threads in [1, 2, 3] {
                let y = a.matmul(b, transposeA: ta, transposeB: tb, in: ComputeContext(threads: threads))
                // Sums of k products of N(0,1) values (see above: 1e-4 for k ≈ 300; the rounding grows as √k).
                let err = zip(y.scalars, ref).map { abs(Double($0) - $1) }.max()!
                #expect(y.shape == [m, n] && err < 1e-4 * Swift.max(1, (Double(k) / 300).squareRoot()), "\(size) tA \(ta) tB \(tb) threads \(threads): error \(err)")
            }
        }
    }

    @Test func activationsAtLargeSizesMatchReference() {
        var g = Xoshiro256(seed: 8)
        let x = Tensor.randomNormal([4099], std: 4, using: &g)
        for f in Activation.allCases {
            let ref = Reference.activation(f, x.scalars.map(Double.init))
            let err = zip(x.activated(f).scalars, ref).map { abs(Double($0) - $1) / max(1, abs($1)) }.max()!
            // tanh via the polynomial exp: absolute error ~1e-7 on (1 + tanh), times |x| ≤ ~16.
            #expect(err < 2e-6, "\(f): error \(err)")
        }
    }

    @Test func sinusoidalTableIsFairseqLayout() {
        let t = SinusoidalPositions.table(count: 20, dim: 8, paddingIndex: 1)
        let ref = Reference.sinusoidalTable(count: 20, dim: 8, paddingIndex: 1)
        // fairseq forms angles pos·f_i in Float32: ≤ 19 rad, rounding ~1e-6 rad.
        let err = zip(t.scalars, ref).map { abs(Double($0) - $1) }.max()!
        #expect(err < 5e-6, "max error \(err)")
        #expect(t.slice(axis: 0, start: 1, length: 1).scalars.allSatisfy { $0 == 0 })
        // Row 2, first pair: sin(2·f_0) = sin(2), cos(2).
        #expect(abs(t[2, 0] - sin(2)) < 1e-6 && abs(t[2, 4] - cos(2)) < 1e-6)
    }

    @Test func makePositionsNumbersNonPaddingTokens() {
        let tokens = Int32Tensor(shape: [2, 4], scalars: [5, 6, 7, 1, 1, 8, 9, 1])
        let p = SinusoidalPositions.positions(tokens: tokens, paddingIndex: 1)
        #expect(p.scalars == [2, 3, 4, 1, 1, 2, 3, 1])
    }

    @Test func dropoutIsDeterministicAndUnbiased() {
        var g1 = Xoshiro256(seed: 42), g2 = Xoshiro256(seed: 42)
        let x = Tensor(shape: [10_000], repeating: 1)
        let (a, _) = x.dropout(p: 0.1, using: &g1)
        let (b, _) = x.dropout(p: 0.1, using: &g2)
        #expect(a == b)
        let kept = a.scalars.filter { $0 != 0 }.count
        #expect(abs(Double(kept) / 10_000 - 0.9) < 0.01)
        #expect(abs(Double(a.mean().item) - 1) < 0.02)
    }

    /// The counter-based mask over several hash blocks (2¹⁶ elements each): the same for 1 and 2
    /// threads, equal to the element-by-element reference and to `droppedOut`, one draw per call, a
    /// keep rate of 1 − p in every block, and a different mask for the next call.
    @Test func dropoutMaskIsThreadIndependentAndMatchesTheReference() {
        let n = 3 * DropoutKernels.blockLength + 123
        let x = Tensor(shape: [n], repeating: 2)
        var g1 = Xoshiro256(seed: 9), g2 = Xoshiro256(seed: 9), g3 = Xoshiro256(seed: 9), g4 = Xoshiro256(seed: 9)
        let (a, maskA) = x.dropout(p: 0.25, using: &g1, in: ComputeContext(threads: 1))
        let (b, maskB) = x.dropout(p: 0.25, using: &g2, in: ComputeContext(threads: 2))
        let c = x.droppedOut(p: 0.25, using: &g3, in: ComputeContext(threads: 2))
        let reference = Reference.dropoutMask(count: n, p: 0.25, using: &g4)
        #expect(a == b && maskA == maskB && a == c)
        #expect(maskA.scalars.enumerated().allSatisfy { i, m in Double(m) == (reference[i] == 0 ? 0 : Double(Float(1) / Float(0.75))) })
        #expect(g1.next() == g4.next())   // one draw per call, like the reference
        for block in 0..<3 {
            let slice = maskA.scalars[(block * DropoutKernels.blockLength)..<((block + 1) * DropoutKernels.blockLength)]
            let kept = Double(slice.filter { $0 != 0 }.count) / Double(slice.count)
            #expect(abs(kept - 0.75) < 0.01, "block \(block): keep rate \(kept)")
        }
        let (_, next) = x.dropout(p: 0.25, using: &g1)
        #expect(next != maskA)
    }
}

@Suite struct ScatterTests {
    @Test func indexAddMatchesReference() {
        var g = Xoshiro256(seed: 4)
        var x = Tensor.randomNormal([2, 5, 3], using: &g)
        let src = Tensor.randomNormal([2, 4, 3], using: &g)
        let ids: [Int32] = [4, 0, 4, 2]
        let ref = Reference.indexAdd(x.scalars.map(Double.init), shape: [2, 5, 3], axis: 1, ids: ids,
                                     source: src.scalars.map(Double.init))
        x.indexAdd(axis: 1, Int32Tensor(shape: [4], scalars: ids), src)
        // At most two Float32 additions per element.
        #expect(zip(x.scalars, ref).allSatisfy { abs(Double($0) - $1) < 1e-6 })
    }

    @Test func scatterAddIsTheAdjointOfGather() {
        var x = Tensor(zeros: [2, 4])
        x.scatterAdd(lastAxis: Int32Tensor(shape: [2, 3], scalars: [1, 1, 3, 0, 2, 2]),
                     Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        #expect(x.scalars == [0, 3, 0, 3, 4, 0, 11, 0])
    }
}
