import Foundation
import Testing
import Tokenizer
import _TestSupport

/// One case of Data/reference/sentencepiece/encodings.json (made with Python's sentencepiece 0.2.3).
struct GoldenEncoding: Decodable {
    let text: String
    let pieces: [String]
    let ids: [Int32]
    let decode_ids: String
    let decode_pieces: String
    let ids_with_bos_eos: [Int32]
}

struct GoldenModel: Decodable {
    let model: String
    let vocab_size: Int
    let encodings: [GoldenEncoding]
}

struct GoldenFile: Decodable {
    let models: [String: GoldenModel]
}

enum Golden {
    static func file() throws -> GoldenFile {
        try JSONDecoder().decode(GoldenFile.self, from: Data(contentsOf: TestData.reference("sentencepiece/encodings.json")))
    }
    static func model(_ name: String) throws -> SentencePieceModel {
        try SentencePieceModel(contentsOf: TestData.reference("sentencepiece/spm_\(name)200.model"))
    }
    static var trainText: URL { TestData.reference("sentencepiece/spm_train.en.txt") }
    static func trainSentences() throws -> [String] {
        try String(contentsOf: trainText, encoding: .utf8).split(separator: "\n").map(String.init)
    }
}

@Suite struct SentencePieceGoldenTests {
    /// Everything must match exactly (reference README §6): pieces, ids, both decodings, BOS/EOS.
    @Test(arguments: ["unigram", "bpe"])
    func encodingsEqualPython(_ name: String) throws {
        let golden = try #require(try Golden.file().models[name])
        let m = try Golden.model(name)
        #expect(m.vocabularySize == golden.vocab_size)
        #expect(m.bosID == 0 && m.padID == 1 && m.eosID == 2 && m.unknownID == 3)
        #expect(golden.encodings.count == 20)
        for c in golden.encodings {
            #expect(try m.encodeAsPieces(c.text) == c.pieces, "\(c.text)")
            #expect(try m.encode(c.text) == c.ids, "\(c.text)")
            #expect(try m.decode(ids: c.ids) == c.decode_ids, "\(c.text)")
            #expect(try m.decode(pieces: c.pieces) == c.decode_pieces, "\(c.text)")
            #expect(try m.encode(c.text, addBOS: true, addEOS: true) == c.ids_with_bos_eos, "\(c.text)")
        }
    }

    /// Our `.vocab` text is byte-identical to the one Python wrote, and the parsed proto agrees.
    @Test(arguments: ["unigram", "bpe"])
    func vocabFileAndProto(_ name: String) throws {
        let m = try Golden.model(name)
        let vocab = try String(contentsOf: TestData.reference("sentencepiece/spm_\(name)200.vocab"), encoding: .utf8)
        #expect(m.vocabText == vocab)
        let proto = try m.modelProto()
        #expect(proto.pieces.map(\.piece) == m.pieces)
        #expect(proto.pieces.map(\.score) == (0..<200).map { m.score(forID: Int32($0)) })
        #expect(proto.pieces[0].type == .control && proto.pieces[3].type == .unknown && proto.pieces[4].type == .normal)
        #expect(proto.normalizerName == "nmt_nfkc")
        let spec = proto.trainerSpec
        #expect(spec.modelType == (name == "bpe" ? .bpe : .unigram))
        #expect(spec.vocabSize == 200 && spec.characterCoverage == 1 && spec.numThreads == 1)
        #expect(spec.shuffleInputSentence == false && spec.seedSentencepieceSize == 1_000_000)
        #expect([spec.unkId, spec.bosId, spec.eosId, spec.padId] as [Int] == [3, 0, 2, 1])
        #expect(spec.input == ["spm_train.en.txt"])
    }

