import ArgumentParser
import FeatureStore
import Foundation

/// SLURP (formats.md §3.6, §3.9): `dataset/slurp/{train,devel,test}.jsonl` (one sentence per line with
/// `slurp_id`, `sentence`, `scenario`, `action`, `recordings[{file}]`) and `audio/slurp_real/*.flac` →
/// `OUT/<split>/` with one utterance per recording: `wav.scp` (plain FLAC paths), `text` in ESPnet's
/// convention (`<scenario>_<action> <transcript>`, see `PrepareSLURPCommand.transcript`), `utt2spk`,
/// `spk2utt`, and `slurp.jsonl`, a copy of the gold file for `mtla score slurp`.
///
/// Utterance ids are `slurp_<slurp_id, 8 digits>_<recording index, 2 digits>`, so that byte order
/// (Kaldi's `LC_ALL=C` sort) is numeric order. Speakers come from `dataset/slurp/metadata.json`
/// (SLURP's `usrid` per recording) or, for the mini corpus, `make-corpus.json`; without either,
/// every utterance is its own speaker. (Speaker ids are not prefixes of the utterance ids; validate
/// with `--no-spk-sort`.)
struct PrepareSLURPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurp",
        abstract: "SLURP → data dirs per split (wav.scp, text = '<scenario>_<action> transcript', utt2spk, spk2utt, slurp.jsonl).")

    @Option(help: "The corpus folder (holding dataset/slurp/ and audio/).") var corpus: String
    @Option(help: "Splits to prepare (jsonl names under dataset/slurp/).") var splits = "train,devel,test"
    @Option(help: "Output folder (one data dir per split).") var out: String
    @Flag(help: "Add train_synthetic.jsonl (audio/slurp_synth/) to the train split, as ESPnet does.") var trainSynthetic = false
    @Flag(help: "Replace existing data dirs.") var overwrite = false

    /// One line of a SLURP jsonl (the fields this command needs).
    struct Example: Decodable {
        struct Recording: Decodable { var file: String }
        var slurp_id: Int
        var sentence: String
        var scenario: String
        var action: String
        var recordings: [Recording]
    }

    /// ESPnet's transcript normalisation (`egs2/slurp/slu1/local/prepare_slurp_data.py`), lower-cased:
    /// `@` → `at`, `#` → `hashtag`, commas and periods removed, whitespace collapsed.
    static func transcript(_ sentence: String) -> String {
        sentence.lowercased()
            .replacingOccurrences(of: "@", with: " at ").replacingOccurrences(of: "#", with: " hashtag ")
            .replacingOccurrences(of: ",", with: "").replacingOccurrences(of: ".", with: "")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Recording file → speaker, from SLURP's metadata.json or the mini corpus's make-corpus.json.
    func speakers() throws -> [String: String] {
        let root = corpus as NSString
        let metadata = root.appendingPathComponent("dataset/slurp/metadata.json")
        if let data = FileManager.default.contents(atPath: metadata) {
            guard let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw CLIError.badManifest(path: metadata, reason: "not a JSON object")
            }
            var map: [String: String] = [:]
            for case let record as [String: Any] in top.values {
                for case let (file, info as [String: Any]) in (record["recordings"] as? [String: Any]) ?? [:] {
                    if let user = info["usrid"] { map[file] = "\(user)" }
                }
            }
            return map
        }
        let made = root.appendingPathComponent("make-corpus.json")
        if let data = FileManager.default.contents(atPath: made),
           let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let map = top["recordingSpeakers"] as? [String: String] {
            return map
        }
        return [:]
    }

    func run() throws {
        let root = corpus as NSString
        let speakerOf = try speakers()
        for split in splits.split(separator: ",").map(String.init) {
            var sources = [(jsonl: root.appendingPathComponent("dataset/slurp/\(split).jsonl"), audio: "audio/slurp_real")]
            if split == "train" && trainSynthetic {
                sources.append((root.appendingPathComponent("dataset/slurp/train_synthetic.jsonl"), "audio/slurp_synth"))
            }
            var rows: [(id: String, path: String, text: String, speaker: String)] = []
            var gold = Data()
            for (jsonl, audioDir) in sources {
                guard let data = FileManager.default.contents(atPath: jsonl) else {
                    throw CLIError.badManifest(path: jsonl, reason: "cannot read the SLURP split")
                }
                gold.append(data)
                if let last = data.last, last != UInt8(ascii: "\n") { gold.append(UInt8(ascii: "\n")) }
                let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                for (n, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    let e: Example
                    do { e = try JSONDecoder().decode(Example.self, from: Data(line.utf8)) } catch {
                        throw CLIError.badInputLine(path: jsonl, line: n + 1, reason: "not a SLURP example: \(Self.describe(error))")
                    }
                    guard e.slurp_id >= 0, !e.scenario.isEmpty, !e.action.isEmpty,
                          !e.scenario.contains(where: \.isWhitespace), !e.action.contains(where: \.isWhitespace) else {
                        throw CLIError.badInputLine(path: jsonl, line: n + 1, reason: "slurp_id \(e.slurp_id): bad scenario '\(e.scenario)' or action '\(e.action)'")
                    }
                    let words = Self.transcript(e.sentence)
                    guard !words.isEmpty else { throw CLIError.badInputLine(path: jsonl, line: n + 1, reason: "slurp_id \(e.slurp_id): empty sentence") }
                    for (k, r) in e.recordings.enumerated() {
                        let path = (root.appendingPathComponent("\(audioDir)/\(r.file)") as NSString).standardizingPath
                        guard FileManager.default.fileExists(atPath: path) else {
                            throw CLIError.badInputLine(path: jsonl, line: n + 1, reason: "slurp_id \(e.slurp_id): recording \(path) does not exist")
                        }
                        let id = String(format: "slurp_%08d_%02d", e.slurp_id, k)
                        rows.append((id, path, "\(e.scenario)_\(e.action) \(words)", speakerOf[r.file] ?? id))
                    }
                }
            }
            rows.sort { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
            for (a, b) in zip(rows, rows.dropFirst()) where a.id == b.id {
                throw CLIError.badManifest(path: sources[0].jsonl, reason: "utterance id \(a.id) twice (a slurp_id repeated)")
            }
            let bySpeaker = rows.map { (utterance: $0.id, speaker: $0.speaker) }
                .sorted { a, b in
                    a.speaker == b.speaker ? a.utterance.utf8.lexicographicallyPrecedes(b.utterance.utf8)
                                           : a.speaker.utf8.lexicographicallyPrecedes(b.speaker.utf8)
                }
            let files: [(String, String)] = [
                ("wav.scp", rows.map { "\($0.id) \($0.path)\n" }.joined()),
                ("text", rows.map { "\($0.id) \($0.text)\n" }.joined()),
                ("utt2spk", rows.map { "\($0.id) \($0.speaker)\n" }.joined()),
                ("spk2utt", ESPnetDataDir.spk2uttText(fromUtt2spk: bySpeaker)),
            ]
            let dir = (out as NSString).appendingPathComponent(split)
            try PreparedDirectory.write(dir, overwrite: overwrite, files: files.map { ($0.0, Data($0.1.utf8)) } + [("slurp.jsonl", gold)])
            Console.info("\(split): \(rows.count) recordings of \(Set(rows.map { $0.id.dropLast(3) }).count) sentences, "
                + "\(Set(rows.map(\.speaker)).count) speakers -> \(dir)")
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let DecodingError.keyNotFound(key, _): return "no field \(key.stringValue)"
        case let DecodingError.typeMismatch(_, c), let DecodingError.valueNotFound(_, c):
            return "field \(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        case let DecodingError.dataCorrupted(c): return "not JSON (\(c.underlyingError.map { "\($0)" } ?? c.debugDescription))"
        default: return "\(error)"
        }
    }
}
