import Foundation

/// One line of a Kaldi/ESPnet table file: the key (first field) and the rest of the line.
public struct KaldiTableLine: Sendable, Equatable {
    public var key: String
    /// The rest of the line after the first run of white space, trimmed ("" when absent).
    public var value: String
    /// 1-based line number.
    public var line: Int

    public init(key: String, value: String, line: Int) {
        self.key = key
        self.value = value
        self.line = line
    }
}

/// Where a `wav.scp` entry's audio comes from.
public enum ESPnetWavSource: Sendable, Equatable {
    /// An audio file path (as written; see `ESPnetDataDir.resolve`).
    case file(String)
    /// A shell pipeline whose stdout is the audio (the trailing `|` removed).
    case pipe(String)
    /// An ark entry `path:offset` (Kaldi wave ark or ESPnet `flac.ark`/`wav.ark`).
    case ark(path: String, offset: Int)
}

/// A parsed `wav.scp` line.
public struct ESPnetWavEntry: Sendable, Equatable {
    public var key: String
    public var source: ESPnetWavSource
    public var line: Int

    public init(key: String, source: ESPnetWavSource, line: Int) {
        self.key = key
        self.source = source
        self.line = line
    }
}

/// A parsed `segments` line: `utt rec start end` (seconds; `end` −1 means to the end of the recording).
public struct ESPnetSegment: Sendable, Equatable {
    public var utterance: String
    public var recording: String
    public var start: Double
    public var end: Double
    public var line: Int

    public init(utterance: String, recording: String, start: Double, end: Double, line: Int) {
        self.utterance = utterance
        self.recording = recording
        self.start = start
        self.end = end
        self.line = line
    }
}

/// A Kaldi/ESPnet data directory (`wav.scp`, `segments`, `text`, `utt2spk`, `spk2utt`,
/// `utt2num_samples`, `feats.scp`, …; formats.md §3.1). Files that are absent are `nil`.
public struct ESPnetDataDir: Sendable {
    public let directory: String
    /// The raw table of each present file, by file name.
    public private(set) var tables: [String: [KaldiTableLine]] = [:]

    /// The table files this type reads, in validation order.
    public static let tableFiles = ["wav.scp", "segments", "text", "utt2spk", "spk2utt", "utt2num_samples",
                                    "utt2num_frames", "utt2dur", "feats.scp", "cmvn.scp", "spk2gender",
                                    "reco2file_and_channel"]

