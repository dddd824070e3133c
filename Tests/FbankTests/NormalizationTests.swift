import Testing
import Foundation
import Fbank
import SeededRandom
import _TestSupport

@Suite struct NormalizationTests {
    static func random(_ rows: Int, _ cols: Int, seed: UInt64) -> FeatureMatrix {
        var g = Xoshiro256(seed: seed)
        return FeatureMatrix(rows: rows, cols: cols, values: (0..<rows * cols).map { _ in Float(g.nextGaussian() * 3 + 5) })
    }

    @Test func utteranceCMVNGivesZeroMeanUnitVariance() {
        var m = Self.random(200, 5, seed: 1)
        UtteranceCMVN().apply(to: &m)
        for d in 0..<5 {
            let col = (0..<200).map { Double(m[$0, d]) }
            let mean = col.reduce(0, +) / 200
            let varc = col.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 200
            // Float32 output of values ~5 ± 3: rounding leaves ~1e-7 relative per value; 1e-5 / 1e-4
            // on the mean / variance of 200 of them is a wide margin that a wrong formula cannot meet.
            #expect(abs(mean) < 1e-5 && abs(varc - 1) < 1e-4)
        }
    }

    @Test func globalCMVNFromMergedStatisticsEqualsOnePass() throws {
        let a = Self.random(50, 4, seed: 2), b = Self.random(70, 4, seed: 3)
        var s1 = CMVNAccumulator(dimension: 4); s1.add(a)
        var s2 = CMVNAccumulator(dimension: 4); s2.add(b)
        s1.merge(s2)
        var all = CMVNAccumulator(dimension: 4)
        all.add(FeatureMatrix(rows: 120, cols: 4, values: a.values + b.values))
        // Same sums up to float64 summation order.
        #expect(s1.count == all.count)
        // Sums of ~4,000 in Float64 (ulp ~1e-12): 1e-9 allows any summation order.
        #expect(DifferenceStats(s1.sum + s1.sumSquares, all.sum + all.sumSquares).maxAbs < 1e-9)
        let g = GlobalCMVN(statistics: all)
        var m = a
        try g.apply(to: &m, name: "a")
        // The same float32 operations as the expected value; 1e-6 is a few ulp of values ~1.
        #expect(abs(m[0, 0] - (a[0, 0] - g.mean[0]) / g.std[0]) < 1e-6)
        var wrong = Self.random(3, 5, seed: 9)
        #expect(throws: FbankError.cmvnDimension(name: "w", expected: 5, found: 4)) { try g.apply(to: &wrong, name: "w") }
    }

    @Test func specAugmentMasksWithinLimits() {
        let m = Self.random(300, 80, seed: 4)
        var aug = SpecAugment()
        aug.maskValue = -1000
        var g1 = Xoshiro256(seed: 5), g2 = Xoshiro256(seed: 5)
        let x = aug.apply(to: m, using: &g1)
        #expect(x == aug.apply(to: m, using: &g2))
        let maskedCols = (0..<80).filter { d in (0..<300).allSatisfy { x[$0, d] == -1000 } }
        let maskedRows = (0..<300).filter { t in (0..<80).allSatisfy { x[t, $0] == -1000 } }
        #expect(maskedCols.count < 27 && maskedRows.count < 100)
        // Every cell is either untouched or the mask value, and masks are contiguous.
        for i in 0..<m.values.count { #expect(x.values[i] == m.values[i] || x.values[i] == -1000) }
        if let f = maskedCols.first { #expect(maskedCols == Array(f..<f + maskedCols.count)) }
        if let t = maskedRows.first { #expect(maskedRows == Array(t..<t + maskedRows.count)) }
    }

    @Test func timeWarpKeepsShapeAndEnds() {
        let m = Self.random(100, 10, seed: 6)
        var aug = SpecAugment(); aug.timeWarpW = 5; aug.freqMaskN = 0; aug.timeMaskN = 0
        var g = Xoshiro256(seed: 1)
        let x = aug.apply(to: m, using: &g)
        #expect(x.rows == 100 && x.cols == 10)
        #expect(x.row(0) == m.row(0) && x.row(99) == m.row(99))
    }
}
