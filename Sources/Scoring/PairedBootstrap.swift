import Foundation

/// Mean and 95% interval half-width of resampled scores, and (for a system) the p-value.
public struct BootstrapEstimate: Equatable, Sendable {
    /// The actual corpus score.
    public var score: Double
    public var mean: Double
    /// Half-width of the 95% interval: (sorted[974] − sorted[25]) / 2 for 1000 samples.
    public var ci: Double
    /// nil for the baseline.
    public var pValue: Double?
}

/// The statistic a bootstrap resamples.
public enum BootstrapMetric: Sendable {
    /// BLEU (statistics `[sys_len, ref_len, correct…, total…]`), exp smoothing, scored in float32 as numpy does.
    case bleu(maxOrder: Int)
    /// chrF (statistics triples), scored in float32 as numpy does.
    case chrf(charOrder: Int, wordOrder: Int, beta: Int)
    /// An error rate (statistics `[errors, reference length]`), 100·Σerrors/Σlength in double.
    case errorRate
}

/// sacreBLEU 2.6.0's paired bootstrap resampling (`--paired-bs`), reproducing its resamples:
/// numpy `default_rng(seed).choice(N, size=(n, N))`, one index matrix shared by the baseline CI,
/// the system CI and the p-value; float32 score formulas; numpy's pairwise means.
public struct PairedBootstrap: Sendable {
    public var samples: Int
    public var seed: UInt32

    public init(samples: Int = 1000, seed: UInt32 = 12345) {
        self.samples = samples
        self.seed = seed
    }

    /// The index matrix, row-major (`samples × n`).
    public func indices(n: Int) -> [Int32] {
        var rng = NumpyPCG64(seed: seed)
        var out = [Int32](repeating: 0, count: samples * n)
        for k in out.indices { out[k] = Int32(rng.integer(below: UInt32(n))) }
        return out
    }

    /// Resampled scores of one system.
    public func resampleScores(statistics: [[Int]], metric: BootstrapMetric, indices: [Int32]) -> [Double] {
        let n = statistics.count
        let width = statistics.first?.count ?? 0
        var flat = [Int](repeating: 0, count: n * width)
        for i in 0..<n { for k in 0..<width { flat[i * width + k] = statistics[i][k] } }
        var out = [Double](repeating: 0, count: samples)
        var sum = [Int](repeating: 0, count: width)
        for s in 0..<samples {
            for k in 0..<width { sum[k] = 0 }
            for j in 0..<n {
                let row = Int(indices[s * n + j]) * width
                for k in 0..<width { sum[k] += flat[row + k] }
            }
            out[s] = Self.score(sum, metric)
        }
        return out
    }

    /// A metric's score on summed statistics, with sacreBLEU's float32 arithmetic.
    public static func score(_ s: [Int], _ metric: BootstrapMetric) -> Double {
        switch metric {
        case let .bleu(maxOrder):
            // sacreBLEU converts the summed lengths back to int: the brevity penalty is in double
            let sysLen = s[0], refLen = s[1]
            var bp = 1.0
            if sysLen < refLen { bp = sysLen > 0 ? Foundation.exp(1 - Double(refLen) / Double(sysLen)) : 0 }
            let correct = (0..<maxOrder).map { Float(s[2 + $0]) }, total = (0..<maxOrder).map { Float(s[2 + maxOrder + $0]) }
            if correct.allSatisfy({ $0 == 0 }) { return 0 }
            var precisions = [Float](repeating: 0, count: maxOrder)
            var smooth = 1.0
            for n in 0..<maxOrder {
                if total[n] == 0 { break }
                if correct[n] == 0 {
                    smooth *= 2
                    precisions[n] = 100 / (Float(smooth) * total[n])
                } else {
                    precisions[n] = (100 * correct[n]) / total[n]
                }
            }
            var logSum = 0.0
            for p in precisions { logSum += p == 0 ? -9999999999 : Foundation.log(Double(p)) }
            return bp * Foundation.exp(logSum / Double(maxOrder))
        case let .chrf(charOrder, wordOrder, beta):
            let factor = Float(beta * beta)
            var p: Float = 0, r: Float = 0
            var eff = 0
            for i in 0..<(charOrder + wordOrder) {
                let h = Float(s[3 * i]), rf = Float(s[3 * i + 1]), m = Float(s[3 * i + 2])
                if h > 0 && rf > 0 { p += m / h; r += m / rf; eff += 1 }
            }
            if eff == 0 { return 0 }
            p /= Float(eff); r /= Float(eff)
            if p + r == 0 { return 0 }
            var score = (1 + factor) * p * r
            score /= (factor * p) + r
            return Double(100 * score)
        case .errorRate:
            return s[1] > 0 ? 100 * Double(s[0]) / Double(s[1]) : 0
        }
    }

    static func isFloat32(_ m: BootstrapMetric) -> Bool { if case .chrf = m { return true }; return false }

    /// numpy's `mean` of the scores (float32 pairwise for chrF, float64 pairwise otherwise).
    static func npMean(_ x: [Double], float32: Bool) -> Double {
        if float32 {
            let f = x.map { Float($0) }
            let s = f.withUnsafeBufferPointer { numpyPairwiseSum($0) }
            return Double(s / Float(x.count))
        }
        return x.withUnsafeBufferPointer { numpyPairwiseSum($0) } / Double(x.count)
    }

    /// `estimate_ci`: mean of the sorted scores and half the spread between the 2.5% and 97.5% ranks.
    static func estimate(_ scores: [Double], float32: Bool) -> (mean: Double, ci: Double) {
        let sorted = scores.sorted()
        let n = sorted.count
        let lo = n / 40, hi = n - lo - 1
        let ci: Double = float32 ? Double(Float(0.5) * (Float(sorted[hi]) - Float(sorted[lo]))) : 0.5 * (sorted[hi] - sorted[lo])
        return (npMean(sorted, float32: float32), ci)
    }

    /// Compares `system` with `baseline` (statistics per segment, same segments) and returns the
    /// estimates of both, with the system's p-value.
    public func compare(baseline: [[Int]], system: [[Int]], metric: BootstrapMetric,
                        baselineScore: Double, systemScore: Double) -> (baseline: BootstrapEstimate, system: BootstrapEstimate) {
        let idx = indices(n: baseline.count)
        let a = resampleScores(statistics: baseline, metric: metric, indices: idx)
        let b = resampleScores(statistics: system, metric: metric, indices: idx)
        let f32 = Self.isFloat32(metric)
        let ea = Self.estimate(a, float32: f32), eb = Self.estimate(b, float32: f32)
        // p-value
        let real = abs(systemScore - baselineScore)
        var count = 0
        if f32 {
            let d = a.indices.map { abs(Float(b[$0]) - Float(a[$0])) }
            let mean = d.withUnsafeBufferPointer { numpyPairwiseSum($0) } / Float(d.count)
            let rf = Float(real)
            for x in d where x - mean > rf { count += 1 }
        } else {
            let d = a.indices.map { abs(b[$0] - a[$0]) }
            let mean = d.withUnsafeBufferPointer { numpyPairwiseSum($0) } / Double(d.count)
            for x in d where x - mean > real { count += 1 }
        }
        let p = Double(count + 1) / Double(samples + 1)
        return (BootstrapEstimate(score: baselineScore, mean: ea.mean, ci: ea.ci, pValue: nil),
                BootstrapEstimate(score: systemScore, mean: eb.mean, ci: eb.ci, pValue: p))
    }
}
