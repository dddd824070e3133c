/// Errors of audio input. Each case names the file and says what was expected.
public enum AudioError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libsndfile refused the file (missing, not audio, unsupported encoding); `reason` is its message.
    case cannotOpen(path: String, reason: String)
    /// The file decodes to fewer frames than its header announces (truncated WAV, FLAC that lost sync).
    case truncated(path: String, expectedFrames: Int, readFrames: Int, detail: String)
    /// The WAV data chunk is shorter than the header says.
    case truncatedData(path: String, headerBytes: Int, presentBytes: Int)
    /// `--channel` names a channel the file does not have.
    case noSuchChannel(path: String, channel: Int, channels: Int)
    /// A segment outside the file or with end <= start.
    case badSegment(path: String, start: Double, end: Double, duration: Double)
    /// The file's rate is not the one required and no resampling was asked for.
    case sampleRateMismatch(path: String, found: Int, expected: Int)
    /// libsoxr failed.
    case resampler(reason: String)
    /// A read failed midway.
    case readFailed(path: String, reason: String)
    /// `AudioWriter` could not create or fill the file.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            "\(path): cannot open as audio: \(reason)"
        case let .truncated(path, expected, read, detail):
            "\(path): truncated or corrupt audio: header announces \(expected) frames, only \(read) could be decoded\(detail.isEmpty ? "" : " (\(detail))")"
        case let .truncatedData(path, header, present):
            "\(path): truncated WAV: the data chunk announces \(header) bytes but only \(present) are present"
        case let .noSuchChannel(path, channel, channels):
            "\(path): channel \(channel) requested, but the file has \(channels) channel\(channels == 1 ? "" : "s") (use 0..\(channels - 1), or -1 to average)"
        case let .badSegment(path, start, end, duration):
            "\(path): segment \(start)–\(end) s is not inside the file (duration \(duration) s) or is empty"
        case let .sampleRateMismatch(path, found, expected):
            "\(path): sample rate is \(found) Hz but \(expected) Hz is expected (pass --resample-to \(expected) to resample)"
        case let .resampler(reason):
            "resampler (libsoxr): \(reason)"
        case let .readFailed(path, reason):
            "\(path): read failed: \(reason)"
        case let .writeFailed(path, reason):
            "\(path): cannot write audio: \(reason)"
        }
    }
}
