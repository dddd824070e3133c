import ArgumentParser
import FeatureStore
import Foundation
import Yams

/// `mtla prepare`: corpus layouts → Kaldi/ESPnet data directories, the input of `mtla fbank --manifest`.
struct PrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare", abstract: "Turn a corpus in its published layout into Kaldi-style data directories.",
        subcommands: [PrepareMustCCommand.self, PrepareSLURPCommand.self, PrepareXSumCommand.self])
}

/// MuST-C (formats.md §3.9): `en-<l>/data/<split>/wav/*.wav`, `txt/<split>.yaml` (duration, offset,
/// speaker_id, wav per segment), `txt/<split>.en`, `txt/<split>.<l>` → `OUT/<split>/` with `wav.scp`,
/// `segments`, `text` (the target language), `text.en` (the transcript), `utt2spk`, `spk2utt`.
/// Utterance ids are fairseq's (`prep_mustc_data.py`): `<talk>_<i>`, segments of a talk by offset.
struct PrepareMustCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mustc", abstract: "MuST-C en-<lang> → data dirs per split (wav.scp, segments, text, text.en, utt2spk, spk2utt).")

    @Option(help: "The en-<lang> folder of the corpus.") var root: String
    @Option(help: "Target language (MuST-C: de, es, fr, it, nl, pt, ro, ru).") var lang = "de"
    @Option(help: "Splits to prepare.") var splits = "train,dev,tst-COMMON"
    @Option(help: "Output folder (one data dir per split).") var out: String
    @Flag(help: "Replace existing data dirs.") var overwrite = false

    struct Segment: Decodable {
        var duration: Double
        var offset: Double
        var speaker_id: String
        var wav: String
    }

    func run() throws {
        for split in splits.split(separator: ",").map(String.init) {
            let data = (root as NSString).appendingPathComponent("data/\(split)")
            let yamlPath = "\(data)/txt/\(split).yaml"
            let yamlText: String
            do { yamlText = try String(contentsOfFile: yamlPath, encoding: .utf8) } catch {
                throw CLIError.badManifest(path: yamlPath, reason: "cannot read the segment list (\(error.localizedDescription))")
            }
            let segments: [Segment]
            do { segments = try YAMLDecoder().decode([Segment].self, from: yamlText) } catch {
                throw CLIError.badManifest(path: yamlPath, reason: "not a MuST-C segment list: \(error)")
            }
            func lines(_ language: String) throws -> [String] {
                let p = "\(data)/txt/\(split).\(language)"
                guard let text = try? String(contentsOfFile: p, encoding: .utf8) else {
                    throw CLIError.badManifest(path: p, reason: "cannot read")
                }
                var l = text.components(separatedBy: "\n")
                if l.last == "" { l.removeLast() }
                guard l.count == segments.count else {
                    throw CLIError.badManifest(path: p, reason: "\(l.count) lines for \(segments.count) segments in \(yamlPath)")
                }
                return l
            }
            let (source, target) = (try lines("en"), try lines(lang))
            // Group by talk, keep each talk's segments ordered by offset (fairseq's ids).
            var talks: [String: [(Segment, String, String)]] = [:]
            var order: [String] = []
            for (i, s) in segments.enumerated() {
                if talks[s.wav] == nil { order.append(s.wav) }
                talks[s.wav, default: []].append((s, source[i], target[i]))
            }
            var wav = "", seg = "", text = "", textEn = "", utt2spk = ""
            var pairs: [(utterance: String, speaker: String)] = []
            for name in order.sorted() {
                let talk = (name as NSString).deletingPathExtension
                let path = ((data as NSString).appendingPathComponent("wav/\(name)") as NSString).standardizingPath
                guard FileManager.default.fileExists(atPath: path) else {
                    throw CLIError.badManifest(path: yamlPath, reason: "segment audio \(path) does not exist")
                }
                wav += "\(talk) \(path)\n"
                for (i, (s, en, tgt)) in talks[name]!.sorted(by: { $0.0.offset < $1.0.offset }).enumerated() {
                    let id = "\(talk)_\(i)"
                    seg += String(format: "%@ %@ %.3f %.3f\n", id, talk, s.offset, s.offset + s.duration)
                    text += "\(id) \(tgt)\n"
                    textEn += "\(id) \(en)\n"
                    utt2spk += "\(id) \(s.speaker_id)\n"
                    pairs.append((id, s.speaker_id))
                }
            }
            let spk2utt = ESPnetDataDir.spk2utt(fromUtt2spk: pairs).map { "\($0.speaker) \($0.utterances.joined(separator: " "))\n" }.joined()
            let dir = (out as NSString).appendingPathComponent(split)
            try PreparedDirectory.write(dir, overwrite: overwrite, files: [("wav.scp", wav), ("segments", seg), ("text", text),
                ("text.en", textEn), ("utt2spk", utt2spk), ("spk2utt", spk2utt)].map { ($0.0, Data($0.1.utf8)) })
            Console.info("\(split): \(pairs.count) segments from \(order.count) talks -> \(dir)")
        }
    }
}

/// XSum as the Hugging Face dataset exports it (`{train,validation,test}.jsonl` with `document`,
/// `summary`, `id`) → `OUT/<split>.src` (documents), `OUT/<split>.tgt` (summaries) and `OUT/<split>.id`,
/// line-aligned, one example per line with all white space (newlines included) collapsed to single
/// spaces, as the reference's `prepare.sh` writes `{split}.raw.{source,target}`. Examples with an empty
/// document or summary are dropped (and counted). Each file is written under a temporary name.
struct PrepareXSumCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xsum", abstract: "XSum JSONL → line-aligned <split>.src / <split>.tgt / <split>.id (white space collapsed).")

    @Option(help: "Folder with <split>.jsonl.") var root: String
    @Option(help: "Splits to prepare.") var splits = "train,validation,test"
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Replace existing outputs.") var overwrite = false

    struct Example: Decodable {
        var document: String
        var summary: String
        var id: String
    }

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for split in splits.split(separator: ",").map(String.init) {
            let path = (root as NSString).appendingPathComponent("\(split).jsonl")
            guard let data = FileManager.default.contents(atPath: path) else { throw CLIError.badManifest(path: path, reason: "cannot read") }
            var src = "", tgt = "", ids = ""
            var kept = 0, dropped = 0
            for (n, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() where !line.allSatisfy({ $0 == 32 || $0 == 13 }) {
                let e: Example
                do { e = try JSONDecoder().decode(Example.self, from: Data(line)) } catch {
                    throw CLIError.badManifest(path: "\(path):\(n + 1)", reason: "not an XSum record (document, summary, id): \(error)")
                }
                let (d, s) = (Self.collapse(e.document), Self.collapse(e.summary))
                if d.isEmpty || s.isEmpty { dropped += 1; continue }
                src += d + "\n"; tgt += s + "\n"; ids += Self.collapse(e.id) + "\n"
                kept += 1
            }
            for (ext, content) in [("src", src), ("tgt", tgt), ("id", ids)] {
                let file = (out as NSString).appendingPathComponent("\(split).\(ext)")
                if FileManager.default.fileExists(atPath: file) && !overwrite { throw CLIError.outputExists(path: file) }
                try content.write(toFile: file, atomically: true, encoding: .utf8)
            }
            Console.info("\(split): \(kept) examples\(dropped > 0 ? " (\(dropped) empty dropped)" : "") -> \(out)/\(split).{src,tgt,id}")
        }
    }
}
