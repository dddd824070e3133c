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
    /// `bank` flattened: weights of bin b at `melWeights[sum of melCount[0..<b]]…`, FFT bins from `melFirst[b]`.
    private let melWeights: UnsafeMutablePointer<Float>
    private let melFirst: UnsafeMutablePointer<Int>
    private let melCount: UnsafeMutablePointer<Int>
    private let numBins: Int
    private let useLog: Bool
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
        numBins = bank.first.count
        useLog = options.useLogFbank
        let flat = bank.weights.flatMap { $0 }
        melWeights = .allocate(capacity: max(flat.count, 1))
        melWeights.initialize(from: flat, count: flat.count)
        melFirst = .allocate(capacity: numBins)
        melFirst.initialize(from: bank.first, count: numBins)
        melCount = .allocate(capacity: numBins)
        melCount.initialize(from: bank.weights.map(\.count), count: numBins)
        work = .allocate(capacity: geometry.windowLength)
        scale = options.scaleToInt16 ? 32768 : 1
    }

    deinit {
        power.deallocate(); work.deallocate()
        melWeights.deallocate(); melFirst.deallocate(); melCount.deallocate()
    }

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
        // Pass 1: the frame's samples (scaled, reflected at the ends without snip-edges, dithered)
        // in Float64, and their sum.
        let buf = work
        let start = geometry.firstSample(ofFrame: t) - sampleOffset
        let n = x.count
        let sc = Double(scale)
        var sum = 0.0
        if start >= 0 && start + L <= n {
            // Four partial sums: a single running sum is a serial chain of adds (latency-bound).
            var acc = SIMD4<Double>(repeating: 0)
            var j = 0
            while j + 4 <= L {
                let v = SIMD4<Double>(Double(x[start + j]), Double(x[start + j + 1]),
                                      Double(x[start + j + 2]), Double(x[start + j + 3])) * sc
                buf[j] = v[0]; buf[j + 1] = v[1]; buf[j + 2] = v[2]; buf[j + 3] = v[3]
                acc += v
                j += 4
            }
            sum = acc.sum()
            while j < L { let v = Double(x[start + j]) * sc; buf[j] = v; sum += v; j += 1 }
        } else {
            for j in 0..<L {
                var s = start + j
                while s < 0 || s >= n { s = s < 0 ? -s - 1 : 2 * n - 1 - s }
                let v = Double(x[s]) * sc
                buf[j] = v
                sum += v
            }
        }
        if options.dither != 0 {
            let d = options.dither
            sum = 0
            for j in 0..<L { buf[j] += rng.nextGaussian() * d; sum += buf[j] }
        }
        let mean = options.removeDcOffset ? sum / Double(L) : 0
        var logEnergy: Float = 0
        if options.useEnergy && options.rawEnergy {
            var e = 0.0
            for j in 0..<L { let v = buf[j] - mean; e += v * v }
            logEnergy = logEnergyOf(e)
        }
        // Pass 2: DC removal, pre-emphasis and window fused, into the float32 FFT input.
        let c = options.preemphasisCoefficient
        let inp = fft.input
        window.withUnsafeBufferPointer { w in
            let first = buf[0] - mean
            inp[0] = Float(w[0] * (first - c * first))
            for j in 1..<L {
                inp[j] = Float(w[j] * ((buf[j] - mean) - c * (buf[j - 1] - mean)))
            }
        }
        for j in L..<P { inp[j] = 0 }
        if options.useEnergy && !options.rawEnergy {
            var e = 0.0
            for j in 0..<L { e += Double(inp[j]) * Double(inp[j]) }
            logEnergy = logEnergyOf(e)
        }
        fft.execute()
        let spec = fft.output
        let bins = P / 2
        for k in 0..<bins {
            let re = spec[2 * k], im = spec[2 * k + 1]
            power[k] = re * re + im * im
        }
        if !options.usePower { for k in 0..<bins { power[k] = power[k].squareRoot() } }
        let melOffset = options.useEnergy && !options.htkCompat ? 1 : 0
        // Sparse mel filters from the flat tables (no array access, so no reference counting, per frame).
        var w = melWeights
        for b in 0..<numBins {
            let f = melFirst[b], count = melCount[b]
            var acc: Float = 0
            for k in 0..<count { acc += w[k] * power[f + k] }
            w += count
            out[melOffset + b] = useLog ? logf(max(acc, Self.epsilon)) : acc
        }
        if options.useEnergy {
            out[options.htkCompat ? numBins : 0] = logEnergy
        }
    }

    /// Kaldi's log energy with its floors: `log(max(e, FLT_EPSILON))`, at least `log(energy_floor)`.
    private func logEnergyOf(_ e: Double) -> Float {
        var logE = Float(log(max(e, Double(Self.epsilon))))
        if options.energyFloor > 0 { logE = max(logE, Float(log(options.energyFloor))) }
        return logE
    }
}
