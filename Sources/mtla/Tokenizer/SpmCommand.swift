import ArgumentParser
import FeatureStore
import Foundation
import Tokenizer

/// `mtla spm`: SentencePiece training, encoding and decoding (models interchangeable with the
/// Python package and `spm_train`/`spm_encode`/`spm_decode`).
struct SpmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spm",
        abstract: "Train SentencePiece models, encode and decode text.",
        subcommands: [SpmTrainCommand.self, SpmEncodeCommand.self, SpmDecodeCommand.self])
}

extension SentencePieceTrainer.ModelType: ExpressibleByArgument {}

struct SpmTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model: writes PREFIX.model and PREFIX.vocab (and PREFIX.txt with --fairseq).",
        discussion: """
            Options are SentencePiece's trainer flags with dashes (--vocab-size is vocab_size) and
            SentencePiece's defaults. --fairseq applies fairseq's gen_vocab settings (ids <s> 0,
            <pad> 1, </s> 2, <unk> 3, character coverage 1.0 unless given) and also writes the
            fairseq dictionary PREFIX.txt ("piece 1" lines). BPE models equal those of Python's
            sentencepiece 0.2.3; unigram models differ slightly (the library here is 0.1.97).
            """)

    @Option(help: "Training text, one sentence per line.") var input: String
    @Option(help: "Output prefix: PREFIX.model, PREFIX.vocab.") var modelPrefix: String
    @Option(help: "vocab_size.") var vocabSize: Int = 8000
    @Option(help: "model_type: unigram, bpe, char or word.") var modelType: SentencePieceTrainer.ModelType = .unigram
    @Option(help: "character_coverage (default 0.9995, 1.0 with --fairseq).") var characterCoverage: Double?
    @Option(help: "input_sentence_size: sentences sampled from the input (0: all).") var inputSentenceSize: Int = 0
    @Option(help: "shuffle_input_sentence (true|false).") var shuffleInputSentence: KaldiBool = KaldiBool(true)
    @Option(help: "seed_sentencepiece_size.") var seedSentencepieceSize: Int = 1_000_000
    @Option(help: "max_sentence_length (bytes).") var maxSentenceLength: Int = 4192
    @Option(help: "max_sentencepiece_length.") var maxSentencepieceLength: Int = 16
    @Option(help: "num_threads.") var numThreads: Int = 16
    @Option(help: "user_defined_symbols, comma-separated.") var userDefinedSymbols: String?
    @Option(help: "control_symbols, comma-separated.") var controlSymbols: String?
    @Option(help: "unk_id (default 0; 3 with --fairseq).") var unkId: Int?
    @Option(help: "bos_id (default 1; 0 with --fairseq; -1: none).") var bosId: Int?
    @Option(help: "eos_id (default 2).") var eosId: Int?
    @Option(help: "pad_id (default -1; 1 with --fairseq).") var padId: Int?
    @Option(help: "split_digits (true|false).") var splitDigits: KaldiBool = KaldiBool(false)
    @Option(help: "byte_fallback (true|false).") var byteFallback: KaldiBool = KaldiBool(false)
    @Option(help: "normalization_rule_name.") var normalizationRuleName: String = "nmt_nfkc"
    @Flag(help: "fairseq's gen_vocab settings, and write PREFIX.txt.") var fairseq = false
    @Flag(help: "Replace existing outputs.") var overwrite = false

    func options() -> SentencePieceTrainer.Options {
        var o = fairseq ? SentencePieceTrainer.Options.fairseq(modelType: modelType, vocabSize: vocabSize)
                        : SentencePieceTrainer.Options()
        o.modelType = modelType
        o.vocabSize = vocabSize
        if let characterCoverage { o.characterCoverage = characterCoverage }
        o.inputSentenceSize = inputSentenceSize
        o.shuffleInputSentence = shuffleInputSentence.value
        o.seedSentencepieceSize = seedSentencepieceSize
        o.maxSentenceLength = maxSentenceLength
        o.maxSentencepieceLength = maxSentencepieceLength
        o.numThreads = numThreads
        if let userDefinedSymbols { o.userDefinedSymbols = userDefinedSymbols.split(separator: ",").map(String.init) }
        if let controlSymbols { o.controlSymbols = controlSymbols.split(separator: ",").map(String.init) }
        if let unkId { o.unkId = unkId }
        if let bosId { o.bosId = bosId }
        if let eosId { o.eosId = eosId }
        if let padId { o.padId = padId }
        o.splitDigits = splitDigits.value
        o.byteFallback = byteFallback.value
        o.normalizationRuleName = normalizationRuleName
        return o
    }

    func run() throws {
        let dictPath = modelPrefix + ".txt"
        if fairseq && !overwrite && FileManager.default.fileExists(atPath: dictPath) {
            throw CLIError.outputExists(path: dictPath)
        }
        let started = Date()
        let model = try SentencePieceTrainer.train(options(), input: .file(URL(fileURLWithPath: input)),
                                                   modelPrefix: modelPrefix, overwrite: overwrite)
        var written = "\(modelPrefix).model, \(modelPrefix).vocab"
        if fairseq {
            let dict = try FairseqDictionary(sentencePieceModel: model)
            try dict.write(to: URL(fileURLWithPath: dictPath), overwrite: overwrite)
            written += ", \(dictPath)"
        }
        Console.info(String(format: "%@ %d pieces in %.1f s -> %@", modelType.rawValue, model.vocabularySize,
                            Date().timeIntervalSince(started), written))
    }
}

