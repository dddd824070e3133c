/// Errors of the feature stores. Each case names the file (and entry, line or byte range) concerned
/// and says what was expected.
public enum FeatureStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotRead(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case badNpy(name: String, reason: String)

    // MARK: fairseq zip stores (StoredZipReader / StoredZipWriter)

    /// The file is not a readable zip archive (no end record, a truncated central directory, ...).
    case notAZip(path: String, reason: String)
    /// A byte range (`zip:offset:length`, an entry's data, an scp offset; `length` 0 when only the
    /// start is known) reaches past the end of the file.
    case entryOutOfBounds(path: String, offset: Int, length: Int, fileSize: Int)
    /// An entry is compressed (fairseq reads entries by byte range, so they must be stored, method 0).
    case compressedZipEntry(path: String, entry: String, method: Int)
    /// An entry is encrypted, or its sizes disagree, or it uses another feature this reader refuses.
    case unsupportedZipEntry(path: String, entry: String, reason: String)
    /// The local header at `offset` (named by the central directory entry `entry`) is not what the
    /// central directory promises.
    case badLocalHeader(path: String, entry: String, offset: Int, reason: String)
    /// Two entries of one archive have the same name.
    case duplicateZipEntry(path: String, entry: String)
    /// An entry's data do not have the CRC-32 its central directory record states.
    case checksumMismatch(path: String, entry: String, expected: UInt32, found: UInt32)
    /// No entry of that name.
    case zipEntryNotFound(path: String, entry: String)
    /// The output exists and the writer was asked to create it (not to resume or overwrite).
    case outputExists(path: String)

    // MARK: fairseq TSV manifests

    /// A malformed TSV record; `line` is the 1-based physical line where the record starts.
    case badTSV(path: String, line: Int, reason: String)
    /// The header lacks a required column (`id`, `audio`, `n_frames`, `tgt_text`).
    case missingColumn(path: String, column: String)
    /// A `path[:offset:length]` audio reference that cannot be used.
    case badStorageLocation(text: String, reason: String)

    // MARK: global CMVN

    /// A `gcmvn.npz` without `mean`/`std`, with vectors of different lengths, or with the wrong dimension.
    case badGlobalCMVN(path: String, reason: String)
    // MARK: Kaldi ark/scp and ESPnet data dirs

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
        case let .notAZip(path, reason): "\(path): not a readable zip archive: \(reason)"
        case let .compressedZipEntry(path, entry, method):
            "\(path): entry \(entry) is compressed (method \(method)); expected a stored entry (method 0) as fairseq reads entries by byte range"
        case let .unsupportedZipEntry(path, entry, reason): "\(path): entry \(entry): \(reason)"
        case let .badLocalHeader(path, entry, offset, reason):
            "\(path): bad local header for entry \(entry) at offset \(offset): \(reason)"
        case let .duplicateZipEntry(path, entry): "\(path): duplicate entry \(entry) (entry names must be unique)"
        case let .checksumMismatch(path, entry, expected, found):
            "\(path): entry \(entry): CRC-32 is \(String(found, radix: 16)), the central directory says \(String(expected, radix: 16))"
        case let .zipEntryNotFound(path, entry): "\(path): no entry named \(entry)"
        case let .outputExists(path): "\(path): already exists (resume or overwrite it explicitly)"
        case let .badTSV(path, line, reason): "\(path):\(line): \(reason)"
        case let .missingColumn(path, column): "\(path): header has no column '\(column)' (required: id, audio, n_frames, tgt_text)"
        case let .badStorageLocation(text, reason): "bad audio location '\(text)': \(reason)"
        case let .badGlobalCMVN(path, reason): "\(path): not a usable global CMVN file: \(reason)"
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
