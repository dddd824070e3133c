import Corpus
import Decoding
import Fbank
import Foundation
import Transformer
import Yams

/// One experiment, as a YAML file (issue 6): the task, seed and threads, the model (`ModelConfig`
/// keys), the data, the optimisation and criterion (fairseq option names), checkpointing and the
/// generation options used for validation decoding. Every section and key is optional (defaults of
/// the speech-translation recipe); an unknown key is an error naming it. `--set a.b=value` overrides
/// any key before decoding; the resolved config is written into the experiment directory.
public struct ExperimentConfig: Codable, Sendable, Equatable {
    public enum Task: String, Codable, Sendable, CaseIterable { case st, asr, slu, summarization }

    /// Where the data is and how it is batched and transformed.
    public struct DataConfig: Codable, Sendable, Equatable {
        /// fairseq (TSV manifests), kaldi (data dirs), text (parallel files).
        public var format = "fairseq"
        /// Directory the other paths are relative to.
        public var root = "."
        /// Training and validation sets: a TSV, a Kaldi/ESPnet dir, or for text a prefix `P` with `P.src`/`P.tgt`.
        public var train = "train.tsv"
        public var valid = "dev.tsv"
        /// SentencePiece model and fairseq dictionary of the targets (and of the sources for text).
        public var spmModel: String? = nil
        public var dict: String? = nil
        public var sourceSpmModel: String? = nil
        public var sourceDict: String? = nil
        /// utterance, global or none.
        public var cmvn = "utterance"
        public var globalCmvn: String? = nil
        public var specAugment = true
        public var maxTokens: Int? = 40_000
        public var maxSentences: Int? = nil
        public var maxSourcePositions = 6_000
        public var maxTargetPositions = 1_024
        public var prefetch = 2
        /// What the encoder's CTC head learns: `target`, or a TSV column such as `src_text` (the
        /// transcript, encoded with the target dictionary — use a joint vocabulary).
        public var ctcTarget = "target"

        /// How raw audio becomes features for the training (`perturb`) or validation set.
        public func audioFeatures(seed: UInt64, perturb: Bool) -> AudioFeatureOptions {
            var fbank = FbankOptions()
            fbank.numMelBins = numMelBins
            fbank.dither = dither
            var o = AudioFeatureOptions(fbank: fbank, speedPerturbation: perturb ? speedPerturbation : [], seed: seed,
                                        resampleTo: resampleTo)
            o.lengthsInFrames = lengthsInFrames
            return o
        }
        // Raw-audio input (a manifest or `wav.scp` pointing at audio; ignored for stored features).
        /// Speed-perturbation factors of the training set, one drawn per utterance and epoch
        /// (e.g. `[0.9, 1.0, 1.1]`; empty: none). Validation is never perturbed.
        public var speedPerturbation: [Double] = []
        /// Filterbank of the on-the-fly features (Kaldi `--num-mel-bins`, `--dither`).
        public var numMelBins = 80
        public var dither = 0.0
        /// Resample every file to this rate first (fairseq's `use_sample_rate`); nil: the file's rate.
        public var resampleTo: Int? = nil
        /// Raw-audio TSVs whose `n_frames` counts samples: budget in filterbank frames instead.
        public var lengthsInFrames = false

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case format, root, train, valid, spmModel = "spm_model", dict, sourceSpmModel = "source_spm_model"
            case sourceDict = "source_dict", cmvn, globalCmvn = "global_cmvn", specAugment = "spec_augment"
            case maxTokens = "max_tokens", maxSentences = "max_sentences", maxSourcePositions = "max_source_positions"
            case maxTargetPositions = "max_target_positions", prefetch, ctcTarget = "ctc_target"
            case speedPerturbation = "speed_perturbation", numMelBins = "num_mel_bins", dither, resampleTo = "resample_to"
            case lengthsInFrames = "lengths_in_frames"
        }
        public static let keys = Set(CodingKeys.allCases.map(\.rawValue))

