import Fbank
import FeatureStore
import Foundation

/// fairseq's speech-to-text data config (`config_{task}.yaml`, formats.md §3.3; `data_cfg.py`): the
/// vocabulary, the tokenizer, the feature size and the feature transforms per split.
///
/// Only the YAML that `gen_config_yaml` and hand-written recipe configs use is read (block maps,
/// block lists — also at the key's indentation as PyYAML writes them —, flow lists `[a, b]`, `{}`,
/// quoted or plain scalars, comments); anchors, multi-line strings and documents are not.
public struct FairseqDataConfig: Sendable, Equatable {
    /// The parsed file.
    public var root: YAMLNode
    /// The folder of the config (relative paths in it are resolved against it, as fairseq does when the
    /// path does not exist as given).
    public var directory: String

    public init(root: YAMLNode, directory: String) {
        self.root = root
        self.directory = directory
    }

    /// Reads `path`. - Throws: `CorpusError.cannotRead`, `.badLine` for YAML outside the subset.
    public static func read(path: String) throws -> FairseqDataConfig {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CorpusError.cannotRead(path: path, reason: error.localizedDescription)
        }
        let root = try YAMLNode.parse(String(decoding: data, as: UTF8.self), path: path)
        return FairseqDataConfig(root: root, directory: (path as NSString).deletingLastPathComponent)
    }

    /// `vocab_filename` (default `dict.txt`), resolved.
    public var vocabularyPath: String { resolve(root["vocab_filename"]?.string ?? "dict.txt") }
    /// `bpe_tokenizer` as a string map (e.g. `bpe: sentencepiece`, `sentencepiece_model: …`).
    public var bpeTokenizer: [String: String]? { root["bpe_tokenizer"]?.stringMap }
    /// `input_feat_per_channel` (default 80).
    public var inputFeaturesPerChannel: Int { root["input_feat_per_channel"]?.int ?? 80 }
    /// `input_channels` (default 1).
    public var inputChannels: Int { root["input_channels"]?.int ?? 1 }
    /// `use_audio_input` (default false): the model takes waveforms, not features.
    public var useAudioInput: Bool { root["use_audio_input"]?.bool ?? false }
    /// `use_sample_rate` (default 16000).
    public var useSampleRate: Int { root["use_sample_rate"]?.int ?? 16000 }
    /// `prepend_tgt_lang_tag` (default false).
    public var prependTargetLanguageTag: Bool { root["prepend_tgt_lang_tag"]?.bool ?? false }
    /// `global_cmvn.stats_npz_path`, resolved.
    public var globalCMVNStatsPath: String? { root["global_cmvn"]?["stats_npz_path"]?.string.map(resolve) }

    /// The `specaugment` section as fairseq's `SpecAugmentTransform.from_config_dict` reads it: missing
    /// keys are 0 (not the "lb" values), and the warp width is read from `time_warp_W` — the
    /// `time_wrap_W` that `gen_config_yaml` writes is ignored by fairseq, so warping stays off.
    public var specAugment: SpecAugment {
        let s = root["specaugment"]
        var a = SpecAugment()
        a.timeWarpW = s?["time_warp_W"]?.int ?? 0
        a.freqMaskN = s?["freq_mask_N"]?.int ?? 0
        a.freqMaskF = s?["freq_mask_F"]?.int ?? 0
        a.timeMaskN = s?["time_mask_N"]?.int ?? 0
        a.timeMaskT = s?["time_mask_T"]?.int ?? 0
        a.timeMaskP = s?["time_mask_p"]?.double ?? 0
        a.maskValue = s?["mask_value"]?.double.map { Float($0) }
        return a
    }

    /// The feature transform names for `split`, as `get_feature_transforms`: `transforms` (then
    /// `feature_transforms` appended) looked up by the split name, else `_train`/`_eval`, else `*`.
    public func featureTransformNames(split: String, isTrain: Bool) -> [String] {
        func lookup(_ key: String) -> [String]? {
            guard let t = root[key] else { return nil }
            let cur = t[split] ?? (isTrain ? t["_train"] : t["_eval"]) ?? t["*"]
            return cur?.list?.compactMap(\.string)
        }
        if let names = lookup("transforms") { return names + (lookup("feature_transforms") ?? []) }
        return lookup("feature_transforms") ?? []
    }

    /// The transforms for `split` (`utterance_cmvn`, `global_cmvn` with its `gcmvn.npz`, `specaugment`).
    /// The collater applies SpecAugment only to training batches.
    /// - Throws: `CorpusError.invalidOption` for a transform this toolkit does not have (`delta_deltas`),
    ///   the errors of reading the statistics file.
    public func featureTransforms(split: String, isTrain: Bool) throws -> FeatureTransforms {
        var t = FeatureTransforms()
        for name in featureTransformNames(split: split, isTrain: isTrain) {
            switch name {
            case "utterance_cmvn":
                let c = root["utterance_cmvn"]
                t.utteranceCMVN = UtteranceCMVN(normMeans: c?["norm_means"]?.bool ?? true, normVars: c?["norm_vars"]?.bool ?? true)
            case "global_cmvn":
                guard let p = globalCMVNStatsPath else {
                    throw CorpusError.invalidOption(name: "global_cmvn", reason: "transform listed but global_cmvn.stats_npz_path is not set")
                }
                t.globalCMVN = try GlobalCMVNFile.read(path: p)
            case "specaugment":
                t.specAugment = specAugment
            default:
                throw CorpusError.invalidOption(name: "transforms", reason: "unsupported feature transform '\(name)' (have utterance_cmvn, global_cmvn, specaugment)")
            }
        }
        return t
    }

    func resolve(_ p: String) -> String {
        if p.hasPrefix("/") || directory.isEmpty || FileManager.default.fileExists(atPath: p) { return p }
        return (directory as NSString).appendingPathComponent(p)
    }
}

