import Corpus
import Decoding
import Distributed
import Fbank
import FeatureStore
import NN
import Foundation
import SeededRandom
import TensorCore
import Transformer

/// A whole training run from an `ExperimentConfig` into an experiment directory (`mtla train`):
/// datasets and batch plans, the model, the trainer, the loop over epochs and updates with
/// validation, checkpoints (keep-last and keep-best), early stopping, metrics and plots, and resume.
///
/// The experiment directory holds `config.yaml` (the resolved config), `metrics.jsonl`, `plots/`,
/// `checkpoints/checkpoint_u*/` and `checkpoint_last.json`. A directory that already holds a run is
/// only continued with `resume`, and only with the same resolved config (but for `threads` and
/// `update_freq`, which a resumed run may change).
///
/// In a job of several ranks (`mpirun -np N mtla train …`), every rank loads the data and builds the
/// model; rank 0 alone reads and writes the experiment directory (config, resume, `init_from`,
/// metrics, plots, checkpoints) and sends its state to the others before the first update. Each
/// update takes ranks × `update_freq` consecutive batches of the epoch's plan, `update_freq` per rank
/// in rank order (so the union over ranks is the single-process epoch), and validation batches are
/// shared round robin; statistics are summed over the ranks, so every rank makes the same decisions.
public final class TrainingRun {
    public let config: ExperimentConfig
    public let experiment: URL
    public let trainer: Trainer
    let train: any SampleDataset, valid: any SampleDataset
    let collater: Collater
    /// Hypotheses scored at each validation (`checkpoint.eval_metric`), if configured.
    let evaluation: ValidationDecoding?
    /// The metrics file (rank 0 only).
    let log: MetricsLog?
    /// Called with one line per log interval, validation, checkpoint and warning (the CLI prints them;
    /// rank 0 only).
    public let report: (String) -> Void
    /// Called after every update with (updates done, max updates, stats) for a progress display.
    public var onUpdate: (Int, Int, UpdateStats) -> Void = { _, _, _ in }
    /// Whether each planned batch is split by sentences over the ranks (`init`'s `splitBatches`).
    public let splitBatches: Bool

