import AudioIO
import Fbank
import FeatureStore
import Foundation
import SeededRandom

/// How speech datasets turn raw audio into features on the fly.
///
/// fairseq's on-the-fly extraction (`audio_utils.extract_fbank`, P14 in the spec) uses a Hamming
/// window, dither 0 and energy floor 0 — pass `FbankOptions` set that way; the default here is
/// `FbankOptions()` (Kaldi's Povey window, as MuST-C's offline features). Features already stored
/// (npy, zip, ark matrices) are read as they are.
public struct AudioFeatureOptions: Sendable, Equatable {
    public var fbank: FbankOptions
    /// Speed perturbation factors (e.g. `[0.9, 1.0, 1.1]`); one is drawn per sample and epoch from
    /// `SampleRandom` (seed, epoch, index). Empty or `[1.0]`: none. Applies to raw audio only.
    public var speedPerturbation: [Double]
    /// Seed of the speed-perturbation draws and of dither.
    public var seed: UInt64
    /// Resample every file to this rate first (fairseq's `use_sample_rate`); nil: the file's rate.
    public var resampleTo: Int?
    /// Channel mix-down of multi-channel audio.
    public var channel: ChannelSelection
    /// Sample rate assumed when a length in samples (`utt2num_samples`) is turned into frames.
    public var nominalSampleRate: Int
    /// Allow `wav.scp` shell pipelines (`… |`).
    public var allowPipes: Bool
    /// For raw-audio rows of a fairseq manifest, whose `n_frames` counts samples (MTLA's AMI and SLURP
    /// TSVs), report `sourceLength` in filterbank frames (at `nominalSampleRate`) instead, so that
    /// `--max-tokens` budgets count the frames the model sees. Off by default (fairseq's behaviour).
    public var lengthsInFrames: Bool = false

    public init(fbank: FbankOptions = FbankOptions(), speedPerturbation: [Double] = [], seed: UInt64 = 1,
                resampleTo: Int? = nil, channel: ChannelSelection = .average, nominalSampleRate: Int = 16000,
                allowPipes: Bool = false) {
        self.fbank = fbank
        self.speedPerturbation = speedPerturbation
        self.seed = seed
        self.resampleTo = resampleTo
        self.channel = channel
        self.nominalSampleRate = nominalSampleRate
        self.allowPipes = allowPipes
    }

    /// fairseq's on-the-fly settings: Hamming window, dither 0, energy floor 0, 80 bins, 25/10 ms.
    public static var fairseqOnTheFly: AudioFeatureOptions {
        var f = FbankOptions()
        f.windowType = .hamming
        f.dither = 0
        f.energyFloor = 0
        return AudioFeatureOptions(fbank: f)
    }

    /// Whether any factor differs from 1.
    public var perturbsSpeed: Bool { speedPerturbation.contains { $0 != 1 } }

    /// The speed factor of sample `index` in `epoch` (1 without perturbation).
    public func speedFactor(index: Int, epoch: Int) -> Double {
        guard perturbsSpeed else { return 1 }
        var rng = SampleRandom.generator(seed: seed, epoch: epoch, index: index, purpose: .speedPerturbation)
        return speedPerturbation[rng.nextInt(0, speedPerturbation.count)]
    }

    /// Samples of an `n`-sample signal at `rate` after speed factor `factor`: what `features(of:)`
    /// resamples it to (read at rate·f, rounded to an integer rate, converted back to `rate`).
    public static func perturbedSampleCount(_ n: Int, factor: Double, rate: Int) -> Int {
        guard factor != 1 else { return n }
        let from = Int((Double(rate) * factor).rounded())
        return Int((Double(n) * Double(rate) / Double(from)).rounded())
    }

    /// `length` (frames or samples at factor 1) after speed factor `factor`: ⌈length / factor⌉ — an
    /// estimate for lengths whose sample count is unknown.
    public static func scaled(_ length: Int, by factor: Double) -> Int {
        factor == 1 ? length : Int((Double(length) / factor).rounded(.up))
    }

    /// Checks the factors and the fbank options.
    /// - Throws: `CorpusError.invalidOption`.
    public func validate() throws {
        for f in speedPerturbation where !(f > 0.5 && f < 2) {
            throw CorpusError.invalidOption(name: "speed-perturbation", reason: "factor \(f) outside (0.5, 2)")
        }
        do { try fbank.validate(sampleRate: Double(resampleTo ?? nominalSampleRate)) } catch {
            throw CorpusError.invalidOption(name: "fbank", reason: String(describing: error))
        }
    }
}

/// Shared readers for the speech datasets: one memory map per zip or ark (opened once, kept), and a
/// pool of filterbank computers (one per thread at a time; FFTW plans are made once). Thread-safe.
final class FeatureReader: @unchecked Sendable {
    let options: AudioFeatureOptions
    private let lock = NSLock()
    private var zips: [String: StoredZipReader] = [:]
    private var maps: [String: MappedFile] = [:]
    private var computers: [Int: [FbankComputer]] = [:]

    init(options: AudioFeatureOptions) { self.options = options }

