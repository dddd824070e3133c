import Corpus
import FeatureStore
import Fbank
import Foundation
import NN
import SeededRandom
import Testing
import Training
import _TestSupport

/// SpecAugment's "lb" policy (F 27, T 100) would mask whole toy utterances (8 channels, 30–50
/// frames); the resume test keeps it on to check its per-sample seeding, the learning test off.
func toyConfig(_ dir: URL, maxUpdate: Int, attention: String = "MTLA", specAugment: Bool = true,
               valid: String = "dev.tsv", interval: Int = 4) throws -> ExperimentConfig {
    try ExperimentConfig.parse(ToyCorpus.experimentYAML(root: dir.path, maxUpdate: maxUpdate, attention: attention,
                                                        specAugment: specAugment, valid: valid, interval: interval))
}

@Suite struct TrainingRunTests {
    /// A run writes its config, metrics, plots and checkpoints, and learns the toy task (validated on
    /// its training set: the question is whether the loop fits the data, not whether 18 examples generalise).
    @Test func runTrainsAndWritesTheExperiment() throws {
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ToyCorpus.write(to: dir)
        let exp = dir.appendingPathComponent("exp")
        var lines: [String] = []
        let run = try TrainingRun(config: try toyConfig(dir, maxUpdate: 120, specAugment: false, valid: "train.tsv", interval: 20), experiment: exp,
                                  resume: false) { lines.append($0) }
        let first = try run.validate()
        let last = try run.run()
        #expect(last["loss"]! < 0.75 * first.lossPerToken && last["accuracy"]! > first.accuracy + 0.2, "accuracy \(first.accuracy) → \(last["accuracy"]!)\n\(lines.joined(separator: "\n"))")
        for name in ["config.yaml", "metrics.jsonl", "plots/loss.svg", "plots/accuracy.svg", "checkpoint_last.json"] {
            #expect(FileManager.default.fileExists(atPath: exp.appendingPathComponent(name).path), "\(name)")
        }
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: exp.appendingPathComponent("checkpoints").path).sorted()
        #expect(checkpoints.count <= 3 && checkpoints.contains("checkpoint_u00000120"))   // keep_last 2 + keep_best 1
        let records = try MetricsLog.read(exp.appendingPathComponent("metrics.jsonl"))
        #expect(records.filter { $0.kind == "valid" }.map(\.update) == [20, 40, 60, 80, 100, 120])
        #expect(lines.contains { $0.contains("valid at update 120") })
        // A second run into the same directory without --resume is refused.
        #expect(throws: TrainingError.self) {
            try TrainingRun(config: try toyConfig(dir, maxUpdate: 120, specAugment: false, valid: "train.tsv", interval: 20), experiment: exp, resume: false)
        }
    }

    /// Stopping after 6 updates (mid-epoch, between checkpoints) and resuming gives the same final
    /// weights, bit for bit, and the same metrics as one uninterrupted run (dropout and SpecAugment on);
    /// the resumed run may raise `max_update` (train longer, as fairseq allows), not change the model.
    @Test func resumedRunIsBitIdentical() throws {
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ToyCorpus.write(to: dir)
        let straight = dir.appendingPathComponent("straight"), resumed = dir.appendingPathComponent("resumed")
        try TrainingRun(config: try toyConfig(dir, maxUpdate: 10), experiment: straight, resume: false).run()
        try TrainingRun(config: try toyConfig(dir, maxUpdate: 8), experiment: resumed, resume: false).run(stopAfter: 6)
        #expect(throws: TrainingError.self) {   // a changed model cannot resume
            try TrainingRun(config: try toyConfig(dir, maxUpdate: 10, attention: "MHA"), experiment: resumed, resume: true)
        }
        var messages: [String] = []
        try TrainingRun(config: try toyConfig(dir, maxUpdate: 10), experiment: resumed, resume: true) { messages.append($0) }.run()
        #expect(messages.contains { $0.contains("max_update 10,") && $0.contains("(were 1, 1, 8, 0)") }, "\(messages)")
        let a = try SafeTensors.read(straight.appendingPathComponent("checkpoints/checkpoint_u00000010/model.safetensors")).tensors
        let b = try SafeTensors.read(resumed.appendingPathComponent("checkpoints/checkpoint_u00000010/model.safetensors")).tensors
        #expect(a.keys.sorted() == b.keys.sorted())
        for (k, v) in a { #expect(v.scalars == b[k]!.scalars, "\(k)") }
        let ma = try MetricsLog.read(straight.appendingPathComponent("metrics.jsonl")).map { ($0.kind, $0.update, $0.values["loss"]!) }
        let mb = try MetricsLog.read(resumed.appendingPathComponent("metrics.jsonl")).map { ($0.kind, $0.update, $0.values["loss"]!) }
        #expect(ma.map(\.0) == mb.map(\.0) && ma.map(\.1) == mb.map(\.1) && ma.map(\.2) == mb.map(\.2))
    }
}