    /// Prepares (or, with `resume`, reopens) the run.
    /// - Throws: `TrainingError` for an existing run without `resume` or a config that differs from
    ///   it, `CorpusError` for unreadable data, `ModelError` for a vocabulary that does not fit,
    ///   `DistributedError` when the ranks cannot exchange the initial state.
    ///
    /// `model.vocab_size: 0` takes the size of the target dictionary.
    /// - Parameter splitBatches: in a job of several ranks, split each planned batch by sentences over
    ///   the ranks (rank r takes sentences r, r + N, …) instead of giving each rank whole batches, so
    ///   that N ranks make the updates of one process with the same config (without dropout, whose masks
    ///   each rank draws itself; up to float rounding).
    public init(config given: ExperimentConfig, experiment: URL, resume: Bool,
                communicator: any Communicator = SingleProcessCommunicator(), splitBatches: Bool = false,
                report: @escaping (String) -> Void = { _ in }) throws {
        var config = given
        let data = Self.resolve(given.data)
        let targetEncoding = try Self.encoding(spm: data.spmModel, dict: data.dict, what: "data.dict")
        let dictionarySize = targetEncoding.vocabularySize
        if config.model.vocabSize == 0, let size = dictionarySize { config.model.vocabSize = size }
        self.config = try config.validated()
        let isMain = communicator.isMain
        self.report = isMain ? report : { _ in }
        self.experiment = experiment
        let fm = FileManager.default
        let configURL = experiment.appendingPathComponent("config.yaml")
        let resolved = try config.yaml()
        let latest = isMain ? try TrainingCheckpoint.latest(experiment) : nil
        if isMain { try fm.createDirectory(at: experiment, withIntermediateDirectories: true) }
        if !isMain {
            // Rank 0 checks and writes the experiment directory.
        } else if fm.fileExists(atPath: configURL.path) {
            guard resume else {
                throw TrainingError.invalidOption(name: experiment.path, value: "holds a run", expected: "a new directory, or --resume to continue it")
            }
            let previous = try ExperimentConfig.load(configURL)
            guard previous.continuesRun(config) else {
                throw TrainingError.incompatibleCheckpoint(path: configURL.path, reason: "the resolved config differs from this run's (compare it with the new one; only threads, update_freq, max_update and max_epoch may change)")
            }
            if previous != config {
                let (o, p) = (config.optimization, previous.optimization)
                report("resuming with threads \(config.threads), update_freq \(o.updateFreq), max_update \(o.maxUpdate), max_epoch \(o.maxEpoch) "
                    + "(were \(previous.threads), \(p.updateFreq), \(p.maxUpdate), \(p.maxEpoch))")
                try Data(resolved.utf8).write(to: configURL, options: .atomic)
            }
        } else {
            try Data(resolved.utf8).write(to: configURL, options: .atomic)
        }
        (train, valid) = try (Self.dataset(config, data.train, data, targetEncoding, training: true),
                              Self.dataset(config, data.valid, data, targetEncoding, training: false))
        if let size = dictionarySize, size != config.model.vocabSize {
            throw TrainingError.invalidOption(name: "model.vocab_size", value: "\(config.model.vocabSize)",
                                              expected: "the dictionary's size \(size) (\(data.dict ?? ""))")
        }
        var transforms = FeatureTransforms()
        if config.data.cmvn == "utterance" { transforms.utteranceCMVN = UtteranceCMVN() }
        if config.data.cmvn == "global", let path = data.globalCmvn {
            transforms.globalCMVN = try GlobalCMVNFile.read(path: path)
        }
        if config.data.specAugment { transforms.specAugment = SpecAugment() }
        collater = Collater(pad: config.model.paddingIdx, eos: config.model.eos, transforms: transforms)
        if config.checkpoint.evalMetric != "none" {
            guard let symbols = targetEncoding.symbols else {
                throw TrainingError.invalidOption(name: "checkpoint.eval_metric", value: config.checkpoint.evalMetric,
                                                  expected: "a target dictionary whose symbols detokenise hypotheses (data.dict)")
            }
            evaluation = try ValidationDecoding(config: config, valid: valid, symbols: symbols, sentencePiece: data.spmModel != nil,
                                                batching: Self.batching(config), collater: collater)
        } else {
            evaluation = nil
        }
        var g = Xoshiro256(seed: config.seed)
        let model = try PrefixDecoderModel(config: config.model, dropoutSeed: config.seed &+ 17, generator: &g)
        let context = ComputeContext(threads: config.threads)
        context.activate()   // OpenBLAS on one thread: the engine splits products over `threads` itself
        trainer = try Trainer(model: model, options: config.trainerOptions, context: context, communicator: communicator)
        let metrics = experiment.appendingPathComponent("metrics.jsonl")
        if !isMain {
            // Receives rank 0's state below.
        } else if resume, let latest {
            try TrainingCheckpoint.restore(trainer, from: latest)
            try MetricsLog.truncate(metrics, after: trainer.progress.updates)
        } else if latest != nil {
            throw TrainingError.invalidOption(name: experiment.path, value: "holds checkpoints", expected: "--resume to continue them")
        } else if let path = config.checkpoint.initFrom {
            let count = try Self.initialise(model, from: path, prefixes: config.checkpoint.initPrefixes,
                                            excluding: config.checkpoint.initExclude)
            report("initialised \(count) tensors from \(path)")
        }
        try trainer.synchronise()
        log = isMain ? try MetricsLog(url: metrics) : nil
        self.splitBatches = splitBatches && communicator.size > 1
        if self.splitBatches {
            self.report("data parallel over \(communicator.size) ranks, each batch split by sentences: effective batch = "
                + "\(config.optimization.updateFreq) update_freq × max_tokens \(config.data.maxTokens.map(String.init) ?? "unset") (as one process)")
        } else if communicator.size > 1 {
            self.report("data parallel over \(communicator.size) ranks: effective batch = \(communicator.size) ranks × "
                + "\(config.optimization.updateFreq) update_freq × max_tokens \(config.data.maxTokens.map(String.init) ?? "unset")")
        }
        for (name, set) in [("train", train), ("valid", valid)] {
            let stats = set.labelStatistics
            if stats.unknownRate > 0.01 {
                self.report(String(format: "warning: %@: %.1f%% of target tokens are <unk> (%d of %d); check the vocabulary", name,
                              100 * stats.unknownRate, stats.unknowns, stats.tokens))
            }
        }
    }

