import Foundation

/// A problem found in a data directory, with the file and line it concerns.
public struct DataDirProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable { case warning, error }
    public var severity: Severity
    /// File name inside the data directory (or an ark path).
    public var file: String
    /// 1-based line, when the problem is on one line.
    public var line: Int?
    public var message: String

    public init(_ severity: Severity, file: String, line: Int?, _ message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        "\(severity.rawValue): \(file)\(line.map { ":\($0)" } ?? ""): \(message)"
    }
}

/// Options mirroring `utils/validate_data_dir.sh`.
public struct DataDirValidationOptions: Sendable, Equatable {
    /// `--no-feats`: do not require or check `feats.scp`.
    public var noFeats: Bool
    /// `--no-spk-sort`: skip the check that utt2spk is also sorted by speaker.
    public var noSpkSort: Bool
    /// `--no-wav`: do not require `wav.scp`.
    public var noWav: Bool
    /// Check that referenced audio files, arks and byte offsets exist.
    public var checkFiles: Bool
    /// Directory relative paths in wav.scp/feats.scp are resolved against (`nil`: working directory).
    public var baseDirectory: String?

    public init(noFeats: Bool = true, noSpkSort: Bool = false, noWav: Bool = false, checkFiles: Bool = true,
                baseDirectory: String? = nil) {
        self.noFeats = noFeats
        self.noSpkSort = noSpkSort
        self.noWav = noWav
        self.checkFiles = checkFiles
        self.baseDirectory = baseDirectory
    }
}

extension ESPnetDataDir {
    /// Checks the directory as `utils/validate_data_dir.sh` does (error level) plus the recommendations
    /// it leaves to the user (warning level): every table sorted under `LC_ALL=C` (byte order) with unique
    /// keys; utt2spk and spk2utt present and consistent; utt2spk also in order when sorted by speaker
    /// (error unless `noSpkSort`; fixed by making speaker ids prefixes of utterance ids) and each speaker
    /// id a prefix of its utterance ids (warning); text/segments/wav.scp/feats.scp/utt2num_samples keys
    /// matching utt2spk; segments well formed and pointing at wav.scp recordings; referenced files and
    /// byte offsets existing.
    /// - Returns: the problems found, errors and warnings, in file order.
    public func validate(_ options: DataDirValidationOptions = DataDirValidationOptions()) -> [DataDirProblem] {
        var problems: [DataDirProblem] = []
        func error(_ file: String, _ line: Int?, _ msg: String) { problems.append(.init(.error, file: file, line: line, msg)) }
        func warn(_ file: String, _ line: Int?, _ msg: String) { problems.append(.init(.warning, file: file, line: line, msg)) }

        // Sorted, unique keys in every table.
        for name in Self.tableFiles {
            guard let table = tables[name] else { continue }
            var previous: KaldiTableLine?
            for t in table {
                if let p = previous {
                    let a = Array(p.key.utf8), b = Array(t.key.utf8)
                    if a == b {
                        error(name, t.line, "duplicate key '\(t.key)' (first on line \(p.line))")
                    } else if !a.lexicographicallyPrecedes(b) {
                        error(name, t.line, "not sorted under LC_ALL=C: '\(t.key)' comes after '\(p.key)' (line \(p.line)); fix with utils/fix_data_dir.sh")
                    }
                }
                previous = t
            }
            if name != "text" {
                for t in table where t.value.isEmpty { error(name, t.line, "key '\(t.key)' has no value") }
            }
        }

        guard let utt2spkTable = tables["utt2spk"] else {
            error("utt2spk", nil, "missing (required)")
            return problems
        }
        if tables["spk2utt"] == nil { error("spk2utt", nil, "missing (required; generate it with utils/utt2spk_to_spk2utt.pl)") }
        if !options.noWav && tables["wav.scp"] == nil { error("wav.scp", nil, "missing") }
        if !options.noFeats && tables["feats.scp"] == nil { error("feats.scp", nil, "missing (use --no-feats for a data dir without features)") }

        let utts = Set(utt2spkTable.map(\.key))
        for t in utt2spkTable where t.value.contains(where: { $0 == " " || $0 == "\t" }) {
            error("utt2spk", t.line, "expected '<utt-id> <spk-id>', found more fields")
        }

        // spk2utt consistent with utt2spk.
        if let spk2uttTable = tables["spk2utt"] {
            let expected = Dictionary(Self.spk2utt(fromUtt2spk: utt2spk).map { ($0.speaker, Set($0.utterances)) }, uniquingKeysWith: { a, _ in a })
            var seen = Set<String>()
            for t in spk2uttTable {
                seen.insert(t.key)
                let listed = Set(t.value.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init))
                if expected[t.key] != listed {
                    error("spk2utt", t.line, "speaker '\(t.key)' does not list the same utterances as utt2spk")
                }
            }
            for spk in expected.keys.sorted() where !seen.contains(spk) {
                error("spk2utt", nil, "speaker '\(spk)' of utt2spk is missing")
            }
        }

