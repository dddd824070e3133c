import Foundation
import Testing
import _TestSupport

/// `mtla make-corpus xsum` then `mtla prepare xsum`: what the XSum recipe's stages 0–1 do.
@Suite struct XSumCLITests {
    @Test func miniXSumBecomesLineAlignedSourceAndTarget() throws {
        let dir = try TestData.temporaryDirectory("xsum")
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("corpus").path
        let made = try runMTLA(["make-corpus", "xsum", "--out", corpus, "--documents", "40", "--seed", "3"])
        #expect(made.status == 0, "\(made.err)")
        #expect(made.err.contains("train: 40 documents") && made.err.contains("test: 20 documents"), "\(made.err)")
        let refused = try runMTLA(["make-corpus", "xsum", "--out", corpus, "--documents", "40"])
        #expect(refused.status != 0 && refused.err.contains("exists"))
        #expect(try runMTLA(["make-corpus", "xsum", "--out", dir.appendingPathComponent("small").path, "--documents", "5"]).status != 0)

        let out = dir.appendingPathComponent("data").path
        let r = try runMTLA(["prepare", "xsum", "--root", corpus, "--out", out])
        #expect(r.status == 0, "\(r.err)")
        for (split, n) in [("train", 40), ("validation", 10), ("test", 20)] {
            let jsonl = try String(contentsOfFile: "\(corpus)/\(split).jsonl", encoding: .utf8).split(separator: "\n")
            let src = try String(contentsOfFile: "\(out)/\(split).src", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let tgt = try String(contentsOfFile: "\(out)/\(split).tgt", encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let ids = try String(contentsOfFile: "\(out)/\(split).id", encoding: .utf8).split(separator: "\n")
            #expect(jsonl.count == n && src.count == n && tgt.count == n && ids.count == n)
            for (line, (s, (t, id))) in zip(jsonl, zip(src, zip(tgt, ids))) {
                let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
                #expect(String(s) == o["document"]!.split(whereSeparator: \.isWhitespace).joined(separator: " "))
                #expect(!s.contains("  ") && !s.hasPrefix(" ") && !s.hasSuffix(" "))
                #expect(String(t) == o["summary"] && String(id) == o["id"])
            }
        }
        #expect(try runMTLA(["prepare", "xsum", "--root", corpus, "--out", out]).status != 0)
        // Empty examples are dropped; a line that is not a record names the file and line.
        try "{\"document\":\" a \\n b \",\"summary\":\"s\",\"id\":\"1\"}\n{\"document\":\"\",\"summary\":\"t\",\"id\":\"2\"}\n"
            .write(toFile: "\(corpus)/extra.jsonl", atomically: true, encoding: .utf8)
        #expect(try runMTLA(["prepare", "xsum", "--root", corpus, "--splits", "extra", "--out", out]).status == 0)
        #expect(try String(contentsOfFile: "\(out)/extra.src", encoding: .utf8) == "a b\n")
        try "{\"text\":\"x\"}\n".write(toFile: "\(corpus)/bad.jsonl", atomically: true, encoding: .utf8)
        let bad = try runMTLA(["prepare", "xsum", "--root", corpus, "--splits", "bad", "--out", out])
        #expect(bad.status != 0 && bad.err.contains("bad.jsonl:1"), "\(bad.err)")
    }
}
