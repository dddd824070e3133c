import Foundation
import Testing
import Tokenizer
import _TestSupport

/// Goldens made with fairseq's own dictionary.py (Tools/golden/make_fairseq_dict_goldens.py).
struct DictGolden: Decodable {
    struct Encoded: Decodable {
        let line: String
        let ids: [Int32]
        let ids_no_eos: [Int32]
    }
    let sizes: [String: Int]
    let encode_line: [Encoded]

    static func load() throws -> DictGolden {
        try JSONDecoder().decode(DictGolden.self, from: Data(contentsOf: TestData.url("golden/fairseq_dict/expected.json")))
    }
    static func text(_ name: String) throws -> String {
        try String(contentsOf: TestData.url("golden/fairseq_dict/\(name)"), encoding: .utf8)
    }
}

@Suite struct FairseqDictionaryTests {
    @Test func specialSymbols() {
        let d = FairseqDictionary()
        #expect(d.symbols == ["<s>", "<pad>", "</s>", "<unk>"])
        #expect([d.bosIndex, d.padIndex, d.eosIndex, d.unkIndex] == [0, 1, 2, 3])
        #expect(d.count == 4 && d.specialCount == 4 && d.text.isEmpty)
        #expect(d.symbol(at: 99) == "<unk>" && d.index(of: "x") == 3)
    }

    /// Word dictionaries built as fairseq-preprocess builds them: count descending, ties in code
    /// point order (`Play` before `a`, `Émile` last), threshold, madeupword padding; the files
    /// equal fairseq's `save` output byte for byte.
    @Test(arguments: [("dict_t0_p8.txt", 0, 8), ("dict_t2_p1.txt", 2, 1), ("dict_t0_p1.txt", 0, 1)])
    func wordVocabularyAsFairseq(_ name: String, _ threshold: Int, _ padding: Int) throws {
        let lines = PythonText.lines(try DictGolden.text("words.txt"))
        let d = FairseqDictionary.build(lines: lines, options: .init(threshold: threshold, paddingFactor: padding))
        #expect(d.text == (try DictGolden.text(name)))
        #expect(d.count == (try DictGolden.load()).sizes[name])
        #expect(d.counts[2] == 10)  // one </s> per line, as fairseq counts it
    }

    @Test func nwordsLimit() throws {
        let d = FairseqDictionary.build(lines: ["b b a c c c", "a"], options: .init(nwords: 6, paddingFactor: 1))
        #expect(d.symbols == ["<s>", "<pad>", "</s>", "<unk>", "c", "a"])
    }

    @Test func encodeLineAsFairseq() throws {
        let d = try FairseqDictionary(parsing: try DictGolden.text("dict_t0_p1.txt"), file: "dict_t0_p1.txt")
        for c in try DictGolden.load().encode_line {
            let e = d.encodeLine(c.line)
            #expect(e.ids == c.ids, "\(c.line)")
            #expect(d.encodeLine(c.line, appendEOS: false).ids == c.ids_no_eos)
            #expect(e.unknownCount == c.ids_no_eos.filter { $0 == 3 }.count)
            #expect(e.tokenCount == c.ids_no_eos.count)
        }
        #expect(d.encodeLine("a b c", reverseOrder: true).ids == [d.index(of: "c"), d.index(of: "b"), d.index(of: "a"), 2])
        #expect(d.string([0, d.index(of: "jazz"), 3, 2]) == "jazz <unk>")
    }