    /// Reads every present table file of `directory`.
    /// - Throws: `FeatureStoreError.cannotRead` if `directory` is not a directory.
    public init(directory: String) throws {
        self.directory = directory
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw FeatureStoreError.cannotRead(path: directory, reason: "not a directory")
        }
        for name in Self.tableFiles {
            let path = self.path(name)
            if FileManager.default.fileExists(atPath: path) { tables[name] = try Self.readTable(path: path) }
        }
    }

    /// A lone `wav.scp` (of any file name) read as a data dir with that one table; relative paths in
    /// it stay relative to the working directory, as in Kaldi.
    public init(wavScp path: String) throws {
        directory = (path as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: path) else {
            throw FeatureStoreError.cannotRead(path: path, reason: "no such file")
        }
        tables["wav.scp"] = try Self.readTable(path: path)
        fileOverrides["wav.scp"] = path
    }

    /// Table files read from somewhere other than `directory/name` (a lone wav.scp).
    private var fileOverrides: [String: String] = [:]

    /// `directory/name` (or the file a table was read from).
    public func path(_ name: String) -> String {
        fileOverrides[name] ?? (directory as NSString).appendingPathComponent(name)
    }

    /// Splits a table file into lines (blank lines skipped, `\r` stripped).
    public static func readTable(path: String) throws -> [KaldiTableLine] {
        parseTable(try KaldiScp.readText(path))
    }

    /// Splits table text into lines (blank lines skipped).
    public static func parseTable(_ text: String) -> [KaldiTableLine] {
        var out: [KaldiTableLine] = []
        var n = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty { continue }
            let keyEnd = trimmed.firstIndex { $0 == " " || $0 == "\t" } ?? trimmed.endIndex
            let value = trimmed[keyEnd...].trimmingCharacters(in: CharacterSet(charactersIn: " \t"))
            out.append(KaldiTableLine(key: String(trimmed[..<keyEnd]), value: value, line: n))
        }
        return out
    }

    // MARK: typed views

    /// `wav.scp` entries. A value ending in `|` is a pipeline; `path:offset` whose path ends in `.ark` is
    /// an ark entry; anything else a file.
    /// - Throws: `FeatureStoreError.badScpLine` for a line without a value.
    public func wavEntries() throws -> [ESPnetWavEntry] {
        let file = path("wav.scp")
        return try (tables["wav.scp"] ?? []).map { t in
            guard !t.value.isEmpty else {
                throw FeatureStoreError.badScpLine(path: file, line: t.line, text: t.key, reason: "expected '<rec-id> <file or command |>'")
            }
            if t.value.hasSuffix("|") {
                return ESPnetWavEntry(key: t.key, source: .pipe(String(t.value.dropLast()).trimmingCharacters(in: .whitespaces)), line: t.line)
            }
            if let colon = t.value.lastIndex(of: ":"), let offset = Int(t.value[t.value.index(after: colon)...]),
               offset >= 0, t.value[..<colon].hasSuffix(".ark") {
                return ESPnetWavEntry(key: t.key, source: .ark(path: String(t.value[..<colon]), offset: offset), line: t.line)
            }
            return ESPnetWavEntry(key: t.key, source: .file(t.value), line: t.line)
        }
    }

    /// `segments` entries. - Throws: `FeatureStoreError.badScpLine` for a malformed line.
    public func segments() throws -> [ESPnetSegment] {
        let file = path("segments")
        return try (tables["segments"] ?? []).map { t in
            let f = t.value.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count == 3, let s = Double(f[1]), let e = Double(f[2]) else {
                throw FeatureStoreError.badScpLine(path: file, line: t.line, text: "\(t.key) \(t.value)",
                                                   reason: "expected '<utt-id> <rec-id> <start-sec> <end-sec>'")
            }
            return ESPnetSegment(utterance: t.key, recording: String(f[0]), start: s, end: e, line: t.line)
        }
    }

    /// `text` as utterance → transcript.
    public var text: [String: String] { dictionary("text") }
    /// `utt2spk` in file order.
    public var utt2spk: [(utterance: String, speaker: String)] { (tables["utt2spk"] ?? []).map { ($0.key, $0.value) } }
    /// `spk2utt` in file order.
    public var spk2utt: [(speaker: String, utterances: [String])] {
        (tables["spk2utt"] ?? []).map { ($0.key, $0.value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)) }
    }

    /// `utt2num_samples` (or any `key <int>` file). - Throws: `.badScpLine` for a non-integer value.
    public func integers(_ name: String = "utt2num_samples") throws -> [String: Int] {
        var out: [String: Int] = [:]
        for t in tables[name] ?? [] {
            guard let v = Int(t.value), v >= 0 else {
                throw FeatureStoreError.badScpLine(path: path(name), line: t.line, text: "\(t.key) \(t.value)", reason: "expected '<utt-id> <non-negative integer>'")
            }
            out[t.key] = v
        }
        return out
    }

    /// `feats.scp` entries. - Throws: `.badScpLine`.
    public func featsScp() throws -> [KaldiScpEntry] {
        guard tables["feats.scp"] != nil else { return [] }
        return try KaldiScp.read(path: path("feats.scp"))
    }

    /// Any other table file of the directory (`key rest-of-line`, e.g. ESPnet's `text.tc.en`), by key.
    /// - Throws: `FeatureStoreError.cannotRead` when the file is missing, the table errors for bad lines.
    public func table(named name: String) throws -> [String: String] {
        let file = path(name)
        guard FileManager.default.fileExists(atPath: file) else {
            throw FeatureStoreError.cannotRead(path: file, reason: "no such file")
        }
        var d: [String: String] = [:]
        for t in try Self.readTable(path: file) where d[t.key] == nil { d[t.key] = t.value }
        return d
    }

    private func dictionary(_ name: String) -> [String: String] {
        var d: [String: String] = [:]
        for t in tables[name] ?? [] where d[t.key] == nil { d[t.key] = t.value }
        return d
    }

    /// `utils/utt2spk_to_spk2utt.pl`: speakers in order of first appearance, their utterances in order.
    public static func spk2utt(fromUtt2spk pairs: [(utterance: String, speaker: String)]) -> [(speaker: String, utterances: [String])] {
        var order: [String] = []
        var map: [String: [String]] = [:]
        for (u, s) in pairs {
            if map[s] == nil { order.append(s); map[s] = [] }
            map[s]!.append(u)
        }
        return order.map { ($0, map[$0]!) }
    }

    /// The text of a `spk2utt` file for `pairs`.
    public static func spk2uttText(fromUtt2spk pairs: [(utterance: String, speaker: String)]) -> String {
        spk2utt(fromUtt2spk: pairs).map { "\($0.speaker) \($0.utterances.joined(separator: " "))\n" }.joined()
    }

    // MARK: audio bytes

    /// Resolves a relative path from a table against `baseDirectory` (`nil`: left as written, i.e.
    /// relative to the working directory as in Kaldi recipes).
    public static func resolve(_ path: String, baseDirectory: String?) -> String {
        guard let base = baseDirectory, !path.hasPrefix("/") else { return path }
        return (base as NSString).appendingPathComponent(path)
    }

    /// The encoded audio bytes of a `wav.scp` entry: the file's contents, a pipeline's stdout (only with
    /// `allowPipes`; run with `/bin/sh -c`), or an ark entry's RIFF file / `AUDIO` payload. Decode them
    /// with AudioIO.
    /// - Throws: `FeatureStoreError.pipeNotAllowed` (naming wav.scp and the line), `.pipeFailed`,
    ///   `.cannotRead`, the ark decoding errors.
    public func audioBytes(_ entry: ESPnetWavEntry, allowPipes: Bool, baseDirectory: String? = nil) throws -> [UInt8] {
        switch entry.source {
        case let .file(p):
            let full = Self.resolve(p, baseDirectory: baseDirectory)
            do { return [UInt8](try Data(contentsOf: URL(fileURLWithPath: full))) } catch {
                throw FeatureStoreError.cannotRead(path: full, reason: "\(error.localizedDescription) (wav.scp line \(entry.line), '\(entry.key)')")
            }
        case let .pipe(command):
            guard allowPipes else { throw FeatureStoreError.pipeNotAllowed(path: path("wav.scp"), line: entry.line, command: command + " |") }
            return try Self.runPipe(command)
        case let .ark(p, offset):
            let file = try MappedFile(path: Self.resolve(p, baseDirectory: baseDirectory))
            let (object, end) = try KaldiObject.decode(file.bytes, at: offset, path: file.path, key: entry.key)
            switch object {
            case let .extendedAudio(a): return a.payload
            case .wave: return [UInt8](UnsafeRawBufferPointer(rebasing: file.bytes[offset..<end]))
            default:
                throw FeatureStoreError.badKaldiObject(path: file.path, key: entry.key, offset: offset,
                                                       reason: "wav.scp points at a \(object.typeToken) object, not audio")
            }
        }
    }

    /// Runs `command` with `/bin/sh -c` and returns its stdout.
    /// - Throws: `FeatureStoreError.pipeFailed` with the exit status and the end of stderr.
    public static func runPipe(_ command: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw FeatureStoreError.pipeFailed(command: command, status: -1, stderr: error.localizedDescription)
        }
        // Drain stderr concurrently so that neither pipe fills up and blocks the child.
        let errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: errBox.data.suffix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw FeatureStoreError.pipeFailed(command: command, status: process.terminationStatus, stderr: text)
        }
        return [UInt8](data)
    }
}

private final class DataBox: @unchecked Sendable { var data = Data() }
