import ArgumentParser
import Foundation
import MiniCorpus

/// `mtla make-corpus slurp --out DIR [--utterances N] [--seed S]`.
struct MakeSLURPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurp",
        abstract: "A mini SLURP corpus: spoken commands with intents and entities, JSONL + FLAC in SLURP's layout.",
        discussion: """
            Writes DIR/dataset/slurp/{train,devel,test}.jsonl (one sentence per line: slurp_id, sentence,
            sentence_annotation with entities as [type : filler], intent = scenario_action, action,
            scenario, tokens, recordings, entities with token spans) and DIR/audio/slurp_real/audio-<n>.flac
            (16 kHz mono FLAC) for every recording, plus DIR/make-corpus.json (seed, speakers, the speaker
            of each recording). Sentences come from paraphrase templates of 55 real SLURP intents over
            18 scenarios with slot fillers; each is read 1–3 times by different speakers, no sentence
            occurs in two splits, devel and test hold entities never used in training, and half of the
            test speakers have voices never used in training. Sizes are recordings: default 20000 train,
            1000 devel, 1000 test; --utterances N sets train and scales devel (N/10) and test (N/6).
            Needs espeak-ng.
            """)

    @OptionGroup var common: MakeCorpusOptions
    @Option(help: "Training recordings (devel and test scale with it; default 20000).") var utterances: Int?

    func run() throws {
        try common.checkOutput()
        var sizes = SLURPSizes.standard
        if let n = utterances {
            guard n >= 10 else { throw ValidationError("--utterances must be at least 10") }
            sizes = .scaled(trainRecordings: n)
        }
        let synthesizer = try EspeakSynthesizer(executable: common.espeak)
        let start = Date()
        let plan = SLURPPlan(sizes: sizes, seed: common.seed)
        Console.info("make-corpus slurp: \(sizes.train) train, \(sizes.devel) devel, \(sizes.test) test recordings of "
            + "\(plan.splits.map { "\($0.examples.count)" }.joined(separator: "/")) sentences (seed \(common.seed), \(common.jobs) espeak-ng jobs)")
        let bar = ProgressReporter(label: "make-corpus slurp", total: plan.recordingCount, unit: "rec")
        let summaries = try SLURPWriter.write(plan, to: URL(fileURLWithPath: common.out), synthesizer: synthesizer, jobs: common.jobs,
                                              overwrite: common.overwrite) { done, _ in bar.update(done) }
        for s in summaries {
            Console.info("\(s.name): \(s.sentences) sentences, \(s.recordings) recordings, " + String(format: "%.1f min speech", s.speechSeconds / 60))
        }
        Console.info("wrote \(common.out) in " + String(format: "%.1f s", Date().timeIntervalSince(start)))
    }
}
