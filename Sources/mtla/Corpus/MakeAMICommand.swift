import ArgumentParser
import Foundation
import MiniCorpus

/// `mtla make-corpus ami --out DIR [--utterances N] [--seed S]`.
struct MakeAMICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ami",
        abstract: "A mini AMI IHM corpus: four-speaker meetings, one headset WAV per speaker, Kaldi data dirs.",
        discussion: """
            Writes DIR/amicorpus/<mtg>/audio/<mtg>.Headset-<n>.wav (16 kHz, 16-bit mono; each headset
            carries its speaker's turns at their meeting times) and DIR/data/{train,dev,eval}/ with
            wav.scp (plain paths), segments, text (Kaldi-normalised: upper case, no punctuation), utt2spk
            and spk2utt as the standard AMI preparation leaves them (utterance ids
            AMI_<mtg>_H0<n>_<spk>_<start·100>_<end·100>), plus DIR/make-corpus.json. English sentences
            from the same grammar as the MuST-C corpus, unique over the corpus; in every eval meeting two
            of the four speakers have voices never used in training. Default: 3000 train, 200 dev,
            1000 eval utterances. Needs espeak-ng.
            """)

    @OptionGroup var common: MakeCorpusOptions
    @Option(help: "Training utterances.") var utterances = 3000
    @Option(help: "Dev utterances.") var devUtterances = 200
    @Option(help: "Eval utterances.") var testUtterances = 1000

    func run() throws {
        try common.checkOutput()
        for (name, value) in [("--utterances", utterances), ("--dev-utterances", devUtterances), ("--test-utterances", testUtterances)] {
            guard value >= 1 else { throw ValidationError("\(name) must be at least 1") }
        }
        let synthesizer = try EspeakSynthesizer(executable: common.espeak)
        let start = Date()
        let plan = AMIPlan(train: utterances, dev: devUtterances, eval: testUtterances, seed: common.seed)
        Console.info("make-corpus ami: \(utterances) train, \(devUtterances) dev, \(testUtterances) eval utterances in "
            + "\(plan.splits.map { "\($0.meetings.count)" }.joined(separator: "/")) meetings (seed \(common.seed), \(common.jobs) espeak-ng jobs)")
        let bar = ProgressReporter(label: "make-corpus ami", total: plan.utteranceCount, unit: "utt")
        let summaries = try AMIWriter.write(plan, to: URL(fileURLWithPath: common.out), synthesizer: synthesizer, jobs: common.jobs,
                                            overwrite: common.overwrite) { done, _ in bar.update(done) }
        for s in summaries {
            Console.info("\(s.name): \(s.meetings) meetings, \(s.utterances) utterances, " + String(format: "%.1f min speech", s.speechSeconds / 60))
        }
        Console.info("wrote \(common.out) in " + String(format: "%.1f s", Date().timeIntervalSince(start)))
    }
}