    func zip(_ path: String) throws -> StoredZipReader {
        lock.lock(); defer { lock.unlock() }
        if let z = zips[path] { return z }
        let z = try StoredZipReader(path: path)
        zips[path] = z
        return z
    }

    func mapped(_ path: String) throws -> MappedFile {
        lock.lock(); defer { lock.unlock() }
        if let m = maps[path] { return m }
        let m = try MappedFile(path: path)
        maps[path] = m
        return m
    }

    private func withComputer<R>(rate: Int, _ body: (FbankComputer) throws -> R) throws -> R {
        lock.lock()
        let pooled = computers[rate]?.popLast()
        lock.unlock()
        let c = try pooled ?? FbankComputer(options: options.fbank, sampleRate: rate)
        defer { lock.lock(); computers[rate, default: []].append(c); lock.unlock() }
        return try body(c)
    }

    /// Features (T, F) of a decoded mono waveform, after speed perturbation by `factor`.
    /// Dither (when set) draws from a stream keyed by the utterance id.
    func features(of wave: Waveform, factor: Double, id: String) throws -> FeatureMatrix {
        var samples = wave.samples
        if factor != 1 {
            // sox `speed f`: the signal read as if recorded at rate·f, resampled back to the rate.
            let from = Int((Double(wave.sampleRate) * factor).rounded())
            samples = try Resampler.resample(samples, from: from, to: wave.sampleRate)
        }
        var rng = Xoshiro256(seed: options.seed, stream: FbankExtractor.stableHash(id))
        return try withComputer(rate: wave.sampleRate) { $0.compute(samples, using: &rng) }
    }

    /// The mono waveform of an open audio file, optionally only frames `range`, resampled as asked.
    func waveform(_ file: AudioFile, frames range: Range<Int>? = nil, segment: TimeSegment? = nil) throws -> Waveform {
        if let range {
            guard range.lowerBound >= 0, range.upperBound <= file.info.frames, !range.isEmpty else {
                throw CorpusError.invalidOption(name: file.name,
                                                reason: "frames \(range.lowerBound)..<\(range.upperBound) outside the file's \(file.info.frames) frames")
            }
            try file.seek(toFrame: range.lowerBound)
            let mono = try options.channel.mix(try file.readFrames(range.count), channels: file.info.channels, name: file.name)
            var w = Waveform(samples: mono, sampleRate: file.info.sampleRate)
            if let r = options.resampleTo, r != w.sampleRate {
                w = Waveform(samples: try Resampler.resample(w.samples, from: w.sampleRate, to: r), sampleRate: r)
            }
            return w
        }
        return try file.load(AudioRequest(channel: options.channel, segment: segment, resampleTo: options.resampleTo))
    }

    /// Frames (after speed factor 1) that `samples` samples at `rate` give.
    func frameCount(samples: Int, rate: Int) -> Int {
        FrameGeometry(options: options.fbank, sampleRate: options.fbank.sampleFrequency ?? Double(rate)).frameCount(samples: samples)
    }

    /// Decodes a Kaldi object at `offset` of the ark at `path`: a matrix gives features as stored,
    /// a wave or `AUDIO` entry gives features computed on the fly.
    func arkFeatures(path: String, offset: Int, key: String, factor: Double) throws -> FeatureMatrix {
        let file = try mapped(path)
        guard offset <= file.size else {
            throw FeatureStoreError.entryOutOfBounds(path: path, offset: offset, length: 0, fileSize: file.size)
        }
        let (object, end) = try KaldiObject.decode(file.bytes, at: offset, path: path, key: key)
        switch object {
        case .wave:
            let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: file.bytes[offset..<end]))
            return try features(of: waveform(AudioFile(bytes: bytes, name: "\(path):\(offset)")), factor: factor, id: key)
        case let .extendedAudio(a):
            return try features(of: waveform(AudioFile(bytes: a.payload, name: "\(path):\(offset)")), factor: factor, id: key)
        default:
            guard let m = object.featureMatrix else {
                throw CorpusError.invalidOption(name: "\(path):\(offset)", reason: "a \(object.typeToken) object is neither features nor audio")
            }
            return m
        }
    }

    /// Features from bytes that hold a `.npy` or an encoded audio file (a fairseq zip entry).
    func features(ofEntry raw: UnsafeRawBufferPointer, name: String, id: String, factor: Double) throws -> (FeatureMatrix, isAudio: Bool) {
        if raw.count >= 2, raw[0] == 0x93, raw[1] == 0x4E {
            return (try Npy.decodeMatrix(raw, name: name), false)
        }
        if raw.count >= 4, raw.starts(with: [0x52, 0x49, 0x46, 0x46]) || raw.starts(with: [0x66, 0x4C, 0x61, 0x43])
            || raw.starts(with: [0x4F, 0x67, 0x67, 0x53]) {
            let file = try AudioFile(bytes: [UInt8](raw), name: name)
            return (try features(of: waveform(file), factor: factor, id: id), true)
        }
        throw FeatureStoreError.badNpy(name: name, reason: "neither a .npy (\\x93N) nor WAV/FLAC/Ogg audio")
    }
}
