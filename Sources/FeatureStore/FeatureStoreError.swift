/// Errors of the feature stores. Each case names the file (and entry, line or byte range) concerned
/// and says what was expected.
public enum FeatureStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotRead(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case badNpy(name: String, reason: String)

    // MARK: Kaldi ark/scp and ESPnet data dirs

    /// An entry (`offset`, `length` bytes; `length` 0 when only the start is known) lies outside the file.
    case entryOutOfBounds(path: String, offset: Int, length: Int, fileSize: Int)
    /// The ark ends (or an internal size runs past its end) inside the entry `key` that starts at `offset`.
    case truncatedArk(path: String, key: String, offset: Int, reason: String)
    /// A Kaldi object of an unknown or unsupported type token (`\0B` + token, or the first bytes of a
    /// non-binary entry).
    case unknownKaldiType(path: String, key: String, offset: Int, token: String)
    /// A structurally wrong Kaldi object (bad size byte, negative dimension, malformed text or RIFF).
    case badKaldiObject(path: String, key: String, offset: Int, reason: String)
    /// A line of an scp (or of any `key value` table) that cannot be parsed; `line` is 1-based.
    case badScpLine(path: String, line: Int, text: String, reason: String)
    /// A key looked up in an scp/ark that is not there.
    case keyNotFound(path: String, key: String)
    /// A key that cannot be written to an ark (empty or containing whitespace).
    case badKey(key: String)
    /// An entry holds audio in a container (e.g. FLAC) that needs a decoder the caller did not supply.
    case audioDecoderUnavailable(path: String, key: String, container: String)
    /// A `wav.scp` line is a shell pipeline (`… |`) and pipes were not allowed (`--allow-pipes`).
    case pipeNotAllowed(path: String, line: Int, command: String)
    /// A `wav.scp` pipeline exited with a non-zero status.
    case pipeFailed(command: String, status: Int32, stderr: String)
    /// A value that cannot be used with the given object (e.g. CMVN stats of the wrong shape).
    case badValue(name: String, reason: String)

    public var description: String {
        switch self {
        case let .cannotRead(path, reason): "\(path): cannot read: \(reason)"
        case let .cannotWrite(path, reason): "\(path): cannot write: \(reason)"
        case let .badNpy(name, reason): "\(name): not a readable .npy: \(reason)"
        case let .entryOutOfBounds(path, offset, length, fileSize):
            length > 0
                ? "\(path): entry at byte \(offset) with \(length) bytes runs past the end of the file (\(fileSize) bytes)"
                : "\(path): offset \(offset) is past the end of the file (\(fileSize) bytes)"
        case let .truncatedArk(path, key, offset, reason):
            "\(path): truncated ark: entry '\(key)' at byte \(offset): \(reason)"
        case let .unknownKaldiType(path, key, offset, token):
            "\(path): entry '\(key)' at byte \(offset): unknown Kaldi object type '\(token)' (expected FM, DM, FV, DV, CM, CM2, CM3, an int32 vector, text '[', RIFF or AUDIO)"
        case let .badKaldiObject(path, key, offset, reason):
            "\(path): entry '\(key)' at byte \(offset): malformed Kaldi object: \(reason)"
        case let .badScpLine(path, line, text, reason):
            "\(path):\(line): \(reason): '\(text)'"
        case let .keyNotFound(path, key): "\(path): no entry with key '\(key)'"
        case let .badKey(key): "invalid Kaldi key '\(key)' (expected a non-empty string without whitespace)"
        case let .audioDecoderUnavailable(path, key, container):
            "\(path): entry '\(key)': \(container) audio needs an audio decoder, none was given"
        case let .pipeNotAllowed(path, line, command):
            "\(path):\(line): '\(command)' is a shell pipeline; run it only with --allow-pipes"
        case let .pipeFailed(command, status, stderr):
            "pipeline '\(command)' exited with status \(status): \(stderr)"
        case let .badValue(name, reason): "\(name): \(reason)"
        }
    }
}
