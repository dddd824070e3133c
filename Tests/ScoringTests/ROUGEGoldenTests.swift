import Foundation
import Testing
import Scoring

@Suite struct ROUGEGoldenTests {
    static func check(_ s: ROUGEScore, _ e: Any?, _ what: String) {
        let e = e as! [String: Any]
        #expect(close(s.precision, d(e["precision"]), scale: 1), "\(what) P \(s.precision) vs \(e["precision"]!)")
        #expect(close(s.recall, d(e["recall"]), scale: 1), "\(what) R")
        #expect(close(s.fmeasure, d(e["fmeasure"]), scale: 1), "\(what) F")
    }

    @Test(arguments: ["en", "de"], [false, true])
    func rouge(lang: String, stem: Bool) throws {
        let hyps = try Golden.lines("\(lang).hyp.txt"), refs = try Golden.lines("\(lang).ref.txt")
        let e = try Golden.scores(lang)[stem ? "rouge_porter_stemmer" : "rouge_no_stemmer"] as! [String: Any]
        var r = ROUGE(useStemmer: stem)
        let m = r.meanScore(targets: refs, predictions: hyps)
        let em = e["mean_of_per_line"] as! [String: Any]
        Self.check(m.rouge1, em["rouge1"], "rouge1"); Self.check(m.rouge2, em["rouge2"], "rouge2")
        Self.check(m.rougeL, em["rougeL"], "rougeL"); Self.check(m.rougeLsum, em["rougeLsum"], "rougeLsum")
        for pl in e["per_line"] as! [[String: Any]] {
            let k = i(pl["line"])
            let s = r.score(target: refs[k], prediction: hyps[k])
            Self.check(s.rouge1, pl["rouge1"], "line \(k) r1"); Self.check(s.rouge2, pl["rouge2"], "line \(k) r2")
            Self.check(s.rougeL, pl["rougeL"], "line \(k) rL"); Self.check(s.rougeLsum, pl["rougeLsum"], "line \(k) rLsum")
        }
        // summary-level: documents of 3 lines
        var p = 0.0, rc = 0.0, f = 0.0
        var docs = 0
        for k in stride(from: 0, to: refs.count, by: 3) {
            let s = r.score(target: refs[k..<min(k + 3, refs.count)].joined(separator: "\n"),
                            prediction: hyps[k..<min(k + 3, hyps.count)].joined(separator: "\n")).rougeLsum
            p += s.precision; rc += s.recall; f += s.fmeasure; docs += 1
        }
        let ed = e["rougeLsum_docs_of_3_lines"] as! [String: Any]
        #expect(docs == i(ed["documents"]))
        Self.check(ROUGEScore(precision: p / Double(docs), recall: rc / Double(docs), fmeasure: f / Double(docs)), ed, "Lsum docs")
    }
}
