/// The window function applied to each frame (Kaldi's `--window-type`).
public enum WindowType: String, Sendable, Codable, CaseIterable {
    case povey, hamming, hanning, rectangular, blackman
}

/// Options of Kaldi's `compute-fbank-feats`, with Kaldi's names (snake_case in configs, kebab-case on
/// the command line) and defaults, except where fairseq's extraction differs:
/// `numMelBins` 80 (Kaldi: 23), `dither` 0 (Kaldi: 1), and `sampleFrequency` nil meaning "the file's
/// own rate" (Kaldi: 16000). With these defaults the output equals fairseq's
/// `torchaudio.compliance.kaldi.fbank(waveform * 2**15, num_mel_bins=80, dither=0, sample_frequency=rate)`.
public struct FbankOptions: Sendable, Codable, Equatable {
    /// Sample rate in Hz the input is declared to have; nil: the input's own rate.
    public var sampleFrequency: Double? = nil
    /// Frame length in milliseconds.
    public var frameLength: Double = 25
    /// Frame shift in milliseconds.
    public var frameShift: Double = 10
    public var numMelBins: Int = 80
    public var windowType: WindowType = .povey
    /// Standard deviation of Gaussian dither added to each sample (0: none). Seeded by the caller.
    public var dither: Double = 0
    public var preemphasisCoefficient: Double = 0.97
    public var removeDcOffset: Bool = true
    public var roundToPowerOfTwo: Bool = true
    /// true: only frames that fit completely; false: frames centred on multiples of the shift,
    /// with the signal reflected at the ends.
    public var snipEdges: Bool = true
    public var lowFreq: Double = 20
    /// Upper cut-off; <= 0 means an offset from the Nyquist frequency.
    public var highFreq: Double = 0
    /// Floor on the raw log energy (0: none), as `exp(log_energy) >= energy_floor`.
    public var energyFloor: Double = 0
    /// Prepend (or append, with `htkCompat`) the log energy as an extra coefficient.
    public var useEnergy: Bool = false
    /// Energy before pre-emphasis and windowing (Kaldi's default).
    public var rawEnergy: Bool = true
    public var htkCompat: Bool = false
    public var useLogFbank: Bool = true
    /// Power spectrum (true) or magnitude (false).
    public var usePower: Bool = true
    /// Blackman window coefficient.
    public var blackmanCoeff: Double = 0.42
    /// Multiply [-1, 1) input by 2^15 first, as fairseq does (false: use the samples as they are).
    public var scaleToInt16: Bool = true

    public init() {}

    enum CodingKeys: String, CodingKey {
        case sampleFrequency = "sample_frequency", frameLength = "frame_length", frameShift = "frame_shift"
        case numMelBins = "num_mel_bins", windowType = "window_type", dither
        case preemphasisCoefficient = "preemphasis_coefficient", removeDcOffset = "remove_dc_offset"
        case roundToPowerOfTwo = "round_to_power_of_two", snipEdges = "snip_edges"
        case lowFreq = "low_freq", highFreq = "high_freq", energyFloor = "energy_floor"
        case useEnergy = "use_energy", rawEnergy = "raw_energy", htkCompat = "htk_compat"
        case useLogFbank = "use_log_fbank", usePower = "use_power", blackmanCoeff = "blackman_coeff"
        case scaleToInt16 = "scale_to_int16"
    }

    /// Output dimension: mel bins, plus one with `useEnergy`.
    public var featureDimension: Int { numMelBins + (useEnergy ? 1 : 0) }

    /// Checks the options against a sample rate, as Kaldi does when it builds its tables.
    /// - Throws: `FbankError.invalidOption` naming the option.
    public func validate(sampleRate: Double) throws {
        let nyquist = sampleRate / 2
        let high = highFreq > 0 ? highFreq : nyquist + highFreq
        if numMelBins < 3 { throw FbankError.invalidOption(name: "num-mel-bins", reason: "must be at least 3, got \(numMelBins)") }
        if frameShift <= 0 { throw FbankError.invalidOption(name: "frame-shift", reason: "must be positive, got \(frameShift)") }
        let win = Int(sampleRate * 0.001 * frameLength)
        let shift = Int(sampleRate * 0.001 * frameShift)
        if win < 2 { throw FbankError.invalidOption(name: "frame-length", reason: "\(frameLength) ms is under 2 samples at \(sampleRate) Hz") }
        if shift < 1 { throw FbankError.invalidOption(name: "frame-shift", reason: "\(frameShift) ms is under 1 sample at \(sampleRate) Hz") }
        if !(0...1).contains(preemphasisCoefficient) {
            throw FbankError.invalidOption(name: "preemphasis-coefficient", reason: "must be in [0, 1], got \(preemphasisCoefficient)")
        }
        if lowFreq < 0 || lowFreq >= nyquist || high <= 0 || high > nyquist || high <= lowFreq {
            throw FbankError.invalidOption(name: "low-freq/high-freq",
                reason: "need 0 <= low-freq < high-freq <= Nyquist (\(nyquist) Hz); got low \(lowFreq), high \(highFreq) (= \(high))")
        }
        if dither < 0 { throw FbankError.invalidOption(name: "dither", reason: "must be >= 0, got \(dither)") }
    }
}
