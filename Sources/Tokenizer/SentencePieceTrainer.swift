import CSentencePiece
import Foundation

/// Trains SentencePiece models with libsentencepiece_train (0.1.97 on Debian 12).
///
/// BPE training reproduces the models of Python's sentencepiece 0.2.3 exactly (same pieces and
/// scores); unigram training does not (the unigram trainer changed in 0.2.x), and the embedded
/// `nmt_nfkc` normalisation table differs between the two versions. Training is deterministic:
/// 0.1.97 has no seed option, and its sampling (`input_sentence_size`) and shuffling of the input
/// give the same model whatever the library's random seed.
public enum SentencePieceTrainer {
    /// `--model_type`.
    public enum ModelType: String, Sendable, CaseIterable, Codable {
        case unigram, bpe, char, word
    }

    /// Where the training sentences come from.
    public enum Input: Sendable {
        /// One sentence per line (SentencePiece reads the file itself).
        case file(URL)
        /// Sentences in memory.
        case sentences([String])
    }

    /// The trainer options, named as SentencePiece's flags (`vocab_size` → `vocabSize`), with
    /// SentencePiece's defaults. Options not listed keep the library's defaults.
    public struct Options: Sendable, Equatable, Codable {
        public var modelType: ModelType = .unigram
        public var vocabSize = 8000
        public var characterCoverage: Double = 0.9995
        /// Sentences sampled from the input (0: all).
        public var inputSentenceSize = 0
        public var shuffleInputSentence = true
        public var seedSentencepieceSize = 1_000_000
        public var maxSentenceLength = 4192
        public var maxSentencepieceLength = 16
        public var numThreads = 16
        public var splitDigits = false
        public var byteFallback = false
        public var hardVocabLimit = true
        public var userDefinedSymbols: [String] = []
        public var controlSymbols: [String] = []
        public var unkId = 0
        public var bosId = 1
        public var eosId = 2
        public var padId = -1
        /// `--normalization_rule_name` (`nmt_nfkc`, `nfkc`, `nmt_nfkc_cf`, `nfkc_cf`, `identity`).
        public var normalizationRuleName = "nmt_nfkc"

        public init() {}

        /// The options fairseq's `gen_vocab` (speech_to_text/data_utils.py) passes: character
        /// coverage 1.0, `<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3.
        public static func fairseq(modelType: ModelType, vocabSize: Int, userDefinedSymbols: [String] = [],
                                   numThreads: Int = 1) -> Options {
            var o = Options()
            o.modelType = modelType
            o.vocabSize = vocabSize
            o.characterCoverage = 1.0
            o.unkId = 3; o.bosId = 0; o.eosId = 2; o.padId = 1
            o.userDefinedSymbols = userDefinedSymbols
            o.numThreads = numThreads
            return o
        }

        /// The options a model was trained with (its trainer spec).
        public init(trainerSpec s: SentencePieceModelProto.TrainerSpec) {
            modelType = s.modelType
            vocabSize = s.vocabSize
            characterCoverage = Double(s.characterCoverage)
            inputSentenceSize = Int(s.inputSentenceSize)
            shuffleInputSentence = s.shuffleInputSentence
            seedSentencepieceSize = s.seedSentencepieceSize
            maxSentenceLength = s.maxSentenceLength
            maxSentencepieceLength = s.maxSentencepieceLength
            numThreads = s.numThreads
            splitDigits = s.splitDigits
            byteFallback = s.byteFallback
            hardVocabLimit = s.hardVocabLimit
            userDefinedSymbols = s.userDefinedSymbols
            controlSymbols = s.controlSymbols
            unkId = s.unkId; bosId = s.bosId; eosId = s.eosId; padId = s.padId
        }

        /// The options a model was trained with: its trainer spec and normaliser name.
        public init(modelProto p: SentencePieceModelProto) {
            self.init(trainerSpec: p.trainerSpec)
            if !p.normalizerName.isEmpty { normalizationRuleName = p.normalizerName }
        }

        /// Checks values the library would reject late or not at all.
        public func validate() throws {
            guard vocabSize > 0 else { throw TokenizerError.invalidOption(name: "vocab_size", reason: "\(vocabSize) must be positive") }
            guard characterCoverage > 0 && characterCoverage <= 1 else {
                throw TokenizerError.invalidOption(name: "character_coverage", reason: "\(characterCoverage) must be in (0, 1]")
            }
            guard inputSentenceSize >= 0 else { throw TokenizerError.invalidOption(name: "input_sentence_size", reason: "must be >= 0") }
            guard numThreads > 0 else { throw TokenizerError.invalidOption(name: "num_threads", reason: "must be positive") }
            guard maxSentenceLength > 0, maxSentencepieceLength > 0, seedSentencepieceSize > 0 else {
                throw TokenizerError.invalidOption(name: "max_sentence_length/max_sentencepiece_length/seed_sentencepiece_size", reason: "must be positive")
            }
            for s in userDefinedSymbols + controlSymbols where s.isEmpty || s.contains(",") {
                throw TokenizerError.invalidOption(name: "user_defined_symbols/control_symbols",
                                                   reason: "\"\(s)\" is empty or contains a comma")
            }
            let ids = [("unk_id", unkId), ("bos_id", bosId), ("eos_id", eosId), ("pad_id", padId)]
            guard unkId >= 0 else { throw TokenizerError.invalidOption(name: "unk_id", reason: "the model needs an unknown piece") }
            for (name, v) in ids where v >= vocabSize {
                throw TokenizerError.invalidOption(name: name, reason: "\(v) is not below vocab_size \(vocabSize)")
            }
            let used = ids.map(\.1).filter { $0 >= 0 }
            guard Set(used).count == used.count else {
                throw TokenizerError.invalidOption(name: "unk_id/bos_id/eos_id/pad_id", reason: "ids must differ (\(used))")
            }
        }

