import Foundation
import Testing
import Scoring

@Suite struct SacreBLEUGoldenTests {
    @Test(arguments: ["en", "de"], ["13a", "intl", "13a_lowercase"])
    func corpusBLEU(lang: String, variant: String) throws {
        let hyps = try Golden.lines("\(lang).hyp.txt"), refs = try Golden.lines("\(lang).ref.txt")
        let exp = (try Golden.scores(lang)["corpus_bleu"] as! [String: Any])[variant] as! [String: Any]
        let bleu = BLEU(tokenizer: variant == "intl" ? .intl : .t13a, lowercase: variant == "13a_lowercase")
        let s = bleu.corpusScore(hypotheses: hyps, references: [refs])
        #expect(close(s.score, d(exp["score"])), "\(s.score) vs \(exp["score"]!)")
        #expect(s.counts == (exp["counts"] as! [NSNumber]).map(\.intValue))
        #expect(s.totals == (exp["totals"] as! [NSNumber]).map(\.intValue))
        #expect(s.sysLen == i(exp["sys_len"]) && s.refLen == i(exp["ref_len"]))
        #expect(close(s.bp, d(exp["bp"]), scale: 1))
        for (p, e) in zip(s.precisions, exp["precisions"] as! [NSNumber]) { #expect(close(p, e.doubleValue)) }
        #expect(bleu.signature(nrefs: 1) == exp["signature"] as! String)
        #expect(s.formatted() == exp["formatted"] as! String)
    }

    @Test(arguments: ["en", "de"])
    func sentenceBLEU(lang: String) throws {
        let hyps = try Golden.lines("\(lang).hyp.txt"), refs = try Golden.lines("\(lang).ref.txt")
        let sb = try Golden.scores(lang)["sentence_bleu"] as! [String: Any]
        let bleu = BLEU(effectiveOrder: true)
        #expect(bleu.signature(nrefs: 1) == sb["signature"] as! String)
        for e in sb["lines"] as! [[String: Any]] {
            let k = i(e["line"])
            let s = bleu.sentenceScore(hypothesis: hyps[k], references: [refs[k]])
            #expect(close(s.score, d(e["score"])), "line \(k): \(s.score) vs \(e["score"]!)")
            #expect(s.counts == (e["counts"] as! [NSNumber]).map(\.intValue))
            #expect(s.totals == (e["totals"] as! [NSNumber]).map(\.intValue))
            #expect(s.formatted() == e["formatted"] as! String)
        }
    }

    @Test(arguments: ["en", "de"], ["chrf", "chrf++"])
    func chrF(lang: String, variant: String) throws {
        let hyps = try Golden.lines("\(lang).hyp.txt"), refs = try Golden.lines("\(lang).ref.txt")
        let exp = try Golden.scores(lang)[variant] as! [String: Any]
        let c = CHRF(wordOrder: variant == "chrf++" ? 2 : 0)
        let s = c.corpusScore(hypotheses: hyps, references: [refs])
        #expect(close(s, d(exp["score"])), "\(s) vs \(exp["score"]!)")
        #expect(c.signature(nrefs: 1) == exp["signature"] as! String)
        #expect("\(c.name) = \(pyFixed(s, 2))" == exp["formatted"] as! String)
    }

    @Test(arguments: ["en", "de"])
    func ter(lang: String) throws {
        let hyps = try Golden.lines("\(lang).hyp.txt"), refs = try Golden.lines("\(lang).ref.txt")
        let exp = try Golden.scores(lang)["ter"] as! [String: Any]
        let t = TER()
        let s = t.corpusScore(hypotheses: hyps, references: [refs])
        #expect(close(s.score, d(exp["score"])), "\(s.score) vs \(exp["score"]!)")
        #expect(s.numEdits == i(exp["num_edits"]))
        #expect(s.refLength == d(exp["ref_length"]))
        #expect(t.signature(nrefs: 1) == exp["signature"] as! String)
    }
}
