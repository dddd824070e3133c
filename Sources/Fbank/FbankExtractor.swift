import AudioIO
import SeededRandom

/// Turns audio files (or segments of them) into filterbank features: reads, mixes to mono,
/// resamples and computes frames in blocks, so that an hour-long recording never sits whole in memory.
///
/// One extractor per worker thread: it caches one `FbankComputer` per sample rate.
public final class FbankExtractor {
    public let options: FbankOptions
    /// Fail on audio shorter than one frame instead of returning a (0, D) matrix.
    public let strict: Bool
    private var computers: [Int: FbankComputer] = [:]

    public init(options: FbankOptions, strict: Bool = false) {
        self.options = options
        self.strict = strict
    }

    /// The computer for input at `sampleRate` (built once).
    public func computer(sampleRate: Int) throws -> FbankComputer {
        if let c = computers[sampleRate] { return c }
        let c = try FbankComputer(options: options, sampleRate: sampleRate)
        computers[sampleRate] = c
        return c
    }

    /// Features of one recording or segment.
    /// - Parameters:
    ///   - file: an open audio file.
    ///   - request: channel, segment and rate handling.
    ///   - seed: dither seed; the stream is `Xoshiro256(seed:stream:)` of the utterance key, so that
    ///     results do not depend on the order or the worker that computes them.
    ///   - key: the utterance id (names the stream and the errors).
    /// - Returns: the features and the number of samples (at the output rate) they came from.
    /// - Throws: `AudioError` for unreadable audio, `FbankError.tooShort` in strict mode.
    public func extract(file: AudioFile, request: AudioRequest, seed: UInt64 = 0, key: String) throws
        -> (features: FeatureMatrix, samples: Int)
    {
        var rng = Xoshiro256(seed: seed, stream: Self.stableHash(key))
        let outRate = request.resampleTo ?? file.info.sampleRate
        var stream = StreamingFbank(computer: try computer(sampleRate: outRate))
        try file.stream(request) { block in stream.accept(block, using: &rng) }
        let samples = stream.samplesSeen
        let m = stream.finish(using: &rng)
        if m.rows == 0 && strict {
            throw FbankError.tooShort(name: key, samples: samples, frameLength: stream.computer.geometry.windowLength)
        }
        return (m, samples)
    }

    /// FNV-1a over the UTF-8 bytes: a hash that is the same in every process (unlike `hashValue`).
    public static func stableHash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}