@Suite struct ValidationDecodingTests {
    /// `checkpoint.eval_metric: wer` decodes the validation set at every validation: the WER is
    /// logged, falls as the model learns the toy task, and `best_metric: wer` keeps the checkpoint with
    /// the lowest WER (lower is better, unlike accuracy).
    @Test func werIsLoggedAndRanksCheckpoints() throws {
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ToyCorpus.write(to: dir)
        let exp = dir.appendingPathComponent("exp")
        let yaml = ToyCorpus.experimentYAML(root: dir.path, maxUpdate: 300, specAugment: false, valid: "train.tsv", interval: 60)
        let config = try ExperimentConfig.parse(yaml, overrides: ["checkpoint.eval_metric=wer", "checkpoint.best_metric=wer",
                                                                  "checkpoint.keep_last=1", "generation.max_len_b=6"])
        var lines: [String] = []
        let run = try TrainingRun(config: config, experiment: exp, resume: false) { lines.append($0) }
        _ = try run.validate()
        let untrained = try #require(run.trainer.progress.lastValidation["wer"])
        let last = try run.run()
        let records = try MetricsLog.read(exp.appendingPathComponent("metrics.jsonl")).filter { $0.kind == "valid" }
        let wers = records.map { $0.values["wer"] ?? -1 }
        #expect(wers.count == 5 && wers.allSatisfy { $0 >= 0 }, "\(wers)")
        #expect(untrained > 50 && last["wer"]! < untrained && last["wer"]! < wers[0] / 2 && last["wer"]! == wers.min(),
                "WER \(untrained) → \(wers)\n\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.contains("valid at update 300") && $0.contains(" wer ") })
        // keep_last 1 + keep_best 1: the newest and the lowest-WER checkpoint (the earliest among ties) survive.
        let best = records.min { $0.values["wer"]! != $1.values["wer"]! ? $0.values["wer"]! < $1.values["wer"]! : $0.update < $1.update }!
        let kept = Set(try FileManager.default.contentsOfDirectory(atPath: exp.appendingPathComponent("checkpoints").path))
        #expect(kept == Set(["checkpoint_u00000300", String(format: "checkpoint_u%08d", best.update)]), "\(kept) vs \(wers)")
    }

    /// Ranking by BLEU or WER needs the decoding that produces them.
    @Test func bestMetricNeedsItsEvalMetric() throws {
        let yaml = ToyCorpus.experimentYAML(maxUpdate: 10)
        #expect(throws: TrainingError.self) { try ExperimentConfig.parse(yaml, overrides: ["checkpoint.best_metric=bleu"]) }
        #expect(throws: TrainingError.self) { try ExperimentConfig.parse(yaml, overrides: ["checkpoint.eval_metric=rouge"]) }
        let ok = try ExperimentConfig.parse(yaml, overrides: ["checkpoint.eval_metric=bleu", "checkpoint.best_metric=bleu"])
        #expect(ok.checkpoint.evalMetric == "bleu" && ok.checkpoint.improves(30, on: 20) && !ok.checkpoint.improves(10, on: 20))
        let wer = try ExperimentConfig.parse(yaml, overrides: ["checkpoint.eval_metric=wer", "checkpoint.best_metric=wer"])
        #expect(wer.checkpoint.improves(10, on: 20))
    }
}