    @Test func readWriteRoundTrip() throws {
        let dir = try TestData.temporaryDirectory("dict")
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = "hello 5\nwith space 3\n<unk> 7 #fairseq:overwrite\nhello 2 #fairseq:overwrite\nzéro -1\n"
        let d = try FairseqDictionary(parsing: text, file: "mem")
        #expect(d.symbols == ["<s>", "<pad>", "</s>", "<unk>", "hello", "with space", "<unk>", "hello", "zéro"])
        #expect(d.index(of: "hello") == 7 && d.index(of: "<unk>") == 6 && d.index(of: "with space") == 5)
        #expect(d.text == text)
        let url = dir.appendingPathComponent("dict.txt")
        try d.write(to: url)
        #expect(try FairseqDictionary.load(contentsOf: url) == d)
        #expect(throws: TokenizerError.outputExists(file: url.path)) { try d.write(to: url) }
        try FairseqDictionary(parsing: "a 1\n", file: "x").write(to: url, overwrite: true)
        #expect(try String(contentsOf: url, encoding: .utf8) == "a 1\n")
        // CRLF and trailing white space are accepted, as Python's universal newlines and rstrip do.
        #expect(try FairseqDictionary(parsing: "a 1\r\nb 2  \r\n", file: "x").symbols.suffix(2) == ["a", "b"])
    }

    @Test func malformedFilesNameFileAndLine() throws {
        let cases: [(String, Int)] = [("a 1\nb\n", 2), ("a 1\nb x\n", 2), ("a 1\n\nb 2\n", 2), ("a 1\n1 #fairseq:overwrite\n", 2),
                                      ("a 1.5\n", 1)]
        for (text, line) in cases {
            #expect { try FairseqDictionary(parsing: text, file: "d.txt") } throws: { e in
                guard case let .malformedLine(file, l, _, _)? = e as? TokenizerError else { return false }
                return file == "d.txt" && l == line
            }
        }
        #expect(throws: TokenizerError.duplicateSymbol(file: "d.txt", line: 3, symbol: "a")) {
            try FairseqDictionary(parsing: "a 1\nb 1\na 4\n", file: "d.txt")
        }
        #expect(throws: TokenizerError.duplicateSymbol(file: "d.txt", line: 1, symbol: "<s>")) {
            try FairseqDictionary(parsing: "<s> 1\n", file: "d.txt")
        }
        let e = TokenizerError.malformedLine(file: "d.txt", line: 2, expected: "x", found: "b")
        #expect(e.description.hasPrefix("d.txt:2: "))
        let missing = URL(fileURLWithPath: "/nonexistent/dict.txt")
        #expect(throws: TokenizerError.self) { try FairseqDictionary.load(contentsOf: missing) }
    }

    /// The dictionary fairseq's gen_vocab writes for a SentencePiece model (golden made by that loop
    /// with sentencepiece 0.2.3): pieces in id order less the four specials, so index == SentencePiece id.
    @Test func fromSentencePieceModel() throws {
        let m = try SentencePieceModel(contentsOf: TestData.reference("sentencepiece/spm_bpe200.model"))
        let d = try FairseqDictionary(sentencePieceModel: m)
        #expect(d.text == (try DictGolden.text("spm_bpe200.txt")))
        #expect(d.count == m.vocabularySize)
        for id in Int32(0)..<Int32(m.vocabularySize) { #expect(d.index(of: try #require(m.piece(forID: id))) == id) }
        let text = "naïve café: the program"
        let e = d.encode(tokens: try m.encodeAsPieces(text), appendEOS: true)
        #expect(e.ids == (try m.encode(text, addEOS: true)))
        #expect(e.unknownCount == (try m.encode(text)).filter { $0 == 3 }.count)
        #expect(e.unknownCount > 0)

        // A model without fairseq's ids is refused.
        var o = SentencePieceTrainer.Options()
        o.vocabSize = 60
        o.modelType = .char
        let sentences = try String(contentsOf: TestData.reference("sentencepiece/spm_train.en.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let other = try SentencePieceTrainer.train(o, input: .sentences(sentences))
        #expect(throws: TokenizerError.self) { try FairseqDictionary(sentencePieceModel: other) }
    }

    @Test func pythonText() {
        #expect(PythonText.tokenizeLine("  a\tb\u{3000}c\u{1F}d\u{200B}e  ") == ["a", "b", "c", "d\u{200B}e"])
        #expect(PythonText.lines("a\r\nb\rc\n\nd") == ["a", "b", "c", "", "d"])
        #expect(PythonText.codePointLess("Z", "a") && PythonText.codePointLess("z", "É"))
        #expect(PythonText.parseInt(" 12 ") == 12 && PythonText.parseInt("1.0") == nil)
    }
}