    @Test func vocabularyLookups() throws {
        let m = try Golden.model("bpe")
        #expect(m.piece(forID: 3) == "<unk>")
        #expect(m.piece(forID: 200) == nil && m.piece(forID: -1) == nil)
        for id in Int32(0)..<200 { #expect(m.id(forPiece: try #require(m.piece(forID: id))) == id) }
        #expect(m.id(forPiece: "no-such-piece") == 3)
        #expect(m.pieces.count == 200)
    }

    @Test func errors() throws {
        let m = try Golden.model("bpe")
        #expect(throws: TokenizerError.self) { try m.decode(ids: [5, 200]) }
        #expect(throws: TokenizerError.self) { try m.decode(ids: [-1]) }
        let missing = TestData.reference("sentencepiece/none.model")
        #expect { try SentencePieceModel(contentsOf: missing) } throws: { e in
            guard case let .cannotRead(file, _)? = e as? TokenizerError else { return false }
            return file == missing.path
        }
        #expect { try SentencePieceModel(contentsOf: Golden.trainText) } throws: { e in
            guard case let .invalidModel(file, _)? = e as? TokenizerError else { return false }
            return file == Golden.trainText.path
        }
        #expect(throws: TokenizerError.self) { try SentencePieceModelProto(serialized: Data([0x0a, 0xff])) }
    }

    @Test func writeReloadAndNoClobber() throws {
        let dir = try TestData.temporaryDirectory("spm")
        defer { try? FileManager.default.removeItem(at: dir) }
        let m = try Golden.model("unigram")
        let url = dir.appendingPathComponent("copy.model")
        try m.write(to: url)
        let golden = try Data(contentsOf: TestData.reference("sentencepiece/spm_unigram200.model"))
        #expect(try Data(contentsOf: url) == golden)
        #expect(throws: TokenizerError.outputExists(file: url.path)) { try m.write(to: url) }
        try m.write(to: url, overwrite: true)
        #expect(try SentencePieceModel(contentsOf: url).pieces == m.pieces)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["copy.model"])
    }

    /// Subword sampling gives varying segmentations that all decode back to the text, and the
    /// best segmentation is among them.
    @Test func sampling() throws {
        let m = try Golden.model("unigram")
        let text = "the program is distributed in the hope that it will be useful"
        let samples = try (0..<40).map { _ in try m.encode(text, sampling: .sample(nbestSize: -1, alpha: 0.5)) }
        #expect(Set(samples).count > 1)
        for ids in samples { #expect(try m.decode(ids: ids) == text) }
        let pieces = try m.encodeAsPieces(text, sampling: .sample(nbestSize: 4, alpha: 1.0))
        #expect(try m.decode(pieces: pieces) == text)
    }
}

