import ArgumentParser
import Foundation
import Tokenizer

/// `mtla vocab`: a fairseq dictionary (dict.txt) from a SentencePiece model or from words.
struct VocabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab",
        abstract: "Write a fairseq dictionary (dict.txt) for a SentencePiece model or the words of a text.",
        discussion: """
            With --spm: the model's pieces less <s>, <pad>, </s>, <unk>, in id order, count 1 — what
            fairseq's gen_vocab writes, so a piece's SentencePiece id is its dictionary index (the
            model needs <s> 0, <pad> 1, </s> 2, <unk> 3). With --input as well, prints how much of the
            text the dictionary covers.
            With --words: the white-space words of --input (e.g. SLURP's "intent word word …" lines)
            counted and sorted as fairseq-preprocess does (count descending, then symbol; words seen
            fewer than --min-count times dropped; size padded to --padding-factor with madeupwordNNNN).
            """)

    @Option(help: "Text, one sentence per line.") var input: String?
    @Option(help: "SentencePiece model: write its fairseq dictionary.") var spm: String?
    @Flag(help: "Build a word dictionary from --input.") var words = false
    @Flag(help: "Lines start with an utterance id (Kaldi text), which is skipped.") var kaldiText = false
    @Option(help: "Minimum count of a word (fairseq --thresholdtgt).") var minCount: Int = 0
    @Option(help: "At most this many symbols, special ones included (-1: all; fairseq --nwordstgt).") var nwords: Int = -1
    @Option(help: "Pad the size to a multiple of this (fairseq --padding-factor).") var paddingFactor: Int = 8
    @Option(help: "Output dict.txt.") var out: String
    @Flag(help: "Replace an existing output.") var overwrite = false

    func validate() throws {
        if (spm == nil) == !words { throw ValidationError("give exactly one of --spm MODEL or --words") }
        if words && input == nil { throw ValidationError("--words needs --input") }
        if paddingFactor < 1 { throw ValidationError("--padding-factor must be at least 1") }
    }

    func textLines() throws -> [String]? {
        guard let input else { return nil }
        guard let data = FileManager.default.contents(atPath: input) else {
            throw TokenizerError.cannotRead(file: input, reason: "no such file or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TokenizerError.cannotRead(file: input, reason: "not valid UTF-8")
        }
        let lines = PythonText.lines(text)
        if !kaldiText { return lines }
        return lines.map { line in
            var tokens = PythonText.tokenizeLine(line)
            if !tokens.isEmpty { tokens.removeFirst() }
            return tokens.joined(separator: " ")
        }
    }

    func run() throws {
        if !overwrite && FileManager.default.fileExists(atPath: out) { throw CLIError.outputExists(path: out) }
        let lines = try textLines()
        let dict: FairseqDictionary
        if let spm {
            let model = try SentencePieceModel(contentsOf: URL(fileURLWithPath: spm))
            dict = try FairseqDictionary(sentencePieceModel: model)
            if let lines {
                var tokens = 0, unknown = 0
                for line in lines {
                    let e = dict.encode(tokens: try model.encodeAsPieces(line), appendEOS: false)
                    tokens += e.tokenCount; unknown += e.unknownCount
                }
                Console.info(String(format: "%@: %d lines, %d pieces, %d <unk> (%.3f%%)", input ?? "", lines.count, tokens,
                                    unknown, tokens == 0 ? 0 : 100 * Double(unknown) / Double(tokens)))
            }
        } else {
            dict = FairseqDictionary.build(lines: lines ?? [], options: .init(threshold: minCount, nwords: nwords,
                                                                              paddingFactor: paddingFactor))
        }
        try dict.write(to: URL(fileURLWithPath: out), overwrite: overwrite)
        Console.info("\(dict.count - dict.specialCount) symbols (+\(dict.specialCount) special) -> \(out)")
    }
}
