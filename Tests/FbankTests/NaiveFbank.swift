import Foundation
import Fbank

/// A plain float64 reference of Kaldi's fbank, written straight from `feature-fbank.cc` with a naive
/// O(N²) DFT: slow, obviously right, used to check the fast path on options the goldens do not cover.
enum NaiveFbank {
    static func compute(_ samples: [Float], rate: Double, o: FbankOptions) -> [[Double]] {
        let g = FrameGeometry(options: o, sampleRate: rate)
        let L = g.windowLength, P = g.paddedLength
        let x = samples.map { Double($0) * (o.scaleToInt16 ? 32768 : 1) }
        let win = o.windowType.coefficients(length: L, blackmanCoeff: o.blackmanCoeff)
        let bank = MelFilterBank(numBins: o.numMelBins, paddedLength: P, sampleRate: rate, lowFreq: o.lowFreq, highFreq: o.highFreq)
        var out: [[Double]] = []
        for t in 0..<g.frameCount(samples: x.count) {
            var f = (0..<L).map { j -> Double in
                var s = g.firstSample(ofFrame: t) + j
                while s < 0 || s >= x.count { s = s < 0 ? -s - 1 : 2 * x.count - 1 - s }
                return x[s]
            }
            if o.removeDcOffset { let m = f.reduce(0, +) / Double(L); f = f.map { $0 - m } }
            let rawE = f.reduce(0) { $0 + $1 * $1 }
            for j in stride(from: L - 1, to: 0, by: -1) { f[j] -= o.preemphasisCoefficient * f[j - 1] }
            f[0] -= o.preemphasisCoefficient * f[0]
            f = zip(f, win).map(*) + [Double](repeating: 0, count: P - L)
            let e = o.rawEnergy ? rawE : f.reduce(0) { $0 + $1 * $1 }
            var spec = [Double](repeating: 0, count: P / 2)
            for k in 0..<P / 2 {
                var re = 0.0, im = 0.0
                for n in 0..<P { re += f[n] * cos(2 * .pi * Double(k * n) / Double(P)); im -= f[n] * sin(2 * .pi * Double(k * n) / Double(P)) }
                spec[k] = o.usePower ? re * re + im * im : (re * re + im * im).squareRoot()
            }
            var row: [Double] = (0..<o.numMelBins).map { b in
                var acc = 0.0
                for (k, w) in bank.weights[b].enumerated() { acc += Double(w) * spec[bank.first[b] + k] }
                return o.useLogFbank ? log(max(acc, Double(Float.ulpOfOne))) : acc
            }
            if o.useEnergy {
                var le = log(max(e, Double(Float.ulpOfOne)))
                if o.energyFloor > 0 { le = max(le, log(o.energyFloor)) }
                if o.htkCompat { row.append(le) } else { row.insert(le, at: 0) }
            }
            out.append(row)
        }
        return out
    }
}
