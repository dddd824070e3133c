import ArgumentParser
import Foundation
import Scoring

/// The metrics of `mtla score`.
enum ScoreMetric: String, ExpressibleByArgument, CaseIterable {
    case bleu, chrf, ter, wer, cer, acc, intent, slurp, rouge
}

/// `--report` forms of `wer`/`cer`.
enum WERReport: String, ExpressibleByArgument, CaseIterable { case jiwer, kaldi, sum, pralign }

/// How utterance ids are given in `wer`/`cer` inputs.
enum UtteranceIds: String, ExpressibleByArgument, CaseIterable { case none, text, trn }

/// `mtla score`: every number is the one the reference tool prints (sacreBLEU 2.6.0, jiwer 4.0,
/// the official SLURP evaluator, rouge-score 0.1.2).
struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Score hypotheses: BLEU, chrF, TER (sacreBLEU), WER/CER (jiwer), accuracy, SLURP, ROUGE.",
        discussion: """
        Files are read as UTF-8 lines; '-' reads stdin. The sacreBLEU metrics strip trailing whitespace \
        from each line as sacreBLEU's command line does.
        Examples:
          mtla score bleu --hyp hyp.txt --ref ref.txt
          mtla score bleu --hyp base.txt --hyp new.txt --ref ref.txt --paired-bs
          mtla score wer --hyp hyp.trn --ref ref.trn --ids trn --report pralign
          mtla score slurp --hyp predictions.jsonl --ref test.jsonl
          mtla score rouge --hyp sum.txt --ref gold.txt --mtla-preset
        """)

    @Argument(help: "Metric: \(ScoreMetric.allCases.map(\.rawValue).joined(separator: ", ")).")
    var metric: ScoreMetric

    @Option(name: .long, help: "Hypothesis file ('-' = stdin). Give two with --paired-bs (baseline first).")
    var hyp: [String] = []

    @Option(name: .long, help: "Reference file; repeat for several references (BLEU, chrF, TER).")
    var ref: [String] = []

    @Flag(name: .long, help: "Print one JSON object.")
    var json = false

    // sacreBLEU options
    @Option(name: .long, help: "BLEU tokenizer: 13a, intl, none, char, zh.")
    var tokenize: String = "13a"
    @Flag(name: .long, help: "Lower-case before scoring (BLEU, chrF, WER/CER).")
    var lowercase = false
    @Option(name: .long, help: "BLEU smoothing: exp, floor, add-k, none.")
    var smoothMethod: String = "exp"
    @Option(name: .long, help: "BLEU smoothing value (floor: 0.1, add-k: 1 by default).")
    var smoothValue: Double?
    @Flag(name: .long, help: "Sentence-level BLEU/chrF per line (BLEU with effective order).")
    var sentence = false
    @Option(name: .long, help: "chrF character n-gram order.")
    var charOrder: Int = 6
    @Option(name: .long, help: "chrF word n-gram order (2 = chrF++).")
    var wordOrder: Int = 0
    @Option(name: .long, help: "chrF beta.")
    var beta: Int = 2
    @Flag(name: .long, help: "TER: case-sensitive.")
    var caseSensitive = false
    @Flag(name: .long, help: "TER: tercom western normalisation.")
    var terNormalized = false
    @Flag(name: .long, help: "TER: remove punctuation.")
    var noPunct = false
    @Option(name: .long, help: "Decimals of the text output (sacreBLEU's -w).")
    var width: Int = 1
    @Flag(name: .long, help: "Paired bootstrap resampling between two --hyp files (bleu, chrf, wer, cer).")
    var pairedBs = false
    @Option(name: .long, help: "Bootstrap samples.")
    var bootstrapSamples: Int = 1000
    @Option(name: .long, help: "Bootstrap seed (sacreBLEU's SACREBLEU_SEED; default 12345).")
    var seed: UInt32 = 12345

    // WER options
    @Option(name: .long, help: "WER/CER: threads scoring line pairs in parallel (results do not depend on it).")
    var threads: Int = 1

    @Option(name: .long, help: "WER/CER output: jiwer (the rate), kaldi, sum, pralign.")
    var report: WERReport = .jiwer
    @Option(name: .long, help: "Utterance ids in the inputs: none, text ('id words…'), trn ('words… (id)').")
    var ids: UtteranceIds = .none
    @Flag(name: .long, help: "WER/CER: remove punctuation (Unicode P*) first.")
    var removePunctuation = false
    @Flag(name: .long, help: "WER/CER: score empty references as jiwer does instead of failing.")
    var allowEmptyRefs = false

    // ROUGE / SLURP
    @Flag(name: .long, help: "ROUGE: Porter stemmer.")
    var stem = false
    @Flag(name: .long, help: "ROUGE: the MTLA convention (stemmer, scores ×100).")
    var mtlaPreset = false
    @Option(name: .long, help: "SLURP: micro or macro averaging.")
    var average: String = "micro"
    @Flag(name: .long, help: "SLURP: fail on a prediction for an unknown recording (the evaluator ignores it).")
    var strict = false
    @Flag(name: .long, help: "SLURP: inputs are 'scenario_action words…' text lines (intent metrics only).")
    var text = false

    func validate() throws {
        if hyp.isEmpty { throw ValidationError("give --hyp") }
        if ref.isEmpty { throw ValidationError("give --ref") }
        if pairedBs && hyp.count != 2 { throw ValidationError("--paired-bs needs exactly two --hyp (baseline first)") }
        if !pairedBs && hyp.count != 1 { throw ValidationError("give one --hyp (two only with --paired-bs)") }
        let multiRef: [ScoreMetric] = [.bleu, .chrf, .ter]
        if ref.count > 1 && !multiRef.contains(metric) { throw ValidationError("several --ref only for bleu, chrf, ter") }
        if average != "micro" && average != "macro" { throw ValidationError("--average is micro or macro") }
        if (hyp + ref).filter({ $0 == "-" }).count > 1 { throw ValidationError("only one input can be '-' (standard input)") }
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        let out: String
        switch metric {
        case .bleu, .chrf, .ter: out = try runSacreBLEU()
        case .wer, .cer: out = try runErrorRate()
        case .acc, .intent: out = try runAccuracy()
        case .rouge: out = try runROUGE()
        case .slurp: out = try runSLURP()
        }
        print(out, terminator: out.hasSuffix("\n") ? "" : "\n")
    }

    /// Reads hypothesis and reference lines and checks that they pair up.
    func pairedLines(rstrip: Bool) throws -> (hyps: [[String]], refs: [[String]]) {
        func read(_ p: String) throws -> [String] { rstrip ? try ScoreInput.rstrippedLines(p) : try ScoreInput.lines(p) }
        let refs = try ref.map { try read($0) }
        let hyps = try hyp.map { try read($0) }
        for (k, h) in hyps.enumerated() {
            for (j, r) in refs.enumerated() {
                try TextLines.checkPaired(hypotheses: h, hypothesisName: hyp[k], references: r, referenceName: ref[j])
            }
        }
        return (hyps, refs)
    }
}