@Suite struct SentencePieceTrainingTests {
    /// BPE training with the golden model's own trainer spec reproduces it: same pieces, scores and
    /// types, the same .vocab text, and identical encodings of the golden sentences.
    @Test func bpeReproducesGolden() throws {
        let golden = try Golden.model("bpe")
        let proto = try golden.modelProto()
        let options = SentencePieceTrainer.Options(modelProto: proto)
        #expect(options.modelType == .bpe && options.vocabSize == 200 && options.normalizationRuleName == "nmt_nfkc")
        #expect(options.flags.contains { $0 == ("shuffle_input_sentence", "false") })
        let ours = try SentencePieceTrainer.train(options, input: .file(Golden.trainText))
        let ourProto = try ours.modelProto()
        #expect(ourProto.pieces == proto.pieces)
        #expect(ours.vocabText == golden.vocabText)
        for c in try #require(try Golden.file().models["bpe"]).encodings {
            #expect(try ours.encodeAsPieces(c.text) == c.pieces, "\(c.text)")
            #expect(try ours.encode(c.text) == c.ids, "\(c.text)")
        }
    }

    /// Unigram training runs and gives a usable model; it is not compared with Python's model
    /// (the unigram trainer changed between 0.1.97 and 0.2.3: 18 of 200 pieces differ).
    @Test func unigramTrainsAndRoundTrips() throws {
        let proto = try Golden.model("unigram").modelProto()
        let options = SentencePieceTrainer.Options(trainerSpec: proto.trainerSpec)
        let m = try SentencePieceTrainer.train(options, input: .file(Golden.trainText))
        #expect(m.vocabularySize == 200)
        #expect(m.pieces.prefix(4) == ["<s>", "<pad>", "</s>", "<unk>"])
        #expect(try m.modelProto().trainerSpec.modelType == .unigram)
        // The training text is ASCII and NFKC-invariant, so normalisation only collapses spaces.
        var sentences = try Golden.trainSentences()
        sentences.append("  multiple   spaces and\tA TAB  ")
        for s in sentences {
            let normalised = s.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
            #expect(try m.decode(ids: try m.encode(s)) == normalised)
            #expect(try m.decode(pieces: try m.encodeAsPieces(s)) == normalised)
        }
        // A reloaded copy encodes the same.
        let copy = try SentencePieceModel(serialized: m.serializedData)
        #expect(try copy.encode(sentences[0]) == m.encode(sentences[0]))
    }

    /// In-memory sentences, char and word models, user-defined symbols, and the same model twice
    /// with sampling and shuffling of the input on (training is deterministic in 0.1.97).
    @Test func inMemoryOptionsAndSeed() throws {
        let sentences = try Golden.trainSentences()
        var o = SentencePieceTrainer.Options.fairseq(modelType: .unigram, vocabSize: 150, userDefinedSymbols: ["<lang:en>"])
        o.inputSentenceSize = 200
        o.shuffleInputSentence = true
        let a = try SentencePieceTrainer.train(o, input: .sentences(sentences))
        let b = try SentencePieceTrainer.train(o, input: .sentences(sentences))
        #expect(a.serializedData == b.serializedData)
        o.inputSentenceSize = 0
        let all = try SentencePieceTrainer.train(o, input: .sentences(sentences))
        #expect(all.serializedData != a.serializedData)  // all 316 sentences, not a sample of 200
        #expect(a.vocabularySize == 150)
        #expect(a.piece(forID: 4) == "<lang:en>")
        #expect(try a.encodeAsPieces("<lang:en> hello").contains("<lang:en>"))
        #expect(try a.encode("<lang:en> hello").contains(4))
        let proto = try a.modelProto()
        #expect(proto.pieces[4].type == .userDefined)
        #expect(proto.trainerSpec.userDefinedSymbols == ["<lang:en>"] && proto.trainerSpec.inputSentenceSize == 200)

        var c = SentencePieceTrainer.Options()
        c.modelType = .char
        c.vocabSize = 60
        c.hardVocabLimit = false
        c.characterCoverage = 1.0
        let chars = try SentencePieceTrainer.train(c, input: .sentences(sentences))
        #expect(try chars.encodeAsPieces("the cat") == ["▁", "t", "h", "e", "▁", "c", "a", "t"])
        c.modelType = .word
        c.vocabSize = 300
        let words = try SentencePieceTrainer.train(c, input: .sentences(sentences))
        #expect(try words.encodeAsPieces("the program") == ["▁the", "▁program"])
    }

    @Test func trainingErrors() throws {
        var o = SentencePieceTrainer.Options.fairseq(modelType: .bpe, vocabSize: 100_000)
        #expect { try SentencePieceTrainer.train(o, input: .file(Golden.trainText)) } throws: { e in
            guard case let .sentencePiece(_, message)? = e as? TokenizerError else { return false }
            return message.contains("Vocabulary size too high")
        }
        o.vocabSize = 0
        #expect(throws: TokenizerError.self) { try SentencePieceTrainer.train(o, input: .file(Golden.trainText)) }
        o.vocabSize = 100
        o.padId = 3
        #expect(throws: TokenizerError.self) { try SentencePieceTrainer.train(o, input: .file(Golden.trainText)) }
        o.padId = 1
        o.characterCoverage = 1.5
        #expect(throws: TokenizerError.self) { try SentencePieceTrainer.train(o, input: .file(Golden.trainText)) }
        o.characterCoverage = 1
        let missing = URL(fileURLWithPath: "/nonexistent/train.txt")
        #expect(throws: TokenizerError.cannotRead(file: missing.path, reason: "no such file or not readable")) {
            try SentencePieceTrainer.train(o, input: .file(missing))
        }
        #expect(throws: TokenizerError.self) { try SentencePieceTrainer.train(o, input: .sentences([])) }
    }

    @Test func trainWritesModelAndVocabAtomically() throws {
        let dir = try TestData.temporaryDirectory("spm-train")
        defer { try? FileManager.default.removeItem(at: dir) }
        let prefix = dir.appendingPathComponent("m").path
        let o = SentencePieceTrainer.Options(trainerSpec: try Golden.model("bpe").modelProto().trainerSpec)
        let m = try SentencePieceTrainer.train(o, input: .file(Golden.trainText), modelPrefix: prefix)
        #expect(try String(contentsOfFile: prefix + ".vocab", encoding: .utf8)
                == String(contentsOf: TestData.reference("sentencepiece/spm_bpe200.vocab"), encoding: .utf8))
        #expect(try SentencePieceModel(contentsOf: URL(fileURLWithPath: prefix + ".model")).pieces == m.pieces)
        #expect(throws: TokenizerError.outputExists(file: prefix + ".model")) {
            try SentencePieceTrainer.train(o, input: .file(Golden.trainText), modelPrefix: prefix)
        }
        try SentencePieceTrainer.train(o, input: .file(Golden.trainText), modelPrefix: prefix, overwrite: true)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["m.model", "m.vocab"])
    }
}
