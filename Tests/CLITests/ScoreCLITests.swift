import Foundation
import Testing
import _TestSupport

@Suite struct ScoreCLITests {
    @Test func bleuJSONOnGoldens() throws {
        let d = TestData.reference("scoring")
        let r = try runMTLA(["score", "bleu", "--hyp", d.appendingPathComponent("en.hyp.txt").path,
                             "--ref", d.appendingPathComponent("en.ref.txt").path, "--json"])
        #expect(r.status == 0, "\(r.err)")
        let o = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        // sacreBLEU 2.6.0 golden (reference/README §3): 82.20901466923941, within 1e-9 relative
        let score = Double("\(o["score"]!)")!
        #expect(abs(score - 82.20901466923941) <= 1e-9 * 82.2)
        #expect(o["signature"] as? String == "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0")
        #expect((o["counts"] as? [Int]) == [7079, 6267, 5569, 4961])
    }

    @Test func stdinAndErrors() throws {
        let d = TestData.reference("scoring")
        let hyp = try Data(contentsOf: d.appendingPathComponent("de.hyp.txt"))
        let r = try runMTLA(["score", "wer", "--hyp", "-", "--ref", d.appendingPathComponent("de.ref.txt").path], stdin: hyp)
        #expect(r.status == 0)
        // jiwer's WER for the de set, expected.json sets/de/scores/wer/rate = 0.17154696132596686; the
        // literal is kept to 6 decimals, hence 1e-6.
        #expect(abs(Double(r.out.trimmingCharacters(in: .whitespacesAndNewlines))! - 0.171547) < 1e-6)
        let bad = try runMTLA(["score", "bleu", "--tokenize", "nope", "--hyp", "-", "--ref", d.appendingPathComponent("de.ref.txt").path], stdin: hyp)
        #expect(bad.status != 0 && bad.err.contains("unknown tokenizer"))
    }
}
