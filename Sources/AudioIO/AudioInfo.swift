import CSndFile

/// What a file header says about its audio.
public struct AudioInfo: Sendable, Equatable {
    /// Samples per second per channel.
    public var sampleRate: Int
    public var channels: Int
    /// Frames (samples per channel) as announced by the header.
    public var frames: Int
    /// Container, e.g. "WAV", "FLAC", "OGG".
    public var container: String
    /// Sample encoding, e.g. "PCM_16", "PCM_24", "FLOAT", "VORBIS".
    public var subtype: String

    /// Duration in seconds.
    public var duration: Double { sampleRate > 0 ? Double(frames) / Double(sampleRate) : 0 }

    init(_ info: SF_INFO) {
        sampleRate = Int(info.samplerate)
        channels = Int(info.channels)
        frames = Int(info.frames)
        let major: Int = Int(info.format) & SF_FORMAT_TYPEMASK
        let minor: Int = Int(info.format) & SF_FORMAT_SUBMASK
        container = Self.containerNames[major] ?? "0x" + String(major, radix: 16)
        subtype = Self.subtypeNames[minor] ?? "0x" + String(minor, radix: 16)
    }

    static let containerNames: [Int: String] = [
        SF_FORMAT_WAV: "WAV", SF_FORMAT_FLAC: "FLAC",
        SF_FORMAT_OGG: "OGG", SF_FORMAT_AIFF: "AIFF",
        SF_FORMAT_W64: "W64", SF_FORMAT_RF64: "RF64",
        SF_FORMAT_WAVEX: "WAVEX", SF_FORMAT_AU: "AU",
        SF_FORMAT_RAW: "RAW",
    ]
    static let subtypeNames: [Int: String] = [
        SF_FORMAT_PCM_S8: "PCM_S8", SF_FORMAT_PCM_U8: "PCM_U8",
        SF_FORMAT_PCM_16: "PCM_16", SF_FORMAT_PCM_24: "PCM_24",
        SF_FORMAT_PCM_32: "PCM_32", SF_FORMAT_FLOAT: "FLOAT",
        SF_FORMAT_DOUBLE: "DOUBLE", SF_FORMAT_VORBIS: "VORBIS",
        SF_FORMAT_OPUS: "OPUS", SF_FORMAT_ULAW: "ULAW",
        SF_FORMAT_ALAW: "ALAW",
    ]
}