    /// Loads the tensors of the model file at `path` under `prefixes` (all when empty) into `model`,
    /// except those whose name contains one of `excluding`: every selected parameter and buffer must be
    /// there with its shape, and nothing else selected.
    /// - Returns: the number of tensors loaded.
    /// - Throws: `TrainingError.badCheckpoint` naming the file and the tensor.
    static func initialise(_ model: PrefixDecoderModel, from path: String, prefixes: [String], excluding: [String] = []) throws -> Int {
        func selected(_ name: String) -> Bool {
            (prefixes.isEmpty || prefixes.contains { name.hasPrefix($0) }) && !excluding.contains { name.contains($0) }
        }
        let tensors: [String: Tensor]
        do { tensors = try SafeTensors.read(URL(fileURLWithPath: path)).tensors.filter { !$0.key.hasSuffix(".version") && selected($0.key) } } catch {
            throw TrainingError.badCheckpoint(path: path, reason: "\(error)")
        }
        let wanted = Set((model.stateDictParameters() + model.namedBuffers()).map(\.0).filter(selected))
        if let missing = wanted.sorted().first(where: { tensors[$0] == nil }) {
            throw TrainingError.badCheckpoint(path: path, reason: "no tensor \(missing) (init_prefixes \(prefixes), init_exclude \(excluding))")
        }
        if let extra = tensors.keys.sorted().first(where: { !wanted.contains($0) }) {
            throw TrainingError.badCheckpoint(path: path, reason: "tensor \(extra) is not a parameter of this model")
        }
        do { try model.load(tensors, file: path, strict: false) } catch { throw TrainingError.badCheckpoint(path: path, reason: "\(error)") }
        return tensors.count
    }

    /// Paths of `data` made relative to its root.
    static func resolve(_ d: ExperimentConfig.DataConfig) -> ExperimentConfig.DataConfig {
        var r = d
        func path(_ p: String?) -> String? { p.map { $0.hasPrefix("/") ? $0 : (d.root as NSString).appendingPathComponent($0) } }
        (r.train, r.valid) = (path(d.train)!, path(d.valid)!)
        (r.spmModel, r.dict, r.sourceSpmModel, r.sourceDict, r.globalCmvn) =
            (path(d.spmModel), path(d.dict), path(d.sourceSpmModel), path(d.sourceDict), path(d.globalCmvn))
        return r
    }

    /// The text encoding of a side: raw text through the SentencePiece model `spm` into the fairseq
    /// dictionary `dict`, or (without `spm`) whitespace tokens looked up in `dict`.
    static func encoding(spm: String?, dict: String?, what: String) throws -> any TextEncoding {
        guard let dict else { throw TrainingError.invalidOption(name: what, value: "missing", expected: "a fairseq dict.txt path") }
        if let spm { return try SentencePieceEncoding(modelPath: spm, dictionaryPath: dict) }
        return try WhitespaceDictionaryEncoding(dictionaryPath: dict)
    }

    /// The training (`training`: speed perturbation as configured) or validation set at `path`.
    static func dataset(_ c: ExperimentConfig, _ path: String, _ data: ExperimentConfig.DataConfig,
                        _ target: any TextEncoding, training: Bool) throws -> any SampleDataset {
        let audio = data.audioFeatures(seed: c.seed, perturb: training)
        switch data.format {
        case "fairseq":
            let aux = c.data.ctcTarget == "target" ? nil : (column: c.data.ctcTarget, encoding: target)
            return try FairseqSpeechDataset(manifest: path, root: nil, textEncoding: target, featureSource: audio,
                                            auxiliaryText: aux)   // audio paths relative to the TSV
        case "kaldi": return try KaldiSpeechDataset(directory: path, textEncoding: target, featureSource: audio)
        default:
            let source = try encoding(spm: data.sourceSpmModel, dict: data.sourceDict ?? data.dict, what: "data.source_dict")
            return try ParallelTextDataset(source: path + ".src", target: path + ".tgt", sourceEncoding: source, targetEncoding: target)
        }
    }

    var batching: BatchingOptions { Self.batching(config) }

    static func batching(_ config: ExperimentConfig) -> BatchingOptions {
        BatchingOptions(maxTokens: config.data.maxTokens, maxSentences: config.data.maxSentences,
                        maxSourcePositions: config.data.maxSourcePositions, maxTargetPositions: config.data.maxTargetPositions)
    }

    /// A corpus batch as the model takes it.
    static func modelBatch(_ b: Batch) -> TrainingBatch {
        TrainingBatch(ids: b.ids, input: ModelInput(b.source), prevOutputTokens: b.prevOutputTokens, target: b.target,
                      ctcTarget: b.auxiliaryTarget)
    }

    /// Validation loss and accuracy over the whole validation set, and the `eval_metric` of decoded
    /// hypotheses when configured (all in `trainer.progress.lastValidation`).
    public func validate() throws -> UpdateStats {
        let plan = BatchPlan.make(dataset: valid, options: batching, seed: config.seed, epoch: 1, shuffle: false)
        let ranks = trainer.communicator.size
        let mine = Array(stride(from: trainer.communicator.rank, to: plan.count, by: ranks))
        let loader = BatchLoader(dataset: valid, batches: plan, options: .init(prefetch: config.data.prefetch, positions: mine,
                                                                              seed: config.seed, training: false, collater: collater))
        var batches: [TrainingBatch] = []
        var it = loader.makeIterator()
        while let b = try it.nextBatch() { batches.append(Self.modelBatch(b)) }
        let stats = try trainer.validate(batches)
        if let evaluation {
            trainer.progress.lastValidation[evaluation.metric] = try evaluation.score(trainer.model, context: trainer.context,
                                                                                      communicator: trainer.communicator)
        }
        return stats
    }

