import Foundation
import Testing
import Training
import _TestSupport

/// Every task mode trains through `TrainingRun` (what `mtla train` runs) with every attention variant
/// on a toy corpus: ASR (CTC on the target), ST (CTC on a `src_text` column), SLU (intent token first,
/// weighted, CTC without it) and summarisation (text encoder over `.src`/`.tgt` files). Each run must
/// lower its validation loss (on its training set) by a quarter within 60 updates, log the CTC loss
/// exactly when the task has one, and leave a checkpoint that the experiment names.
@Suite struct TaskMatrixTests {
    enum Mode: String, CaseIterable { case asr, st, slu, summarization }

    /// Writes the toy corpus for `mode` into `dir` and returns the config overrides for it.
    static func prepare(_ mode: Mode, in dir: URL) throws -> [String] {
        try ToyCorpus.write(to: dir)
        let train = dir.appendingPathComponent("train.tsv")
        var rows = try String(contentsOf: train, encoding: .utf8).split(separator: "\n").map(String.init)
        switch mode {
        case .asr:
            return ["model.ctc_weight=0.3", "criterion.ctc_weight=0.3"]
        case .st:
            // The "translation" is the transcript reversed; CTC learns the transcript itself.
            rows = rows.enumerated().map { i, row in
                let cols = row.split(separator: "\t").map(String.init)
                if i == 0 { return row + "\tsrc_text" }
                let words = cols[3].split(separator: " ")
                return ([cols[0], cols[1], cols[2], words.reversed().joined(separator: " ")] + [cols[3]]).joined(separator: "\t")
            }
            try (rows.joined(separator: "\n") + "\n").write(to: train, atomically: true, encoding: .utf8)
            return ["model.ctc_weight=0.3", "criterion.ctc_weight=0.3", "data.ctc_target=src_text"]
        case .slu:
            // The intent is the first word's name, then the words (SLURP's "intent + transcript" target).
            rows = rows.enumerated().map { i, row in
                guard i > 0 else { return row }
                var cols = row.split(separator: "\t").map(String.init)
                cols[3] = "\(cols[3].split(separator: " ")[0]) \(cols[3])"
                return cols.joined(separator: "\t")
            }
            try (rows.joined(separator: "\n") + "\n").write(to: train, atomically: true, encoding: .utf8)
            return ["model.ctc_weight=0.3", "criterion.ctc_weight=0.3", "criterion.intent_weight=2.0"]
        case .summarization:
            let words = rows.dropFirst().map { $0.split(separator: "\t")[3].split(separator: " ") }
            try (words.map { $0.joined(separator: " ") }.joined(separator: "\n") + "\n")
                .write(to: dir.appendingPathComponent("pairs.src"), atomically: true, encoding: .utf8)
            try (words.map { $0.prefix(2).reversed().joined(separator: " ") }.joined(separator: "\n") + "\n")
                .write(to: dir.appendingPathComponent("pairs.tgt"), atomically: true, encoding: .utf8)
            return ["model.input_mode=text", "data.format=text", "data.train=pairs", "data.valid=pairs"]
        }
    }

    @Test(arguments: Mode.allCases, ["MHA", "GQA", "MQA", "MLA", "MTLA"])
    func trains(mode: Mode, attention: String) throws {
        let dir = try TestData.temporaryDirectory("task-\(mode.rawValue)-\(attention)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let overrides = try Self.prepare(mode, in: dir) + ["task=\(mode.rawValue)", "checkpoint.keep_last=1"]
        let yaml = ToyCorpus.experimentYAML(root: dir.path, maxUpdate: 60, attention: attention, specAugment: false,
                                            valid: "train.tsv", interval: 30)
        let config = try ExperimentConfig.parse(yaml, overrides: overrides)
        let exp = dir.appendingPathComponent("exp")
        var lines: [String] = []
        let run = try TrainingRun(config: config, experiment: exp, resume: false) { lines.append($0) }
        let first = try run.validate()
        let last = try run.run()
        let log = lines.joined(separator: "\n")
        #expect(last["loss"]! < 0.75 * first.lossPerToken, "\(mode) \(attention): loss \(first.lossPerToken) → \(last["loss"]!)\n\(log)")
        #expect((last["ctc_loss"] != nil) == (mode != .summarization), "\(last)")
        #expect(FileManager.default.fileExists(atPath: exp.appendingPathComponent("checkpoints/checkpoint_u00000060/model.safetensors").path))
        #expect(try ExperimentConfig.load(exp.appendingPathComponent("config.yaml")).model.decoderAttType == attention)
    }
}
