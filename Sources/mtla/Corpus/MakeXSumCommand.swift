import ArgumentParser
import Foundation
import MiniCorpus

/// `mtla make-corpus xsum --out DIR [--documents N] [--seed S]`.
struct MakeXSumCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xsum",
        abstract: "A mini XSum corpus: short news stories with one-sentence abstractive summaries, JSONL as HF exports it.",
        discussion: """
            Writes DIR/{train,validation,test}.jsonl (one object per line: document with one sentence
            per line, summary, id — a string of 8 digits) as the Hugging Face xsum dataset's to_json
            leaves them, plus DIR/make-corpus.json (seed, sizes). A document is a story of 4–8 sentences:
            a lead (who did what, when), a sentence naming the town, one giving the cause, and
            consequences, quotes and unrelated sentences from the MuST-C grammar, in a random order after
            the lead. The summary "<who> has <done> <what> in <town> after <cause>" paraphrases the verb
            and the cause and takes who/what, the town and the cause from three different sentences; it
            is never a substring of its document. No document occurs twice in the corpus. Default:
            10,000 train, 500 validation, 1,000 test documents; --documents N sets train and scales
            validation (N/20, at least 10) and test (N/10, at least 20). No external tools needed.
            """)

    @Option(help: "Output directory (created; refused if it exists unless --overwrite).") var out: String
    @Option(help: "Seed of the stories (the same seed gives the same corpus).") var seed: UInt64 = 1
    @Option(help: "Training documents (validation and test scale with it; default 10000).") var documents: Int?
    @Flag(help: "Replace an existing output directory.") var overwrite = false

    func run() throws {
        if !overwrite && FileManager.default.fileExists(atPath: out) { throw CLIError.outputExists(path: out) }
        var sizes = XSumSizes.standard
        if let n = documents {
            guard n >= XSumSizes.minimumTrain else { throw ValidationError("--documents must be at least \(XSumSizes.minimumTrain)") }
            sizes = .scaled(train: n)
        }
        let start = Date()
        let plan = XSumPlan(sizes: sizes, seed: seed)
        let summaries = try XSumWriter.write(plan, to: URL(fileURLWithPath: out), overwrite: overwrite)
        for s in summaries {
            Console.info("\(s.name): \(s.documents) documents, "
                + String(format: "%.1f words per document, %.1f per summary", Double(s.documentWords) / Double(max(1, s.documents)),
                         Double(s.summaryWords) / Double(max(1, s.documents))))
        }
        Console.info("wrote \(out) in " + String(format: "%.1f s", Date().timeIntervalSince(start)) + " (seed \(seed))")
    }
}