    /// Trains until `max_update` (or `max_epoch`, or early stopping), or — with `stopAfter` — until that
    /// many updates are done in total, saving a checkpoint there (a later `resume` run continues
    /// exactly as if it had not stopped); returns the last validation.
    @discardableResult
    public func run(stopAfter: Int? = nil) throws -> [String: Double] {
        let c = config.checkpoint, maxUpdate = config.optimization.maxUpdate > 0 ? config.optimization.maxUpdate : Int.max
        var window = UpdateStats(update: 0, loss: 0, nll: 0, ctc: 0, tokens: 0, correct: 0, sentences: 0, frames: 0, gradientNorm: 0, learningRate: 0)
        var windowStart = Date()
        epochs: while trainer.progress.updates < maxUpdate
                      && (config.optimization.maxEpoch <= 0 || trainer.progress.epoch <= config.optimization.maxEpoch) {
            let epoch = trainer.progress.epoch
            let plan = BatchPlan.build(dataset: train, options: batching, seed: config.seed, epoch: epoch, shuffle: true)
            if trainer.progress.batchesInEpoch == 0 && !plan.skipped.isEmpty {
                report("epoch \(epoch): \(plan.skipped.count) utterances skipped by the length filters (e.g. \(plan.skippedIDs.prefix(3).joined(separator: ", ")))")
            }
            let (rank, ranks) = (trainer.communicator.rank, trainer.communicator.size)
            var shares = Self.updateShares(batches: plan.batches.count, from: trainer.progress.batchesInEpoch,
                                           updateFreq: config.optimization.updateFreq, rank: splitBatches ? 0 : rank,
                                           ranks: splitBatches ? 1 : ranks)
            var batches = plan.batches
            if splitBatches {
                // Every rank walks the same positions, each with its own sentences of the batch; a batch
                // with fewer sentences than ranks leaves some ranks without a share of it.
                batches = batches.map { Self.sentenceShare($0, rank: rank, ranks: ranks) }
                shares = shares.map { UpdateShare(positions: $0.positions.filter { !batches[$0].isEmpty }, batchesInUpdate: $0.batchesInUpdate) }
            }
            let loader = BatchLoader(dataset: train, batches: batches,
                                     options: .init(prefetch: config.data.prefetch, positions: shares.flatMap(\.positions),
                                                    epoch: epoch, seed: config.seed, training: true, collater: collater))
            var it = loader.makeIterator()
            for share in shares {
                var pending: [TrainingBatch] = []
                for _ in share.positions {
                    guard let b = try it.nextBatch() else {
                        throw TrainingError.invalidOption(name: "batch plan", value: "ended early", expected: "every planned batch")
                    }
                    pending.append(Self.modelBatch(b))
                }
                let stats = try trainer.update(pending)
                trainer.progress.batchesInEpoch += share.batchesInUpdate
                accumulate(&window, stats)
                onUpdate(trainer.progress.updates, maxUpdate, stats)
                let u = trainer.progress.updates
                if u % c.logInterval == 0 {
                    let seconds = Date().timeIntervalSince(windowStart)
                    var values = window.loggedValues.merging([
                        "lr": stats.learningRate, "gnorm": stats.gradientNorm, "frames_per_second": Double(window.frames) / seconds,
                        "updates_per_second": Double(c.logInterval) / seconds]) { a, _ in a }
                    if trainer.communicator.size > 1 { values["allreduce_ms"] = 1000 * window.allReduceSeconds / Double(c.logInterval) }
                    try log?.append(MetricsRecord(kind: "train", update: u, epoch: epoch, values: values))
                    report(String(format: "epoch %d update %d: loss %.3f nll %.3f acc %.3f%@ lr %.2e gnorm %.2f, %.2f updates/s, %.0f frames/s",
                                  epoch, u, window.lossPerToken, window.nllPerToken, window.accuracy, Self.ctcText(window),
                                  stats.learningRate, stats.gradientNorm, Double(c.logInterval) / seconds, Double(window.frames) / seconds))
                    window = UpdateStats(update: 0, loss: 0, nll: 0, ctc: 0, tokens: 0, correct: 0, sentences: 0, frames: 0, gradientNorm: 0, learningRate: 0)
                    windowStart = Date()
                }
                let validateNow = u % c.validateIntervalUpdates == 0 || u >= maxUpdate
                if validateNow {
                    let v = try validate()
                    let values = trainer.progress.lastValidation
                    try log?.append(MetricsRecord(kind: "valid", update: u, epoch: epoch, values: values))
                    report(String(format: "valid at update %d: loss %.3f nll %.3f accuracy %.3f%@%@", u, v.lossPerToken, v.nllPerToken, v.accuracy,
                                  Self.ctcText(v), evaluation.flatMap { e in values[e.metric].map { String(format: " %@ %.2f", e.metric, $0) } } ?? ""))
                    let metric = values[c.bestMetric]!
                    let improved = trainer.progress.bestMetricValue.map { c.improves(metric, on: $0) } ?? true
                    if improved {
                        trainer.progress.bestMetricValue = metric
                        trainer.progress.validationsSinceBest = 0
                    } else {
                        trainer.progress.validationsSinceBest += 1
                    }
                    if let log { _ = try SVGPlot.writeTrainingCurves(try MetricsLog.read(log.url), to: experiment.appendingPathComponent("plots")) }
                }
                if (u % c.saveIntervalUpdates == 0 || u >= maxUpdate) && trainer.communicator.isMain {
                    let dir = try TrainingCheckpoint.save(trainer, experiment: experiment, keepLast: c.keepLast,
                                                          keepBest: c.keepBest, bestMetric: c.bestMetric)
                    report("checkpoint \(dir.lastPathComponent)")
                }
                if u >= maxUpdate { break epochs }
                if let stopAfter, u >= stopAfter {
                    if u % c.saveIntervalUpdates != 0 && trainer.communicator.isMain {
                        try TrainingCheckpoint.save(trainer, experiment: experiment, keepLast: c.keepLast, keepBest: c.keepBest,
                                                    bestMetric: c.bestMetric)
                    }
                    report("stopped after update \(u) (--stop-after); continue with --resume")
                    return trainer.progress.lastValidation
                }
                if c.patience > 0 && trainer.progress.validationsSinceBest >= c.patience {
                    report("early stop: no \(c.bestMetric) improvement in \(c.patience) validations")
                    break epochs
                }
            }
            trainer.progress.epoch += 1
            trainer.progress.batchesInEpoch = 0
        }
        return trainer.progress.lastValidation
    }

