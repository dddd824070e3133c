import ArgumentParser
import AudioIO
import Fbank

/// Kaldi's `compute-fbank-feats` options with Kaldi's names and defaults (fairseq's: 80 bins, no
/// dither, the file's own rate). Booleans take Kaldi's `--name=true|false` form.
struct FbankOptionGroup: ParsableArguments {
    @Option(help: "Sample rate the input is declared to have, Hz (default: the file's own rate).")
    var sampleFrequency: Double?
    @Option(help: "Frame length in milliseconds.") var frameLength: Double = 25
    @Option(help: "Frame shift in milliseconds.") var frameShift: Double = 10
    @Option(help: "Number of triangular mel bins.") var numMelBins: Int = 80
    @Option(help: "Window: povey, hamming, hanning, rectangular, blackman.") var windowType: WindowTypeArgument = .povey
    @Option(help: "Gaussian dither (std, in int16 units); seeded with --seed.") var dither: Double = 0
    @Option(help: "Seed of the dither generator (each utterance draws its own stream).") var seed: UInt64 = 0
    @Option(help: "Pre-emphasis coefficient.") var preemphasisCoefficient: Double = 0.97
    @Option(help: "Subtract each frame's mean (true|false).") var removeDcOffset = KaldiBool(true)
    @Option(help: "Pad frames to a power of two for the FFT (true|false).") var roundToPowerOfTwo = KaldiBool(true)
    @Option(help: "Only frames that fit completely (true|false); false centres frames and reflects the ends.")
    var snipEdges = KaldiBool(true)
    @Option(help: "Low cut-off of the mel bins, Hz.") var lowFreq: Double = 20
    @Option(help: "High cut-off, Hz; <= 0 is an offset from the Nyquist frequency.") var highFreq: Double = 0
    @Option(help: "Floor on the energy (absolute, not log; 0: none).") var energyFloor: Double = 0
    @Option(help: "Add the log energy as an extra coefficient (true|false).") var useEnergy = KaldiBool(false)
    @Option(help: "Energy before pre-emphasis and windowing (true|false).") var rawEnergy = KaldiBool(true)
    @Option(help: "Put the energy last, as HTK does (true|false).") var htkCompat = KaldiBool(false)
    @Option(help: "Log of the mel energies (true|false).") var useLogFbank = KaldiBool(true)
    @Option(help: "Power spectrum (true) or magnitude (false).") var usePower = KaldiBool(true)
    @Option(help: "Blackman window coefficient.") var blackmanCoeff: Double = 0.42
    @Flag(help: "Use samples in [-1, 1) as they are, without fairseq's 2^15 scaling.") var unscaled = false

    var options: FbankOptions {
        var o = FbankOptions()
        o.sampleFrequency = sampleFrequency
        o.frameLength = frameLength
        o.frameShift = frameShift
        o.numMelBins = numMelBins
        o.windowType = WindowType(rawValue: windowType.rawValue)!
        o.dither = dither
        o.preemphasisCoefficient = preemphasisCoefficient
        o.removeDcOffset = removeDcOffset.value
        o.roundToPowerOfTwo = roundToPowerOfTwo.value
        o.snipEdges = snipEdges.value
        o.lowFreq = lowFreq
        o.highFreq = highFreq
        o.energyFloor = energyFloor
        o.useEnergy = useEnergy.value
        o.rawEnergy = rawEnergy.value
        o.htkCompat = htkCompat.value
        o.useLogFbank = useLogFbank.value
        o.usePower = usePower.value
        o.blackmanCoeff = blackmanCoeff
        o.scaleToInt16 = !unscaled
        return o
    }
}

/// How audio is read before features are computed.
struct AudioOptionGroup: ParsableArguments {
    @Option(help: "Channel: -1 averages all channels (unlike Kaldi, which refuses multi-channel audio); 0, 1, … picks one.")
    var channel: Int = -1
    @Option(help: "Resample to this rate (Hz) with soxr (very high quality) before computing features.")
    var resampleTo: Int?
    @Option(help: "Refuse audio whose rate differs from this (Hz), unless --resample-to is given.")
    var requireRate: Int?
    @Flag(help: "Fail on audio shorter than one frame (default: a warning and a (0, D) output).")
    var strict = false

    func request(segment: TimeSegment? = nil) -> AudioRequest {
        AudioRequest(channel: ChannelSelection(option: channel), segment: segment,
                     resampleTo: resampleTo, requiredRate: requireRate)
    }
}
