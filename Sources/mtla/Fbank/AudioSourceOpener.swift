import AudioIO
import FeatureStore
import Foundation

/// Opens the audio of an `AudioSource`: files directly, pipelines through `/bin/sh`, zip and ark
/// entries from their bytes. Safe to share between worker threads.
final class AudioSourceOpener: @unchecked Sendable {
    let allowPipes: Bool
    private let arks: KaldiScpReader

    init(allowPipes: Bool) throws {
        self.allowPipes = allowPipes
        arks = try KaldiScpReader(entries: [])
    }

    /// - Throws: `AudioError`, `FeatureStoreError` (pipes refused or failed, bad ark entries), or
    ///   `AudioSourceError`.
    func open(_ source: AudioSource) throws -> AudioFile {
        switch source {
        case let .file(path):
            return try AudioFile(path: path)
        case let .pipe(command, table, line):
            guard allowPipes else { throw FeatureStoreError.pipeNotAllowed(path: table, line: line, command: command + " |") }
            return try AudioFile(bytes: try ESPnetDataDir.runPipe(command), name: command + " |")
        case let .zipEntry(zip, offset, length):
            guard let h = FileHandle(forReadingAtPath: zip) else {
                throw FeatureStoreError.cannotRead(path: zip, reason: "no such file")
            }
            defer { try? h.close() }
            let size = Int((try? h.seekToEnd()) ?? 0)
            guard offset >= 0, length >= 0, offset + length <= size else {
                throw FeatureStoreError.entryOutOfBounds(path: zip, offset: offset, length: length, fileSize: size)
            }
            try h.seek(toOffset: UInt64(offset))
            let data = try h.read(upToCount: length) ?? Data()
            return try AudioFile(bytes: [UInt8](data), name: "\(zip):\(offset):\(length)")
        case let .arkEntry(ark, offset):
            let entry = KaldiScpEntry(key: "\(ark):\(offset)", path: ark, offset: offset)
            let file = try arks.file(for: entry)
            let (object, range) = try arks.readWithRange(entry)
            let name = "\(ark):\(offset)"
            switch object {
            case .wave:
                let bytes = [UInt8](file.bytes[range])
                return try AudioFile(bytes: bytes, name: name)
            case let .extendedAudio(audio):
                return try AudioFile(bytes: audio.payload, name: name)
            default:
                throw AudioSourceError.notAudio(location: name, type: object.typeToken)
            }
        }
    }
}

/// Errors of audio sources named in manifests.
enum AudioSourceError: Error, CustomStringConvertible, Equatable {
    case notAudio(location: String, type: String)

    var description: String {
        switch self {
        case let .notAudio(l, t): "\(l): the ark entry is \(t), not audio (expected a RIFF wave or an AUDIO entry)"
        }
    }
}
