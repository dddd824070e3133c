import Fbank

/// What one Kaldi ark entry holds, decoded.
///
/// Binary objects start with `\0B`; text objects with `[`; Kaldi's wave arks hold a RIFF file right after
/// `key `; kaldiio/ESPnet's extended arks hold `AUDIO` + a length header + an encoded audio file.
/// See `formats.md` §3.2 and `KaldiObject+Decode.swift` for the byte layouts.
public enum KaldiObject: Sendable, Equatable {
    /// `FM`: rows × cols Float32.
    case floatMatrix(FeatureMatrix)
    /// `DM`: rows × cols Float64, kept in double precision.
    case doubleMatrix(KaldiDoubleMatrix)
    /// `FV`.
    case floatVector([Float])
    /// `DV`, kept in double precision.
    case doubleVector([Double])
    /// A binary `std::vector<int32>` (alignments): `\0B \x04 <n>` then `\x04 <v>` per element.
    case int32Vector([Int32])
    /// `CM`, `CM2` or `CM3`, decoded to Float32 in kaldiio's operation order.
    case compressedMatrix(KaldiCompressionFormat, FeatureMatrix)
    /// A text-mode (`ark,t`) matrix, read as Float32 (as kaldiio does).
    case textMatrix(FeatureMatrix)
    /// A text-mode vector `[ v v … ]`, read as Float32.
    case textVector([Float])
    /// Kaldi's own wave ark entry: a complete RIFF/WAVE PCM file.
    case wave(KaldiWave)
    /// kaldiio's extended `AUDIO` entry (ESPnet `flac.ark` / `wav.ark`): the encoded payload, undecoded.
    case extendedAudio(KaldiExtendedAudio)

    /// The type as `index.json` of the golden files names it: `FM DM FV DV int32-vector CM CM2 CM3 text
    /// RIFF AUDIO`.
    public var typeToken: String {
        switch self {
        case .floatMatrix: "FM"
        case .doubleMatrix: "DM"
        case .floatVector: "FV"
        case .doubleVector: "DV"
        case .int32Vector: "int32-vector"
        case let .compressedMatrix(format, _): format.rawValue
        case .textMatrix, .textVector: "text"
        case .wave: "RIFF"
        case .extendedAudio: "AUDIO"
        }
    }

    /// The shape as numpy would report it: `[rows, cols]` for matrices, `[n]` for vectors,
    /// `[frames]` (mono) or `[frames, channels]` for audio. Extended audio is not decoded here:
    /// its shape is `[]` (unknown).
    public var shape: [Int] {
        switch self {
        case let .floatMatrix(m), let .textMatrix(m), let .compressedMatrix(_, m): [m.rows, m.cols]
        case let .doubleMatrix(m): [m.rows, m.cols]
        case let .floatVector(v), let .textVector(v): [v.count]
        case let .doubleVector(v): [v.count]
        case let .int32Vector(v): [v.count]
        case let .wave(w): w.channels == 1 ? [w.frames] : [w.frames, w.channels]
        case .extendedAudio: []
        }
    }

    /// The object as a Float32 matrix (vectors become n × 1; Float64 is rounded; int32 converted; audio
    /// samples scaled to [-1, 1) as frames × channels). `nil` for extended audio, which needs a decoder
    /// (see `KaldiExtendedAudio.decode(using:)`).
    public var featureMatrix: FeatureMatrix? {
        switch self {
        case let .floatMatrix(m), let .textMatrix(m), let .compressedMatrix(_, m): m
        case let .doubleMatrix(m): FeatureMatrix(rows: m.rows, cols: m.cols, values: m.values.map { Float($0) })
        case let .floatVector(v), let .textVector(v): FeatureMatrix(rows: v.count, cols: 1, values: v)
        case let .doubleVector(v): FeatureMatrix(rows: v.count, cols: 1, values: v.map { Float($0) })
        case let .int32Vector(v): FeatureMatrix(rows: v.count, cols: 1, values: v.map { Float($0) })
        case let .wave(w): FeatureMatrix(rows: w.frames, cols: w.channels, values: w.floatSamples)
        case .extendedAudio: nil
        }
    }
}

/// A row-major Float64 matrix (Kaldi `DM`), e.g. CMVN statistics.
public struct KaldiDoubleMatrix: Sendable, Equatable {
    public var rows: Int
    public var cols: Int
    public var values: [Double]

