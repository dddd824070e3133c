import Foundation

/// Kaldi's triangular mel filters (`mel-computations.cc`), stored sparsely: each bin covers a run of
/// consecutive FFT bins. Mel scale: `1127 ln(1 + f/700)`.
///
/// Shapes: `weights[b]` has `count[b]` entries for FFT bins `first[b] ..< first[b] + count[b]`,
/// out of `paddedLength/2` FFT bins (the Nyquist bin always has weight 0, as in Kaldi).
public struct MelFilterBank: Sendable, Equatable {
    public let first: [Int]
    public let weights: [[Float]]

    public static func mel(_ hz: Double) -> Double { 1127.0 * log(1.0 + hz / 700.0) }

    public init(numBins: Int, paddedLength: Int, sampleRate: Double, lowFreq: Double, highFreq: Double) {
        let numFFTBins = paddedLength / 2
        let nyquist = 0.5 * sampleRate
        let high = highFreq <= 0 ? highFreq + nyquist : highFreq
        let binWidth = sampleRate / Double(paddedLength)
        let melLow = Self.mel(lowFreq), melHigh = Self.mel(high)
        let delta = (melHigh - melLow) / Double(numBins + 1)
        var first: [Int] = [], weights: [[Float]] = []
        for b in 0..<numBins {
            let left = melLow + Double(b) * delta
            let center = melLow + Double(b + 1) * delta
            let right = melLow + Double(b + 2) * delta
            var start = -1
            var w: [Float] = []
            for i in 0..<numFFTBins {
                let m = Self.mel(binWidth * Double(i))
                if m > left && m < right {
                    let v = m <= center ? (m - left) / (center - left) : (right - m) / (right - center)
                    if start < 0 { start = i }
                    w.append(Float(v))
                }
            }
            first.append(max(start, 0))
            weights.append(w)
        }
        self.first = first
        self.weights = weights
    }
}