@Suite struct InitFromTests {
    /// `checkpoint.init_from` with `init_prefixes: [encoder.]` starts a new run from another run's
    /// encoder (fairseq's `--load-pretrained-encoder-from`): the encoder's tensors equal the file's, the
    /// rest keeps its fresh initialisation; a file that cannot be read is refused before training.
    @Test func encoderFromAnotherRun() throws {
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ToyCorpus.write(to: dir)
        let first = try TrainingRun(config: try toyConfig(dir, maxUpdate: 8, specAugment: false), experiment: dir.appendingPathComponent("a"),
                                    resume: false)
        try first.run()
        let file = dir.appendingPathComponent("a/checkpoints/checkpoint_u00000008/model.safetensors").path
        let source = first.trainer.model.stateDict()
        var config = try toyConfig(dir, maxUpdate: 8, specAugment: false)
        config.checkpoint.initFrom = file
        config.checkpoint.initPrefixes = ["encoder."]
        var lines: [String] = []
        let second = try TrainingRun(config: config, experiment: dir.appendingPathComponent("b"), resume: false) { lines.append($0) }
        let loaded = second.trainer.model.stateDict()
        let fresh = try TrainingRun(config: try toyConfig(dir, maxUpdate: 8, specAugment: false), experiment: dir.appendingPathComponent("c"),
                                    resume: false).trainer.model.stateDict()
        let encoder = loaded.keys.filter { $0.hasPrefix("encoder.") }
        #expect(!encoder.isEmpty && encoder.allSatisfy { loaded[$0] == source[$0] })
        #expect(loaded.keys.filter { !$0.hasPrefix("encoder.") }.allSatisfy { loaded[$0] == fresh[$0] })
        #expect(encoder.contains { source[$0] != fresh[$0] }, "training changed the encoder")
        #expect(lines.contains { $0.contains("initialised \(encoder.count) tensors from") }, "\(lines)")
        config.checkpoint.initFrom = dir.appendingPathComponent("missing.safetensors").path
        #expect(throws: TrainingError.self) { try TrainingRun(config: config, experiment: dir.appendingPathComponent("d"), resume: false) }
    }

    /// MTLA from an MLA run (`init_exclude: [hypernet_down]`): every tensor but the hyper-networks
    /// comes from the MLA model, the hyper-networks keep their fresh initialisation; without the
    /// exclusion the missing hyper-network tensors are an error naming one.
    @Test func mtlaFromAnMLARun() throws {
        let dir = try TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ToyCorpus.write(to: dir)
        let mla = try TrainingRun(config: try toyConfig(dir, maxUpdate: 4, attention: "MLA", specAugment: false),
                                  experiment: dir.appendingPathComponent("mla"), resume: false)
        try mla.run()
        let source = mla.trainer.model.stateDict()
        var config = try toyConfig(dir, maxUpdate: 4, attention: "MTLA", specAugment: false)
        config.checkpoint.initFrom = dir.appendingPathComponent("mla/checkpoints/checkpoint_u00000004/model.safetensors").path
        #expect {
            try TrainingRun(config: config, experiment: dir.appendingPathComponent("strict"), resume: false)
        } throws: { "\($0)".contains("hypernet_down") }
        config.checkpoint.initExclude = ["hypernet_down"]
        let mtla = try TrainingRun(config: config, experiment: dir.appendingPathComponent("mtla"), resume: false).trainer.model.stateDict()
        let fresh = try TrainingRun(config: try toyConfig(dir, maxUpdate: 4, attention: "MTLA", specAugment: false),
                                    experiment: dir.appendingPathComponent("fresh"), resume: false).trainer.model.stateDict()
        let hyper = mtla.keys.filter { $0.contains("hypernet_down") }
        #expect(!hyper.isEmpty && hyper.allSatisfy { mtla[$0] == fresh[$0] && source[$0] == nil })
        let shared = mtla.keys.filter { !$0.contains("hypernet_down") }
        #expect(shared.count == source.count && shared.allSatisfy { mtla[$0] == source[$0] })
    }
}
