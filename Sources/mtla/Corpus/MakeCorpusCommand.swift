import ArgumentParser
import Foundation
import MiniCorpus

/// `mtla make-corpus <corpus>`: synthesises small corpora in the published layouts of the paper's
/// corpora, for recipes and CI. One subcommand per corpus (MuST-C, AMI, SLURP, XSum).
struct MakeCorpusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make-corpus",
        abstract: "Synthesise a mini corpus (text grammar, + espeak-ng speech for the speech corpora) in a published corpus layout.",
        subcommands: [MakeMustCCommand.self, MakeAMICommand.self, MakeSLURPCommand.self, MakeXSumCommand.self])
}

/// Options every make-corpus subcommand shares.
struct MakeCorpusOptions: ParsableArguments {
    @Option(help: "Output directory (created; refused if it exists unless --overwrite).") var out: String
    @Option(help: "Seed of the text, speakers and noise (the same seed gives the same corpus).") var seed: UInt64 = 1
    @Option(help: "espeak-ng processes run at once.") var jobs = 2
    @Option(help: "espeak-ng executable (default: espeak-ng on PATH).") var espeak: String?
    @Flag(help: "Replace an existing output directory.") var overwrite = false

    func checkOutput() throws {
        if !overwrite && FileManager.default.fileExists(atPath: out) { throw CLIError.outputExists(path: out) }
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
    }
}

/// `mtla make-corpus mustc --out DIR [--utterances N] [--seed S]`.
struct MakeMustCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mustc",
        abstract: "A mini MuST-C En-De corpus: talk WAVs read by espeak-ng voices, YAML segments, .en/.de texts.",
        discussion: """
            Writes DIR/en-de/data/{train,dev,tst-COMMON}/wav/<talk>.wav (16 kHz, 16-bit mono) and
            DIR/en-de/data/<split>/txt/<split>.{yaml,en,de} as MuST-C v1 does, plus DIR/make-corpus.json
            (seed, speakers). Sentences come from an English/German grammar (one abstract structure per
            pair); no dev or test sentence occurs in training, and half of the test talks are read by voices
            never used in training. Default: 3000 train, 200 dev, 1000 tst-COMMON segments;
            --utterances N sets the training segments and scales dev (N/15) and test (N/3);
            --dev-utterances and --test-utterances set those two directly.
            Needs espeak-ng (Debian package espeak-ng).
            """)

    @OptionGroup var common: MakeCorpusOptions
    @Option(help: "Training segments (dev and tst-COMMON scale with it).") var utterances: Int?
    @Option(help: "Dev segments (default: 200, or --utterances / 15).") var devUtterances: Int?
    @Option(help: "tst-COMMON segments (default: 1000, or --utterances / 3).") var testUtterances: Int?

    func run() throws {
        try common.checkOutput()
        var sizes: MustCSizes
        if let n = utterances {
            guard n >= 4 else { throw ValidationError("--utterances must be at least 4") }
            sizes = .scaled(trainUtterances: n)
        } else {
            sizes = .standard
        }
        for (name, value) in [("--dev-utterances", devUtterances), ("--test-utterances", testUtterances)] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1") }
        }
        sizes.dev = devUtterances ?? sizes.dev
        sizes.test = testUtterances ?? sizes.test
        let synthesizer = try EspeakSynthesizer(executable: common.espeak)
        let start = Date()
        let plan = CorpusPlan(sizes: sizes, seed: common.seed)
        Console.info("make-corpus mustc: \(sizes.train) train, \(sizes.dev) dev, \(sizes.test) tst-COMMON segments in "
            + "\(plan.splits.map { "\($0.talks.count)" }.joined(separator: "/")) talks (seed \(common.seed), \(common.jobs) espeak-ng jobs)")
        let bar = ProgressReporter(label: "make-corpus mustc", total: plan.segmentCount, unit: "sent")
        let summaries = try MustCWriter.write(plan, to: URL(fileURLWithPath: common.out), synthesizer: synthesizer,
                                              jobs: common.jobs, overwrite: common.overwrite) { done, _ in bar.update(done) }
        for s in summaries {
            Console.info("\(s.name): \(s.talks) talks, \(s.segments) segments, "
                + String(format: "%.1f min audio (%.1f min speech)", s.audioSeconds / 60, s.speechSeconds / 60))
        }
        Console.info("wrote \(common.out) in " + String(format: "%.1f s", Date().timeIntervalSince(start)))
    }
}