        public init(from decoder: any Decoder) throws {
            var d = PartialDecoding(container: try decoder.container(keyedBy: CodingKeys.self), value: DataConfig())
            try d.read(.format, \.format); try d.read(.root, \.root); try d.read(.train, \.train); try d.read(.valid, \.valid)
            try d.readOptional(.spmModel, \.spmModel); try d.readOptional(.dict, \.dict)
            try d.readOptional(.sourceSpmModel, \.sourceSpmModel); try d.readOptional(.sourceDict, \.sourceDict)
            try d.read(.cmvn, \.cmvn); try d.readOptional(.globalCmvn, \.globalCmvn); try d.read(.specAugment, \.specAugment)
            try d.readOptional(.maxTokens, \.maxTokens); try d.readOptional(.maxSentences, \.maxSentences)
            try d.read(.maxSourcePositions, \.maxSourcePositions); try d.read(.maxTargetPositions, \.maxTargetPositions)
            try d.read(.prefetch, \.prefetch); try d.read(.ctcTarget, \.ctcTarget)
            try d.read(.speedPerturbation, \.speedPerturbation); try d.read(.numMelBins, \.numMelBins); try d.read(.dither, \.dither)
            try d.readOptional(.resampleTo, \.resampleTo); try d.read(.lengthsInFrames, \.lengthsInFrames)
            self = d.value
        }
    }

    /// Adam, schedule, clipping, accumulation and stopping, with fairseq's names.
    public struct OptimizationConfig: Codable, Sendable, Equatable {
        public var lr = 2e-3
        public var warmupUpdates = 10_000
        public var warmupInitLR = 0.0
        public var clipNorm = 10.0
        public var adamBetas = [0.9, 0.999]
        public var adamEps = 1e-8
        public var weightDecay = 0.0
        public var updateFreq = 1
        public var maxUpdate = 100_000
        public var maxEpoch = 0

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case lr, warmupUpdates = "warmup_updates", warmupInitLR = "warmup_init_lr", clipNorm = "clip_norm"
            case adamBetas = "adam_betas", adamEps = "adam_eps", weightDecay = "weight_decay", updateFreq = "update_freq"
            case maxUpdate = "max_update", maxEpoch = "max_epoch"
        }
        public static let keys = Set(CodingKeys.allCases.map(\.rawValue))

        public init(from decoder: any Decoder) throws {
            var d = PartialDecoding(container: try decoder.container(keyedBy: CodingKeys.self), value: OptimizationConfig())
            try d.read(.lr, \.lr); try d.read(.warmupUpdates, \.warmupUpdates); try d.read(.warmupInitLR, \.warmupInitLR)
            try d.read(.clipNorm, \.clipNorm); try d.read(.adamBetas, \.adamBetas); try d.read(.adamEps, \.adamEps)
            try d.read(.weightDecay, \.weightDecay); try d.read(.updateFreq, \.updateFreq); try d.read(.maxUpdate, \.maxUpdate)
            try d.read(.maxEpoch, \.maxEpoch)
            self = d.value
        }
    }

    /// Logging, validation and checkpoint policy.
    public struct CheckpointConfig: Codable, Sendable, Equatable {
        public var logInterval = 50
        public var validateIntervalUpdates = 1_000
        public var saveIntervalUpdates = 1_000
        public var keepLast = 5
        public var keepBest = 10
        /// accuracy, loss, nll_loss, or the `eval_metric` (bleu, wer, cer).
        public var bestMetric = "accuracy"
        /// Stop after this many validations without improvement (≤ 0: never).
        public var patience = 0
        /// Scores of hypotheses decoded at each validation (fairseq's `--eval-bleu`, ESPnet's
        /// `report_bleu`/`report_wer`/`report_cer`): none, bleu (sacreBLEU 13a), wer or cer.
        public var evalMetric = "none"
        /// Beam of that decoding (1: greedy).
        public var evalBeam = 1
        /// Decode only the first N validation samples (0: all of them).
        public var evalMaxSentences = 0
        /// Weights a new run starts from (fairseq's `--finetune-from-model`, or with `init_prefixes`
        /// `--load-pretrained-encoder-from`): a model `.safetensors`; ignored when resuming.
        public var initFrom: String? = nil
        /// Only the tensors under these name prefixes (e.g. `[encoder.]`); empty: the whole model.
        public var initPrefixes: [String] = []
        /// Tensors whose name contains one of these keep their fresh initialisation and are not read
        /// from `init_from` (ESPnet's `--init_param` exclude keys; e.g. `[hypernet_down]` to start MTLA
        /// from an MLA model, which has every other tensor).
        public var initExclude: [String] = []

        /// The metrics `best_metric` can name, and whether lower values are better.
        public static let metricDirections = ["accuracy": false, "loss": true, "nll_loss": true, "bleu": false, "wer": true, "cer": true]
        /// Whether `value` is better than `best` for `bestMetric`.
        public func improves(_ value: Double, on best: Double) -> Bool {
            Self.metricDirections[bestMetric] == true ? value < best : value > best
        }

        public init() {}

        enum CodingKeys: String, CodingKey, CaseIterable {
            case logInterval = "log_interval", validateIntervalUpdates = "validate_interval_updates"
            case saveIntervalUpdates = "save_interval_updates", keepLast = "keep_last", keepBest = "keep_best"
            case bestMetric = "best_metric", patience, evalMetric = "eval_metric", evalBeam = "eval_beam"
            case evalMaxSentences = "eval_max_sentences", initFrom = "init_from", initPrefixes = "init_prefixes"
            case initExclude = "init_exclude"
        }
        public static let keys = Set(CodingKeys.allCases.map(\.rawValue))

        public init(from decoder: any Decoder) throws {
            var d = PartialDecoding(container: try decoder.container(keyedBy: CodingKeys.self), value: CheckpointConfig())
            try d.read(.logInterval, \.logInterval); try d.read(.validateIntervalUpdates, \.validateIntervalUpdates)
            try d.read(.saveIntervalUpdates, \.saveIntervalUpdates); try d.read(.keepLast, \.keepLast); try d.read(.keepBest, \.keepBest)
            try d.read(.bestMetric, \.bestMetric); try d.read(.patience, \.patience)
            try d.read(.evalMetric, \.evalMetric); try d.read(.evalBeam, \.evalBeam); try d.read(.evalMaxSentences, \.evalMaxSentences)
            try d.readOptional(.initFrom, \.initFrom); try d.read(.initPrefixes, \.initPrefixes); try d.read(.initExclude, \.initExclude)
            self = d.value
        }
    }

    public var task: Task = .st
    public var seed: UInt64 = 1
    public var threads = 1
    public var model = ModelConfig()
    public var data = DataConfig()
    public var optimization = OptimizationConfig()
    public var criterion = SequenceLoss()
    public var checkpoint = CheckpointConfig()
    public var generation = BeamSearchOptions()

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case task, seed, threads, model, data, optimization, criterion, checkpoint, generation
    }

    public init(from decoder: any Decoder) throws {
        var d = PartialDecoding(container: try decoder.container(keyedBy: CodingKeys.self), value: ExperimentConfig())
        try d.read(.task, \.task); try d.read(.seed, \.seed); try d.read(.threads, \.threads); try d.read(.model, \.model)
        try d.read(.data, \.data); try d.read(.optimization, \.optimization); try d.read(.criterion, \.criterion)
        try d.read(.checkpoint, \.checkpoint); try d.read(.generation, \.generation)
        self = d.value
    }

    /// Section → its keys (nil: a scalar key).
    static let schema: [String: Set<String>?] = [
        "task": nil, "seed": nil, "threads": nil, "model": ModelConfig.keys, "data": DataConfig.keys,
        "optimization": OptimizationConfig.keys, "criterion": SequenceLoss.keys, "checkpoint": CheckpointConfig.keys,
        "generation": BeamSearchOptions.keys,
    ]

    /// Whether `other` continues the same run: equal but for the settings a resumed run may change,
    /// as fairseq allows on its command line: `threads` and `optimization.update_freq` (with the number
    /// of ranks, they set how an update is computed, not what the model is), and `max_update` and
    /// `max_epoch` (where the run stops: train longer; the schedule does not depend on them).
    public func continuesRun(_ other: ExperimentConfig) -> Bool {
        var a = self, b = other
        (a.threads, a.optimization.updateFreq, a.optimization.maxUpdate, a.optimization.maxEpoch) = (0, 0, 0, 0)
        (b.threads, b.optimization.updateFreq, b.optimization.maxUpdate, b.optimization.maxEpoch) = (0, 0, 0, 0)
        return a == b
    }

    /// The trainer's options of this experiment.
    public var trainerOptions: TrainerOptions {
        var o = TrainerOptions()
        (o.lr, o.warmupUpdates, o.warmupInitLR, o.clipNorm) = (optimization.lr, optimization.warmupUpdates, optimization.warmupInitLR, optimization.clipNorm)
        (o.adamBetas, o.adamEps, o.weightDecay, o.updateFreq) = (optimization.adamBetas, optimization.adamEps, optimization.weightDecay, optimization.updateFreq)
        o.loss = criterion
        return o
    }

    /// Reads a YAML experiment file, applies `overrides` (`section.key=value`, the value in YAML
    /// syntax), checks every key against the schema and the values for consistency.
    /// - Throws: `TrainingError.invalidOption` naming the file and key, `ModelError` for an invalid model.
    public static func load(_ url: URL, overrides: [String] = []) throws -> ExperimentConfig {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw TrainingError.invalidOption(name: url.path, value: "unreadable", expected: "a YAML experiment config (\(error.localizedDescription))")
        }
        return try parse(text, file: url.path, overrides: overrides)
    }

    /// `load` from text; `file` names the source in errors.
    public static func parse(_ text: String, file: String = "<config>", overrides: [String] = []) throws -> ExperimentConfig {
        var tree: [String: Any]
        do { tree = (try Yams.load(yaml: text) as? [String: Any]) ?? [:] } catch {
            throw TrainingError.invalidOption(name: file, value: "not YAML", expected: "a YAML mapping (\(error))")
        }
        for o in overrides { try apply(o, to: &tree, file: file) }
        try checkKeys(tree, file: file)
        let config: ExperimentConfig
        do { config = try YAMLDecoder().decode(ExperimentConfig.self, from: try Yams.dump(object: tree)) } catch {
            throw TrainingError.invalidOption(name: file, value: "a value of the wrong type", expected: "\(error)")
        }
        return try config.validated(file: file)
    }

    static func apply(_ override: String, to tree: inout [String: Any], file: String) throws {
        guard let eq = override.firstIndex(of: "=") else {
            throw TrainingError.invalidOption(name: "--set", value: override, expected: "section.key=value")
        }
        let path = override[..<eq].split(separator: ".").map(String.init)
        let raw = String(override[override.index(after: eq)...])
        let value: Any = (try? Yams.load(yaml: raw)).flatMap { $0 } ?? raw
        switch path.count {
        case 1: tree[path[0]] = value
        case 2:
            var section = tree[path[0]] as? [String: Any] ?? [:]
            section[path[1]] = value
            tree[path[0]] = section
        default: throw TrainingError.invalidOption(name: "--set", value: override, expected: "key=value or section.key=value")
        }
    }

    static func checkKeys(_ tree: [String: Any], file: String) throws {
        for (key, value) in tree.sorted(by: { $0.key < $1.key }) {
            guard let entry = schema[key] else {
                throw TrainingError.invalidOption(name: "\(file): \(key)", value: "unknown key", expected: "one of \(schema.keys.sorted().joined(separator: ", "))")
            }
            guard let keys = entry else { continue }
            guard let section = value as? [String: Any] else {
                throw TrainingError.invalidOption(name: "\(file): \(key)", value: "\(value)", expected: "a mapping of \(key) settings")
            }
            if let bad = section.keys.sorted().first(where: { !keys.contains($0) }) {
                let near = keys.min { editDistance($0, bad) < editDistance($1, bad) } ?? ""
                throw TrainingError.invalidOption(name: "\(file): \(key).\(bad)", value: "unknown key", expected: "a \(key) key (did you mean \(near)?)")
            }
        }
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var prev = row[0]; row[0] = i
            for j in 1...max(1, b.count) where !b.isEmpty {
                let cur = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
                prev = cur
            }
        }
        return row[b.count]
    }

    /// - Throws: the first inconsistency, naming its key.
    public func validated(file: String = "<config>") throws -> ExperimentConfig {
        var m = model
        if m.vocabSize == 0 { m.vocabSize = Int(max(m.bos, m.eos, m.paddingIdx, m.unk)) + 1 }   // resolved from the dictionary later
        _ = try m.validated()
        _ = try trainerOptions.validated()
        _ = try generation.validated()
        func check(_ ok: Bool, _ key: String, _ value: Any, _ expected: String) throws {
            if !ok { throw TrainingError.invalidOption(name: "\(file): \(key)", value: "\(value)", expected: expected) }
        }
        try check(threads >= 1, "threads", threads, "≥ 1")
        try check(["fairseq", "kaldi", "text"].contains(data.format), "data.format", data.format, "fairseq, kaldi or text")
        try check(["utterance", "global", "none"].contains(data.cmvn), "data.cmvn", data.cmvn, "utterance, global or none")
        try check(data.cmvn != "global" || data.globalCmvn != nil, "data.global_cmvn", "missing", "a gcmvn.npz path with cmvn: global")
        try check((data.format == "text") == (model.inputMode == .text), "data.format", data.format,
                  "text exactly when model.input_mode is text")
        try check(data.speedPerturbation.allSatisfy { $0 > 0.5 && $0 < 2 }, "data.speed_perturbation", data.speedPerturbation,
                  "factors in (0.5, 2), e.g. [0.9, 1.0, 1.1]")
        try check(data.numMelBins > 0 && data.dither >= 0, "data.num_mel_bins/dither", "\(data.numMelBins)/\(data.dither)",
                  "num_mel_bins > 0, dither ≥ 0")
        try check(data.resampleTo.map { $0 > 0 } ?? true, "data.resample_to", data.resampleTo as Any, "a positive rate")
        try check(data.maxTokens != nil || data.maxSentences != nil, "data.max_tokens", "null", "max_tokens or max_sentences")
        try check(optimization.maxUpdate > 0 || optimization.maxEpoch > 0, "optimization.max_update", optimization.maxUpdate,
                  "max_update or max_epoch > 0")
        try check(["none", "bleu", "wer", "cer"].contains(checkpoint.evalMetric), "checkpoint.eval_metric", checkpoint.evalMetric,
                  "none, bleu, wer or cer")
        try check(checkpoint.evalBeam >= 1 && checkpoint.evalMaxSentences >= 0, "checkpoint.eval_beam/eval_max_sentences",
                  "\(checkpoint.evalBeam)/\(checkpoint.evalMaxSentences)", "beam ≥ 1 and sentences ≥ 0")
        let metrics = ["accuracy", "loss", "nll_loss"] + (checkpoint.evalMetric == "none" ? [] : [checkpoint.evalMetric])
        try check(metrics.contains(checkpoint.bestMetric), "checkpoint.best_metric", checkpoint.bestMetric,
                  metrics.joined(separator: ", ") + (checkpoint.evalMetric == "none" ? " (bleu/wer/cer need checkpoint.eval_metric)" : ""))
        try check(checkpoint.validateIntervalUpdates > 0 && checkpoint.saveIntervalUpdates > 0 && checkpoint.logInterval > 0,
                  "checkpoint intervals", "\(checkpoint.logInterval)/\(checkpoint.validateIntervalUpdates)/\(checkpoint.saveIntervalUpdates)", "> 0")
        return self
    }

    /// The config as YAML (what the experiment directory keeps as `config.yaml`).
    public func yaml() throws -> String { try YAMLEncoder().encode(self) }
}

/// Decodes the keys present in `c` into a copy of `defaults` (missing keys keep their default).
struct PartialDecoding<Value, Key: CodingKey> {
    let container: KeyedDecodingContainer<Key>
    var value: Value
    mutating func read<T: Decodable>(_ key: Key, _ path: WritableKeyPath<Value, T>) throws {
        if let v = try container.decodeIfPresent(T.self, forKey: key) { value[keyPath: path] = v }
    }
    mutating func readOptional<T: Decodable>(_ key: Key, _ path: WritableKeyPath<Value, T?>) throws {
        if let v = try container.decodeIfPresent(T.self, forKey: key) { value[keyPath: path] = v }
    }
}
