import Foundation
import Testing
import _TestSupport

/// `mtla spm train|encode|decode` and `mtla vocab`, run as the real binary.
@Suite struct TokenizerCLITests {
    static let golden = TestData.reference("sentencepiece")

    /// Golden encodings of a few sentences with the BPE model (encodings.json, Python sentencepiece 0.2.3).
    static func goldenCases() throws -> [(text: String, pieces: [String], ids: [Int])] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: golden.appendingPathComponent("encodings.json"))) as! [String: Any]
        let bpe = (json["models"] as! [String: Any])["bpe"] as! [String: Any]
        return (bpe["encodings"] as! [[String: Any]]).map {
            ($0["text"] as! String, $0["pieces"] as! [String], $0["ids"] as! [Int])
        }.filter { !$0.text.contains("\t") && !$0.text.isEmpty }
    }

    @Test func trainEncodeDecode() throws {
        let dir = try TestData.temporaryDirectory("spm-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let prefix = dir.appendingPathComponent("bpe").path
        // The golden BPE model's options (reference README §6), with fairseq's ids via --fairseq.
        let train = ["spm", "train", "--input", Self.golden.appendingPathComponent("spm_train.en.txt").path,
                     "--model-prefix", prefix, "--vocab-size", "200", "--model-type", "bpe", "--fairseq",
                     "--num-threads", "1", "--shuffle-input-sentence=false"]
        let r = try runMTLA(train)
        #expect(r.status == 0, "\(r.err)")
        #expect(try String(contentsOfFile: prefix + ".vocab", encoding: .utf8)
                == String(contentsOf: Self.golden.appendingPathComponent("spm_bpe200.vocab"), encoding: .utf8))
        let dict = try String(contentsOfFile: prefix + ".txt", encoding: .utf8).split(separator: "\n")
        #expect(dict.count == 196 && dict.first == "▁t 1")

        // Existing outputs are kept unless --overwrite.
        let again = try runMTLA(train)
        #expect(again.status != 0 && again.err.contains("exists"))
        #expect(try runMTLA(train + ["--overwrite"]).status == 0)

        let cases = try Self.goldenCases()
        let input = Data(cases.map(\.text).joined(separator: "\n").appending("\n").utf8)
        let ids = try runMTLA(["spm", "encode", "--model", prefix + ".model", "--output-format", "id"], stdin: input)
        #expect(ids.status == 0, "\(ids.err)")
        #expect(ids.out == cases.map { $0.ids.map(String.init).joined(separator: " ") + "\n" }.joined())
        let pieces = try runMTLA(["spm", "encode", "--model", prefix + ".model"], stdin: input)
        #expect(pieces.out == cases.map { $0.pieces.joined(separator: " ") + "\n" }.joined())

        let bos = try runMTLA(["spm", "encode", "--model", prefix + ".model", "--output-format", "id", "--add-bos", "--add-eos"],
                              stdin: Data("the program\n".utf8))
        #expect(bos.out.hasPrefix("0 ") && bos.out.hasSuffix(" 2\n"))

        let decoded = try runMTLA(["spm", "decode", "--model", prefix + ".model", "--input-format", "id"], stdin: Data(ids.out.utf8))
        let fromPieces = try runMTLA(["spm", "decode", "--model", prefix + ".model"], stdin: Data(pieces.out.utf8))
        #expect(decoded.status == 0 && fromPieces.status == 0)
        #expect(decoded.out.split(separator: "\n").first == "This License applies to any program or other work which contains a notice placed by the copyright holder.")
        #expect(fromPieces.out.split(separator: "\n", omittingEmptySubsequences: false).count == cases.count + 1)

        // Output to a file, atomically and without clobbering.
        let out = dir.appendingPathComponent("ids.txt").path
        #expect(try runMTLA(["spm", "encode", "--model", prefix + ".model", "--output-format", "id", "-o", out], stdin: input).status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == ids.out)
        let clobber = try runMTLA(["spm", "encode", "--model", prefix + ".model", "-o", out], stdin: input)
        #expect(clobber.status != 0 && clobber.err.contains("exists"))

        // A bad id names the input and line.
        let bad = try runMTLA(["spm", "decode", "--model", prefix + ".model", "--input-format", "id"], stdin: Data("5 6\n7 999\n".utf8))
        #expect(bad.status != 0 && bad.err.contains("<stdin>:2:") && bad.err.contains("999"))
    }

    @Test func vocabFromModelAndWords() throws {
        let dir = try TestData.temporaryDirectory("vocab-cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("dict.txt").path
        let spm = try runMTLA(["vocab", "--spm", Self.golden.appendingPathComponent("spm_bpe200.model").path,
                               "--input", Self.golden.appendingPathComponent("spm_train.en.txt").path, "--out", out])
        #expect(spm.status == 0, "\(spm.err)")
        #expect(spm.err.contains("0 <unk>"))
        #expect(try String(contentsOfFile: out, encoding: .utf8)
                == String(contentsOf: TestData.url("golden/fairseq_dict/spm_bpe200.txt"), encoding: .utf8))

        let words = TestData.url("golden/fairseq_dict/words.txt").path
        let w = try runMTLA(["vocab", "--words", "--input", words, "--out", out, "--min-count", "2", "--padding-factor", "1", "--overwrite"])
        #expect(w.status == 0, "\(w.err)")
        #expect(try String(contentsOfFile: out, encoding: .utf8)
                == String(contentsOf: TestData.url("golden/fairseq_dict/dict_t2_p1.txt"), encoding: .utf8))
        let exists = try runMTLA(["vocab", "--words", "--input", words, "--out", out])
        #expect(exists.status != 0 && exists.err.contains("exists"))
        let neither = try runMTLA(["vocab", "--input", words, "--out", out])
        #expect(neither.status != 0)

        // Kaldi text: the first field (utterance id) is skipped.
        let kaldi = dir.appendingPathComponent("text")
        try "utt1 play_music play jazz\nutt2 play_music play\n".write(to: kaldi, atomically: true, encoding: .utf8)
        let k = try runMTLA(["vocab", "--words", "--kaldi-text", "--input", kaldi.path, "--out", out, "--padding-factor", "1", "--overwrite"])
        #expect(k.status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "play 2\nplay_music 2\njazz 1\n")
    }

    @Test func help() throws {
        for args in [["spm", "--help"], ["spm", "train", "--help"], ["vocab", "--help"]] {
            let r = try runMTLA(args)
            #expect(r.status == 0 && r.out.contains("USAGE"))
        }
    }
}
