import Foundation
import SeededRandom

/// Computes Kaldi-compatible log-mel filterbank features, frame by frame.
///
/// Input: mono samples in [-1, 1) (scaled by 2^15 inside when `scaleToInt16`). Output: a
/// `frames × featureDimension` matrix (the energy, when used, first — or last with `htkCompat`).
/// The per-frame pipeline is Kaldi's: dither → DC removal → raw energy → pre-emphasis → window →
/// zero-pad to the FFT length → power (or magnitude) spectrum → sparse mel filters → log with a floor
/// at the float32 epsilon. One instance per thread (it owns FFT buffers); it allocates nothing per frame.
public final class FbankComputer: @unchecked Sendable {
    public let options: FbankOptions
    public let sampleRate: Double
    public let geometry: FrameGeometry
    public let bank: MelFilterBank
    public var dimension: Int { options.featureDimension }

    private let window: [Double]
    private let fft: RealFFT
    private let power: UnsafeMutablePointer<Float>
    private let work: UnsafeMutablePointer<Double>
    private let scale: Float
    static let epsilon = Float.ulpOfOne  // 1.1920929e-07, Kaldi's and torchaudio's floor

    /// - Parameter sampleRate: the input's rate; `options.sampleFrequency`, when set, overrides it.
    /// - Throws: `FbankError.invalidOption` for options Kaldi would refuse.
    public init(options: FbankOptions, sampleRate: Int) throws {
        let rate = options.sampleFrequency ?? Double(sampleRate)
        try options.validate(sampleRate: rate)
        self.options = options
        self.sampleRate = rate
        geometry = FrameGeometry(options: options, sampleRate: rate)
        bank = MelFilterBank(numBins: options.numMelBins, paddedLength: geometry.paddedLength,
                             sampleRate: rate, lowFreq: options.lowFreq, highFreq: options.highFreq)
        window = options.windowType.coefficients(length: geometry.windowLength,
                                                 blackmanCoeff: options.blackmanCoeff)
        fft = RealFFT(length: geometry.paddedLength)
        power = .allocate(capacity: geometry.paddedLength / 2 + 1)
        work = .allocate(capacity: geometry.windowLength)
        scale = options.scaleToInt16 ? 32768 : 1
    }

    deinit { power.deallocate(); work.deallocate() }

    /// Number of frames `samples` input samples give.
    public func frameCount(samples: Int) -> Int { geometry.frameCount(samples: samples) }

    /// Features of a whole signal.
    /// - Parameter rng: the dither source (unused when `dither` is 0).
    public func compute(_ samples: [Float], using rng: inout some RandomNumberGenerator) -> FeatureMatrix {
        let frames = geometry.frameCount(samples: samples.count)
        var out = FeatureMatrix(rows: frames, cols: dimension)
        samples.withUnsafeBufferPointer { x in
            out.values.withUnsafeMutableBufferPointer { o in
                for t in 0..<frames {
                    computeFrame(t, signal: x, sampleOffset: 0, into: o.baseAddress! + t * dimension, using: &rng)
                }
            }
        }
        return out
    }

    /// Computes frame `t` of a signal of which `signal` holds the samples starting at absolute index
    /// `sampleOffset` (streaming callers keep only a tail). Without snip-edges, samples outside
    /// `signal` are reflected as Kaldi does, which requires `signal` to be the whole signal.
    /// - Parameter out: `dimension` floats.
    public func computeFrame(_ t: Int, signal x: UnsafeBufferPointer<Float>, sampleOffset: Int,
                             into out: UnsafeMutablePointer<Float>, using rng: inout some RandomNumberGenerator) {
        let L = geometry.windowLength
        let P = geometry.paddedLength
        let buf = work
        let start = geometry.firstSample(ofFrame: t) - sampleOffset
        let n = x.count
        let sc = Double(scale)
        if start >= 0 && start + L <= n {
            for j in 0..<L { buf[j] = Double(x[start + j]) * sc }
        } else {
            for j in 0..<L {
                var s = start + j
                while s < 0 || s >= n { s = s < 0 ? -s - 1 : 2 * n - 1 - s }
                buf[j] = Double(x[s]) * sc
            }
        }
        if options.dither != 0 {
            let d = options.dither
            for j in 0..<L { buf[j] += rng.nextGaussian() * d }
        }
        if options.removeDcOffset {
            var sum = 0.0
            for j in 0..<L { sum += buf[j] }
            let mean = sum / Double(L)
            for j in 0..<L { buf[j] -= mean }
        }
        var logEnergy: Float = 0
        if options.useEnergy && options.rawEnergy { logEnergy = energy(buf, L) }
        let c = options.preemphasisCoefficient
        if c != 0 {
            var j = L - 1
            while j > 0 { buf[j] -= c * buf[j - 1]; j -= 1 }
            buf[0] -= c * buf[0]
        }
        let inp = fft.input
        window.withUnsafeBufferPointer { w in
            for j in 0..<L { buf[j] *= w[j]; inp[j] = Float(buf[j]) }
        }
        for j in L..<P { inp[j] = 0 }
        if options.useEnergy && !options.rawEnergy { logEnergy = energy(buf, L) }
        fft.execute()
        let spec = fft.output
        let bins = P / 2
        for k in 0..<bins {
            let re = spec[2 * k], im = spec[2 * k + 1]
            power[k] = re * re + im * im
        }
        if !options.usePower { for k in 0..<bins { power[k] = power[k].squareRoot() } }
        let melOffset = options.useEnergy && !options.htkCompat ? 1 : 0
        for b in 0..<bank.first.count {
            let f = bank.first[b]
            var acc: Float = 0
            bank.weights[b].withUnsafeBufferPointer { w in
                for k in 0..<w.count { acc += w[k] * power[f + k] }
            }
            out[melOffset + b] = options.useLogFbank ? logf(max(acc, Self.epsilon)) : acc
        }
        if options.useEnergy {
            out[options.htkCompat ? bank.first.count : 0] = logEnergy
        }
    }

    private func energy(_ buf: UnsafeMutablePointer<Double>, _ L: Int) -> Float {
        var e = 0.0
        for j in 0..<L { e += buf[j] * buf[j] }
        var logE = Float(log(max(e, Double(Self.epsilon))))
        if options.energyFloor > 0 { logE = max(logE, Float(log(options.energyFloor))) }
        return logE
    }
}
