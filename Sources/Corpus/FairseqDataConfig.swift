import Fbank
import FeatureStore
import Foundation
import Yams

/// fairseq's speech-to-text data config (`config_{task}.yaml`, formats.md §3.3; `data_cfg.py`): the
/// vocabulary, the tokenizer, the feature size and the feature transforms per split.
///
/// The YAML is read by Yams (the toolkit's one YAML reader).
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

    /// Parses YAML (through Yams). - Throws: `CorpusError.badLine` with the parser's line.
    public static func parse(_ text: String, path: String) throws -> YAMLNode {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch let error as YamlError {
            var line = 0
            if case let .scanner(_, _, mark, _) = error { line = mark.line }
            if case let .parser(_, _, mark, _) = error { line = mark.line }
            throw CorpusError.badLine(path: path, line: line, reason: "\(error)")
        } catch {
            throw CorpusError.badLine(path: path, line: 0, reason: "\(error)")
        }
        return node.map(convert) ?? .map([])
    }

    private static func convert(_ node: Node) -> YAMLNode {
        switch node {
        case let .scalar(s): return .scalar(s.string)
        case let .sequence(seq): return .list(seq.map(convert))
        case let .mapping(m): return .map(m.map { (key: $0.key.string ?? "", value: convert($0.value)) })
        case .alias: return .scalar("")   // compose() resolves aliases; none remain
        }
    }
}
