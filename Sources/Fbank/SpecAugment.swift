import SeededRandom

/// SpecAugment on a feature matrix, as fairseq's `SpecAugmentTransform` (the "lb" policy by default:
/// F 27, N_f 1, N_t 1, T 100, p 1.0, W 0). Masked cells take `maskValue`, or the matrix mean when nil.
/// Random draws follow fairseq's order (warp, then frequency masks, then time masks), from the
/// caller's generator.
public struct SpecAugment: Sendable, Equatable, Codable {
    public var timeWarpW: Int = 0
    public var freqMaskN: Int = 1
    public var freqMaskF: Int = 27
    public var timeMaskN: Int = 1
    public var timeMaskT: Int = 100
    public var timeMaskP: Double = 1.0
    public var maskValue: Float? = nil

    public init() {}

    enum CodingKeys: String, CodingKey {
        case timeWarpW = "time_wrap_W", freqMaskN = "freq_mask_N", freqMaskF = "freq_mask_F"
        case timeMaskN = "time_mask_N", timeMaskT = "time_mask_T", timeMaskP = "time_mask_p"
        case maskValue = "mask_value"
    }

    /// Returns an augmented copy of `m`.
    public func apply(to m: FeatureMatrix, using rng: inout some RandomNumberGenerator) -> FeatureMatrix {
        let frames = m.rows, freqs = m.cols
        if frames == 0 || freqs < freqMaskF { return m }
        var out = m
        let value = maskValue ?? Float(m.values.reduce(0.0) { $0 + Double($1) } / Double(m.values.count))
        if timeWarpW > 0 && 2 * timeWarpW < frames {
            let w0 = rng.nextInt(timeWarpW, frames - timeWarpW)
            let w = rng.nextInt(-timeWarpW + 1, timeWarpW)
            out = Self.warp(m, at: w0, by: w)
        }
        for _ in 0..<freqMaskN {
            let f = rng.nextInt(0, freqMaskF)
            let f0 = rng.nextInt(0, freqs - f)
            if f != 0 { for t in 0..<frames { for d in f0..<f0 + f { out[t, d] = value } } }
        }
        let maxT = min(timeMaskT, Int((Double(frames) * timeMaskP).rounded(.down)))
        if maxT < 1 { return out }
        for _ in 0..<timeMaskN {
            let t = rng.nextInt(0, maxT)
            let t0 = rng.nextInt(0, frames - t)
            if t != 0 { for r in t0..<t0 + t { for d in 0..<freqs { out[r, d] = value } } }
        }
        return out
    }

    /// Stretches rows `0..<w0` to `w0 + w` rows and the rest to the remainder, by linear
    /// interpolation along time with half-pixel centres (OpenCV's INTER_LINEAR, which fairseq uses).
    static func warp(_ m: FeatureMatrix, at w0: Int, by w: Int) -> FeatureMatrix {
        func resize(_ rows: Range<Int>, to n: Int) -> [Float] {
            let src = rows.count
            var out = [Float](repeating: 0, count: n * m.cols)
            let scale = Double(src) / Double(n)
            for i in 0..<n {
                var x = (Double(i) + 0.5) * scale - 0.5
                x = max(0, min(x, Double(src - 1)))
                let i0 = Int(x), i1 = min(i0 + 1, src - 1)
                let a = Float(x - Double(i0))
                for d in 0..<m.cols {
                    out[i * m.cols + d] = (1 - a) * m[rows.lowerBound + i0, d] + a * m[rows.lowerBound + i1, d]
                }
            }
            return out
        }
        let upper = resize(0..<w0, to: w0 + w)
        let lower = resize(w0..<m.rows, to: m.rows - w0 - w)
        return FeatureMatrix(rows: m.rows, cols: m.cols, values: upper + lower)
    }
}