    /// - Precondition: `values.count == rows * cols`.
    public init(rows: Int, cols: Int, values: [Double]) {
        precondition(rows >= 0 && cols >= 0 && values.count == rows * cols,
                     "KaldiDoubleMatrix \(rows)x\(cols) given \(values.count) values")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    public subscript(row: Int, col: Int) -> Double {
        get { values[row * cols + col] }
        set { values[row * cols + col] = newValue }
    }
}

/// The three compressed-matrix layouts of Kaldi's `CompressedMatrix`.
public enum KaldiCompressionFormat: String, Sendable, Equatable, CaseIterable {
    /// One byte per value, per-column percentile headers, column-major data.
    case cm = "CM"
    /// Two bytes per value, row-major.
    case cm2 = "CM2"
    /// One byte per value, row-major.
    case cm3 = "CM3"
}

/// Kaldi's `CompressionMethod` (values as in kaldiio's `compression_method` argument).
public enum KaldiCompressionMethod: Int, Sendable, Equatable, CaseIterable {
    /// `CM` if rows > 8, else `CM2`.
    case automatic = 1
    /// `CM` (the default of `copy-feats --compress=true`).
    case speechFeature = 2
    /// `CM2` with min/range from the data.
    case twoByteAuto = 3
    /// `CM2` with min −32768, range 65535.
    case twoByteSignedInteger = 4
    /// `CM3` with min/range from the data.
    case oneByteAuto = 5
    /// `CM3` with min 0, range 255.
    case oneByteUnsignedInteger = 6
    /// `CM3` with min 0, range 1.
    case oneByteZeroOne = 7
}

/// A decoded PCM wave (Kaldi wave ark entry or a WAV payload): interleaved Int16 samples.
public struct KaldiWave: Sendable, Equatable {
    public var sampleRate: Int
    public var channels: Int
    /// Interleaved samples, `frames * channels` values.
    public var samples: [Int16]

    public init(sampleRate: Int, channels: Int, samples: [Int16]) {
        precondition(channels > 0 && samples.count % channels == 0, "\(samples.count) samples for \(channels) channels")
        self.sampleRate = sampleRate
        self.channels = channels
        self.samples = samples
    }

    public var frames: Int { samples.count / channels }

    /// The samples scaled to [-1, 1) (`s / 32768`, exact in Float32), interleaved.
    public var floatSamples: [Float] {
        [Float](unsafeUninitializedCapacity: samples.count) { out, n in
            samples.withUnsafeBufferPointer { s in
                for i in 0..<s.count { out[i] = Float(s[i]) * (1.0 / 32768.0) }
            }
            n = samples.count
        }
    }
}

/// Audio decoded by a caller-supplied decoder: interleaved Float32 samples in [-1, 1).
public struct KaldiDecodedAudio: Sendable, Equatable {
    public var samples: [Float]
    public var sampleRate: Int
    public var channels: Int

    public init(samples: [Float], sampleRate: Int, channels: Int) {
        self.samples = samples
        self.sampleRate = sampleRate
        self.channels = channels
    }

    public var frames: Int { channels > 0 ? samples.count / channels : 0 }
}

/// Decodes an encoded audio file held in memory (`bytes`, with `name` for error messages) into
/// interleaved Float32 samples in [-1, 1). The CLI supplies AudioIO's libsndfile decoder
/// (`AudioFile(bytes:name:)`); FeatureStore itself only decodes PCM WAV (`KaldiWaveDecoder`).
public typealias KaldiAudioDecoder = @Sendable (_ bytes: [UInt8], _ name: String) throws -> KaldiDecodedAudio

/// kaldiio's extended audio entry: `AUDIO` + uint8 n + n-byte little-endian length + payload.
public struct KaldiExtendedAudio: Sendable, Equatable {
    /// The container of the payload, from its magic bytes.
    public enum Container: String, Sendable, Equatable {
        case flac = "FLAC"
        case wav = "WAV"
        case other = "unknown"
    }

    /// The encoded file (a complete FLAC stream or RIFF/WAVE file).
    public var payload: [UInt8]
    /// Byte offset of the payload in the ark.
    public var payloadOffset: Int
    /// `n`, the number of bytes of the length field.
    public var lengthBytes: Int

    public init(payload: [UInt8], payloadOffset: Int, lengthBytes: Int) {
        self.payload = payload
        self.payloadOffset = payloadOffset
        self.lengthBytes = lengthBytes
    }

    public var container: Container {
        if payload.starts(with: [0x66, 0x4C, 0x61, 0x43]) { return .flac }  // fLaC
        if payload.starts(with: [0x52, 0x49, 0x46, 0x46]) { return .wav }   // RIFF
        return .other
    }

    /// Decodes the payload: PCM WAV with `KaldiWaveDecoder` when no decoder is given, anything else
    /// with `decoder`.
    /// - Throws: `FeatureStoreError.audioDecoderUnavailable` for FLAC etc. without a decoder; the
    ///   decoder's errors.
    public func decode(name: String, key: String, using decoder: KaldiAudioDecoder?) throws -> KaldiDecodedAudio {
        if let decoder { return try decoder(payload, "\(name):\(key)") }
        guard container == .wav else {
            throw FeatureStoreError.audioDecoderUnavailable(path: name, key: key, container: container.rawValue)
        }
        let wave = try KaldiWaveDecoder.decode(payload, path: name, key: key, offset: payloadOffset)
        return KaldiDecodedAudio(samples: wave.floatSamples, sampleRate: wave.sampleRate, channels: wave.channels)
    }
}
