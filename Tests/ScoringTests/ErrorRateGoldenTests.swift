import Foundation
import Testing
import Scoring

@Suite struct ErrorRateGoldenTests {
    static func check(_ r: ErrorRateResult, _ e: [String: Any], words: Bool) {
        #expect(r.counts.hits == i(e["hits"]))
        #expect(r.counts.substitutions == i(e["substitutions"]))
        #expect(r.counts.deletions == i(e["deletions"]))
        #expect(r.counts.insertions == i(e["insertions"]))
        #expect(r.refLength == i(e["ref_len"]))
        #expect(close(r.rate, d(e["rate"]), scale: 1))
        if words {
            #expect(close(r.mer, d(e["mer"]), scale: 1))
            #expect(close(r.wil, d(e["wil"]), scale: 1))
            #expect(close(r.wip, d(e["wip"]), scale: 1))
        }
    }

    @Test(arguments: ["en", "de"], [true, false])
    func corpus(lang: String, words: Bool) throws {
        let hyps = try Golden.lines("\(lang).hyp.txt"), refs = try Golden.lines("\(lang).ref.txt")
        let s = try Golden.scores(lang)
        var er = ErrorRate(unit: words ? .word : .character)
        let r = try er.score(references: refs, hypotheses: hyps)
        Self.check(r, s[words ? "wer" : "cer"] as! [String: Any], words: words)
        for e in s[words ? "wer_per_line" : "cer_per_line"] as! [[String: Any]] {
            let k = i(e["line"])
            Self.check(try er.score(references: [refs[k]], hypotheses: [hyps[k]]), e, words: words)
        }
    }

    @Test(arguments: ["en", "de"])
    func exactMatch(lang: String) throws {
        let hyps = try Golden.lines("\(lang).hyp.txt"), refs = try Golden.lines("\(lang).ref.txt")
        let e = try Golden.scores(lang)["exact_match"] as! [String: Any]
        let r = Accuracy.exactMatch(hypotheses: hyps, references: refs)
        #expect(r.correct == i(e["correct"]) && r.total == i(e["lines"]))
        #expect(close(r.accuracy, d(e["accuracy"]), scale: 1))
    }
}