        // Speaker-prefix rule.
        if !options.noSpkSort {
            // `sort -k2 utt2spk | cmp - utt2spk`: the speaker column must never decrease (byte order).
            for (p, t) in zip(utt2spkTable, utt2spkTable.dropFirst())
            where Array(t.value.utf8).lexicographicallyPrecedes(Array(p.value.utf8)) {
                error("utt2spk", t.line, "not in sorted order when sorted first on speaker-id: speaker '\(t.value)' comes after '\(p.value)' (make speaker-ids prefixes of utt-ids)")
            }
        }
        for t in utt2spkTable where !t.key.hasPrefix(t.value) {
            warn("utt2spk", t.line, "speaker id '\(t.value)' is not a prefix of utterance id '\(t.key)'")
        }

        // Key sets that must match utt2spk.
        func sameKeys(_ name: String, severity: DataDirProblem.Severity = .error) {
            guard let table = tables[name] else { return }
            let keys = Set(table.map(\.key))
            for t in table where !utts.contains(t.key) {
                problems.append(.init(severity, file: name, line: t.line, "'\(t.key)' is not in utt2spk"))
            }
            for t in utt2spkTable where !keys.contains(t.key) {
                problems.append(.init(severity, file: name, line: nil, "no entry for utterance '\(t.key)' (utt2spk line \(t.line))"))
            }
        }
        sameKeys("text")
        sameKeys("utt2num_samples")
        sameKeys("utt2num_frames")
        if !options.noFeats { sameKeys("feats.scp") }
        for t in tables["utt2num_samples"] ?? [] where Int(t.value).map({ $0 < 0 }) ?? true {
            error("utt2num_samples", t.line, "'\(t.value)' is not a non-negative integer")
        }

        // segments or wav.scp against utt2spk.
        let recordings = Set((tables["wav.scp"] ?? []).map(\.key))
        if tables["segments"] != nil {
            sameKeys("segments")
            do {
                for s in try segments() {
                    if !recordings.isEmpty || tables["wav.scp"] != nil, !recordings.contains(s.recording) {
                        error("segments", s.line, "recording '\(s.recording)' is not in wav.scp")
                    }
                    if s.start < 0 || (s.end != -1 && s.end <= s.start) {
                        error("segments", s.line, "bad times \(s.start)..\(s.end) (expected 0 <= start < end, or end -1)")
                    }
                }
            } catch let e as FeatureStoreError {
                if case let .badScpLine(_, line, _, reason) = e { error("segments", line, reason) } else { error("segments", nil, e.description) }
            } catch let other { error("segments", nil, "\(other)") }
        } else if tables["wav.scp"] != nil {
            sameKeys("wav.scp")
        }

        guard options.checkFiles else { return problems }
        // Referenced files and byte ranges.
        var sizes: [String: Int?] = [:]
        func size(_ path: String) -> Int? {
            if let s = sizes[path] { return s }
            let s = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            sizes[path] = s
            return s
        }
        if let entries = try? wavEntries() {
            for e in entries {
                switch e.source {
                case let .file(p):
                    let full = Self.resolve(p, baseDirectory: options.baseDirectory)
                    if size(full) == nil { error("wav.scp", e.line, "audio file '\(full)' does not exist") }
                case let .ark(p, offset):
                    let full = Self.resolve(p, baseDirectory: options.baseDirectory)
                    if let s = size(full) {
                        if offset >= s { error("wav.scp", e.line, "offset \(offset) is past the end of '\(full)' (\(s) bytes)") }
                    } else { error("wav.scp", e.line, "ark '\(full)' does not exist") }
                case .pipe:
                    warn("wav.scp", e.line, "shell pipeline: not checked (needs --allow-pipes to run)")
                }
            }
        }
        if !options.noFeats {
            do {
                for e in try featsScp() {
                    let full = Self.resolve(e.path, baseDirectory: options.baseDirectory)
                    guard let s = size(full) else { error("feats.scp", e.line, "ark '\(full)' does not exist"); continue }
                    if let o = e.offset, o >= s { error("feats.scp", e.line, "offset \(o) is past the end of '\(full)' (\(s) bytes)") }
                }
            } catch let e as FeatureStoreError {
                if case let .badScpLine(_, line, _, reason) = e { error("feats.scp", line, reason) } else { error("feats.scp", nil, e.description) }
            } catch let other { error("feats.scp", nil, "\(other)") }
        }
        return problems
    }
}
