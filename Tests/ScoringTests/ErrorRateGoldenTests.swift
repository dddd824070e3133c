import Foundation
import Testing
import Scoring
import _TestSupport

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

@Suite struct ErrorRateThreadTests {
    /// Parallel scoring splits the lines into chunks with their own interners: the integer counts,
    /// per-line results and the first empty-reference error must not depend on the thread count.
    @Test(arguments: [ErrorRate.Unit.word, .character])
    func countsDoNotDependOnThreads(_ unit: ErrorRate.Unit) throws {
        let dir = TestData.reference("scoring")
        let refs = try TextLines.split(Data(contentsOf: dir.appendingPathComponent("en.ref.txt")), name: "ref")
        let hyps = try TextLines.split(Data(contentsOf: dir.appendingPathComponent("en.hyp.txt")), name: "hyp")
        #expect(refs.count == hyps.count)
        let r = Array(repeatElement(refs, count: 8).joined()), h = Array(repeatElement(hyps, count: 8).joined())
        #expect(r.count > 2000)
        var lines1: [ErrorRateResult] = [], lines2: [ErrorRateResult] = []
        var a = ErrorRate(unit: unit), b = ErrorRate(unit: unit)
        let one = try a.score(references: r, hypotheses: h, threads: 1) { lines1.append($1) }
        let two = try b.score(references: r, hypotheses: h, threads: 2) { lines2.append($1) }
        #expect(one == two)
        #expect(lines1 == lines2)
        var withEmpty = r
        withEmpty[1500] = "   "
        withEmpty[2300] = ""
        for t in [1, 2] {
            var c = ErrorRate(unit: unit)
            #expect(throws: ScoringError.emptyReference(file: "r", line: 1501)) {
                try c.score(references: withEmpty, hypotheses: h, referenceName: "r", threads: t)
            }
        }
    }
}