        /// The flags passed to the library, SentencePiece's names without dashes.
        public var flags: [(String, String)] {
            var f: [(String, String)] = [
                ("model_type", modelType.rawValue),
                ("vocab_size", String(vocabSize)),
                ("character_coverage", String(characterCoverage)),
                ("input_sentence_size", String(inputSentenceSize)),
                ("shuffle_input_sentence", String(shuffleInputSentence)),
                ("seed_sentencepiece_size", String(seedSentencepieceSize)),
                ("max_sentence_length", String(maxSentenceLength)),
                ("max_sentencepiece_length", String(maxSentencepieceLength)),
                ("num_threads", String(numThreads)),
                ("split_digits", String(splitDigits)),
                ("byte_fallback", String(byteFallback)),
                ("hard_vocab_limit", String(hardVocabLimit)),
                ("unk_id", String(unkId)), ("bos_id", String(bosId)),
                ("eos_id", String(eosId)), ("pad_id", String(padId)),
                ("normalization_rule_name", normalizationRuleName),
            ]
            if !userDefinedSymbols.isEmpty { f.append(("user_defined_symbols", userDefinedSymbols.joined(separator: ","))) }
            if !controlSymbols.isEmpty { f.append(("control_symbols", controlSymbols.joined(separator: ","))) }
            return f
        }
    }

    /// Trains a model and returns it loaded. Library messages below errors are not printed.
    public static func train(_ options: Options, input: Input) throws -> SentencePieceModel {
        try options.validate()
        var flags = options.flags
        var sentences: [[UInt8]]? = nil
        var source = "in-memory sentences"
        switch input {
        case let .file(url):
            guard FileManager.default.isReadableFile(atPath: url.path) else {
                throw TokenizerError.cannotRead(file: url.path, reason: "no such file or not readable")
            }
            flags.append(("input", url.path))
            source = url.path
        case let .sentences(list):
            guard !list.isEmpty else { throw TokenizerError.invalidOption(name: "input", reason: "no sentences") }
            sentences = list.map { Array($0.utf8) }
        }
        let keys = flags.map { Array($0.0.utf8) + [0] }
        let values = flags.map { Array($0.1.utf8) + [0] }
        var model: UnsafeMutablePointer<CChar>?
        var n = 0
        var error: UnsafeMutablePointer<CChar>?
        let rc: Int32 = SentencePieceModel.withPointers(keys) { k in
            SentencePieceModel.withPointers(values) { v in
                if let sentences {
                    let lengths = sentences.map(\.count)
                    return SentencePieceModel.withPointers(sentences) { s in
                        lengths.withUnsafeBufferPointer { l in
                            spm_train(k.baseAddress, v.baseAddress, k.count, s.baseAddress, l.baseAddress, s.count,
                                      2, &model, &n, &error)
                        }
                    }
                }
                return spm_train(k.baseAddress, v.baseAddress, k.count, nil, nil, 0, 2, &model, &n, &error)
            }
        }
        guard rc == 0, let model else {
            throw TokenizerError.sentencePiece(operation: "training on \(source)", message: SentencePieceModel.take(error) ?? "failed")
        }
        defer { spm_free(model) }
        return try SentencePieceModel(serialized: Data(bytes: model, count: n), source: "<trained>")
    }

    /// Trains and writes `PREFIX.model` and `PREFIX.vocab` as `spm_train` does, each atomically
    /// (temporary name, then rename). Existing files are replaced only when `overwrite` is set;
    /// without it, both are checked before training starts.
    @discardableResult
    public static func train(_ options: Options, input: Input, modelPrefix: String, overwrite: Bool = false) throws -> SentencePieceModel {
        let modelURL = URL(fileURLWithPath: modelPrefix + ".model")
        let vocabURL = URL(fileURLWithPath: modelPrefix + ".vocab")
        if !overwrite {
            for u in [modelURL, vocabURL] where FileManager.default.fileExists(atPath: u.path) {
                throw TokenizerError.outputExists(file: u.path)
            }
        }
        let model = try train(options, input: input)
        try model.write(to: modelURL, overwrite: overwrite)
        try AtomicFile.write(Data(model.vocabText.utf8), to: vocabURL, overwrite: overwrite)
        return model
    }
}