    /// " ctc X" (per sentence, base 2) when the loss has a CTC term.
    static func ctcText(_ s: UpdateStats) -> String { s.ctc > 0 ? String(format: " ctc %.2f", s.ctcPerSentence) : "" }

    func accumulate(_ w: inout UpdateStats, _ s: UpdateStats) {
        w.loss += s.loss; w.nll += s.nll; w.ctc += s.ctc; w.tokens += s.tokens; w.correct += s.correct
        w.sentences += s.sentences; w.frames += s.frames; w.allReduceSeconds += s.allReduceSeconds
    }

    /// One update's batches for one rank: its plan positions and how many batches the update takes
    /// over all ranks (what the epoch's progress advances by).
    public struct UpdateShare: Equatable, Sendable {
        public var positions: [Int]
        public var batchesInUpdate: Int
    }

    /// Rank `rank`'s sentences of a batch of sample indices when batches are split over `ranks`:
    /// every `ranks`-th one from position `rank`, so that the ranks' shares have similar lengths.
    public static func sentenceShare(_ batch: [Int], rank: Int, ranks: Int) -> [Int] {
        Array(stride(from: rank, to: batch.count, by: ranks).map { batch[$0] })
    }

    /// The updates of the rest of an epoch of `batches` plan batches from position `start`: update k
    /// takes the next ranks × `updateFreq` batches, rank r the `updateFreq` of them after r ×
    /// `updateFreq` (fewer or none at the end of the epoch). With one rank this is the single-process
    /// grouping: `updateFreq` consecutive batches per update.
    public static func updateShares(batches: Int, from start: Int, updateFreq: Int, rank: Int, ranks: Int) -> [UpdateShare] {
        var shares: [UpdateShare] = []
        var first = start
        while first < batches {
            let inUpdate = min(ranks * updateFreq, batches - first)
            let lo = first + rank * updateFreq, hi = min(first + (rank + 1) * updateFreq, batches)
            shares.append(UpdateShare(positions: lo < hi ? Array(lo..<hi) : [], batchesInUpdate: inUpdate))
            first += inUpdate
        }
        return shares
    }
}