/// A node of the YAML subset `FairseqDataConfig` reads. Scalars keep their text (unquoted).
public indirect enum YAMLNode: Sendable, Equatable {
    case scalar(String)
    case list([YAMLNode])
    case map([(key: String, value: YAMLNode)])

    public static func == (a: YAMLNode, b: YAMLNode) -> Bool {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): x == y
        case let (.list(x), .list(y)): x == y
        case let (.map(x), .map(y)): x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        default: false
        }
    }

    public subscript(key: String) -> YAMLNode? {
        if case let .map(entries) = self { return entries.first { $0.key == key }?.value }
        return nil
    }

    public var string: String? { if case let .scalar(s) = self { s } else { nil } }
    public var int: Int? { string.flatMap { Int($0) } }
    public var double: Double? { string.flatMap { Double($0) } }
    public var bool: Bool? {
        switch string?.lowercased() {
        case "true", "yes", "on": true
        case "false", "no", "off": false
        default: nil
        }
    }
    public var list: [YAMLNode]? { if case let .list(l) = self { l } else { nil } }
    public var stringMap: [String: String]? {
        guard case let .map(entries) = self else { return nil }
        var d: [String: String] = [:]
        for e in entries { if let s = e.value.string { d[e.key] = s } }
        return d
    }

    /// Parses the subset. - Throws: `CorpusError.badLine`.
    public static func parse(_ text: String, path: String) throws -> YAMLNode {
        var lines: [(indent: Int, text: String, number: Int)] = []
        for (i, raw) in splitLines([UInt8](text.utf8)).enumerated() {
            let body = stripComment(raw)
            let trimmed = body.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed == "---" { continue }
            let indent = body.prefix { $0 == " " }.count
            lines.append((indent, trimmed, i + 1))
        }
        var pos = 0
        if lines.isEmpty { return .map([]) }
        let node = try block(&pos, lines, indent: lines[0].indent, path: path)
        if pos < lines.count {
            throw CorpusError.badLine(path: path, line: lines[pos].number, reason: "unexpected indentation")
        }
        return node
    }

    private static func block(_ pos: inout Int, _ lines: [(indent: Int, text: String, number: Int)], indent: Int,
                              path: String) throws -> YAMLNode {
        if lines[pos].text.hasPrefix("- ") || lines[pos].text == "-" {
            var items: [YAMLNode] = []
            while pos < lines.count, lines[pos].indent == indent, lines[pos].text.hasPrefix("-") {
                let item = String(lines[pos].text.dropFirst()).trimmingCharacters(in: .whitespaces)
                guard !item.isEmpty, !item.contains(": ") else {
                    throw CorpusError.badLine(path: path, line: lines[pos].number, reason: "only lists of scalars are supported")
                }
                items.append(try scalarOrFlow(item, line: lines[pos].number, path: path))
                pos += 1
            }
            return .list(items)
        }
        var entries: [(key: String, value: YAMLNode)] = []
        while pos < lines.count, lines[pos].indent == indent, !lines[pos].text.hasPrefix("- ") {
            let (text, number) = (lines[pos].text, lines[pos].number)
            guard let colon = keyColon(text) else {
                throw CorpusError.badLine(path: path, line: number, reason: "expected 'key: value'")
            }
            let key = unquote(String(text[..<colon]).trimmingCharacters(in: .whitespaces))
            let rest = String(text[text.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            pos += 1
            if !rest.isEmpty {
                entries.append((key, try scalarOrFlow(rest, line: number, path: path)))
            } else if pos < lines.count, lines[pos].indent > indent
                        || (lines[pos].indent == indent && lines[pos].text.hasPrefix("-")) {
                entries.append((key, try block(&pos, lines, indent: lines[pos].indent, path: path)))
            } else {
                entries.append((key, .scalar("")))
            }
        }
        return .map(entries)
    }

    private static func scalarOrFlow(_ s: String, line: Int, path: String) throws -> YAMLNode {
        if s == "{}" { return .map([]) }
        if s.hasPrefix("[") {
            guard s.hasSuffix("]") else { throw CorpusError.badLine(path: path, line: line, reason: "unterminated flow list") }
            let inner = s.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            if inner.isEmpty { return .list([]) }
            return .list(inner.split(separator: ",").map { .scalar(unquote($0.trimmingCharacters(in: .whitespaces))) })
        }
        if s.hasPrefix("{") { throw CorpusError.badLine(path: path, line: line, reason: "flow maps are not supported") }
        return .scalar(unquote(s))
    }

    /// The colon that ends a key (outside quotes, followed by a space or the end).
    private static func keyColon(_ s: String) -> String.Index? {
        var quote: Character?
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if let q = quote { if c == q { quote = nil } } else if c == "'" || c == "\"" { quote = c } else if c == ":" {
                let n = s.index(after: i)
                if n == s.endIndex || s[n] == " " { return i }
            }
            i = s.index(after: i)
        }
        return nil
    }

    private static func stripComment(_ s: String) -> String {
        var quote: Character?
        var prev: Character = " "
        for (k, c) in s.enumerated() {
            if let q = quote { if c == q { quote = nil } } else if c == "'" || c == "\"" { quote = c } else if c == "#" && (prev == " " || k == 0) {
                return String(s.prefix(k))
            }
            prev = c
        }
        return s
    }

    private static func unquote(_ s: String) -> String {
        if s.count >= 2, let f = s.first, f == s.last, f == "'" || f == "\"" {
            let inner = String(s.dropFirst().dropLast())
            return f == "'" ? inner.replacingOccurrences(of: "''", with: "'") : inner
        }
        return s
    }
}