/// Text in and out of the encode/decode commands: a file or standard input, standard output or a
/// file written atomically.
struct TextIOOptions: ParsableArguments {
    @Option(help: "Input text (default: standard input).") var input: String?
    @Option(name: .shortAndLong, help: "Output file (default: standard output).") var output: String?
    @Flag(help: "Replace an existing output.") var overwrite = false

    var inputName: String { input ?? "<stdin>" }

    /// The input's lines (split at `\n`, as spm_encode reads them); invalid UTF-8 is an error naming the line.
    func lines() throws -> [String] {
        let data: Data
        if let input {
            guard let d = FileManager.default.contents(atPath: input) else {
                throw TokenizerError.cannotRead(file: input, reason: "no such file or not readable")
            }
            data = d
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        var parts = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if parts.last?.isEmpty == true { parts.removeLast() }
        return try parts.enumerated().map { i, bytes in
            guard let s = String(data: Data(bytes), encoding: .utf8) else {
                throw CLIError.badInputLine(path: inputName, line: i + 1, reason: "not valid UTF-8")
            }
            return s
        }
    }

    func checkOutput() throws {
        if let output, !overwrite, FileManager.default.fileExists(atPath: output) { throw CLIError.outputExists(path: output) }
    }

    func write(_ text: String) throws {
        if let output {
            try AtomicFile.write(Array(text.utf8), to: output)
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}

enum SpmTextFormat: String, CaseIterable, ExpressibleByArgument {
    case id, piece
}

struct SpmEncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode text, one sentence per line, to pieces or ids separated by spaces (as spm_encode).")

    @Option(help: "SentencePiece model (.model).") var model: String
    @Option(help: "id or piece.") var outputFormat: SpmTextFormat = .piece
    @Flag(help: "Add the model's <s> id (ids only).") var addBos = false
    @Flag(help: "Add the model's </s> id (ids only).") var addEos = false
    @OptionGroup var io: TextIOOptions

    func run() throws {
        try io.checkOutput()
        let m = try SentencePieceModel(contentsOf: URL(fileURLWithPath: model))
        var out = ""
        for (i, line) in try io.lines().enumerated() {
            do {
                switch outputFormat {
                case .id:
                    out += try m.encode(line, addBOS: addBos, addEOS: addEos).map(String.init).joined(separator: " ")
                case .piece:
                    var pieces = try m.encodeAsPieces(line)
                    if addBos, let b = m.bosID, let p = m.piece(forID: b) { pieces.insert(p, at: 0) }
                    if addEos, let e = m.eosID, let p = m.piece(forID: e) { pieces.append(p) }
                    out += pieces.joined(separator: " ")
                }
            } catch let e as TokenizerError {
                throw CLIError.badInputLine(path: io.inputName, line: i + 1, reason: e.description)
            }
            out += "\n"
        }
        try io.write(out)
    }
}

struct SpmDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode lines of space-separated ids or pieces to text (as spm_decode).")

    @Option(help: "SentencePiece model (.model).") var model: String
    @Option(help: "id or piece.") var inputFormat: SpmTextFormat = .piece
    @OptionGroup var io: TextIOOptions

    func run() throws {
        try io.checkOutput()
        let m = try SentencePieceModel(contentsOf: URL(fileURLWithPath: model))
        var out = ""
        for (i, line) in try io.lines().enumerated() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            do {
                switch inputFormat {
                case .id:
                    let ids = try fields.map { f -> Int32 in
                        guard let v = Int32(f), v >= 0, Int(v) < m.vocabularySize else {
                            throw CLIError.badInputLine(path: io.inputName, line: i + 1,
                                                        reason: "\"\(f)\" is not an id in 0..<\(m.vocabularySize)")
                        }
                        return v
                    }
                    out += try m.decode(ids: ids)
                case .piece:
                    out += try m.decode(pieces: fields)
                }
            } catch let e as TokenizerError {
                throw CLIError.badInputLine(path: io.inputName, line: i + 1, reason: e.description)
            }
            out += "\n"
        }
        try io.write(out)
    }
}
