import Foundation
import Testing
import Scoring

@Suite struct TokenizerTests {
    func toks(_ kind: BLEUTokenizerKind, _ s: String) -> [String] { var t = BLEUTokenizer(kind: kind); return t.tokens(s) }

    // Expected values from sacreBLEU 2.6.0's tokenizers (run on the same strings).
    @Test func thirteenA() {
        #expect(toks(.t13a, "Hello, world! It's 1,000.5 dollars.") == ["Hello", ",", "world", "!", "It's", "1,000.5", "dollars", "."])
        #expect(toks(.t13a, "see https://fsf.org/x?a=1&amp;b=2") == ["see", "https", ":", "/", "/", "fsf", ".", "org", "/", "x", "?", "a", "=", "1", "&", "b", "=", "2"])
        #expect(toks(.t13a, "pages 10-20, year 1999.") == ["pages", "10", "-", "20", ",", "year", "1999", "."])
        #expect(toks(.t13a, "„Zitat“ Größe\u{00A0}Straße") == ["„Zitat“", "Größe", "Straße"])
        #expect(toks(.t13a, "a <skipped> b &quot;c&quot;") == ["a", "b", "\"", "c", "\""])
    }

    @Test func intl() {
        #expect(toks(.intl, "„Zitat“ 1.000.000 €, end.") == ["„", "Zitat", "“", "1.000.000", "€", ",", "end", "."])
        #expect(toks(.intl, "year 1999.") == ["year", "1999."])
        #expect(toks(.intl, "naïve café — ½") == ["naïve", "café", "—", "½"])
    }

    @Test func charAndZh() {
        #expect(toks(.char, "ab c") == ["a", "b", "c"])
        #expect(toks(.zh, "我爱北京, ok") == ["我", "爱", "北", "京", ",", "ok"])
        #expect(toks(.none, " a  b ") == ["a", "b"])
    }

    @Test func unknownNames() {
        #expect(throws: ScoringError.unknownTokenizer("spm")) { try BLEUTokenizerKind(name: "spm") }
        #expect(throws: ScoringError.unknownSmoothing("x")) { try BLEUSmoothing(name: "x") }
    }
}

@Suite struct PorterStemmerTests {
    // NLTK 3.10.4 PorterStemmer() (NLTK_EXTENSIONS) outputs.
    @Test func wordList() {
        let pairs = [("caresses", "caress"), ("ponies", "poni"), ("ties", "tie"), ("cats", "cat"), ("feed", "feed"),
                     ("agreed", "agre"), ("plastered", "plaster"), ("motoring", "motor"), ("sing", "sing"),
                     ("conflated", "conflat"), ("troubled", "troubl"), ("sized", "size"), ("hopping", "hop"),
                     ("falling", "fall"), ("happy", "happi"), ("relational", "relat"), ("conditional", "condit"),
                     ("generalization", "gener"), ("licenses", "licens"), ("distribute", "distribut"),
                     ("dying", "die"), ("skies", "sky"), ("news", "news"), ("running", "run"), ("copying", "copi")]
        let s = PorterStemmer()
        for (w, e) in pairs { #expect(s.stem(w) == e, "\(w)") }
    }
}

@Suite struct AlignmentTests {
    @Test func countsAndSteps() {
        var a = LevenshteinAligner()
        let (c, steps) = a.alignment([1, 2, 3, 4], [1, 5, 3, 4, 6])
        #expect(c == EditCounts(hits: 3, substitutions: 1, deletions: 0, insertions: 1))
        #expect(steps == [.match(ref: 0, hyp: 0), .substitution(ref: 1, hyp: 1), .match(ref: 2, hyp: 2), .match(ref: 3, hyp: 3), .insertion(hyp: 4)])
        #expect(a.distance([], [1, 2]) == 2)
        #expect(a.align([1, 2], []) == EditCounts(deletions: 2))
    }

    /// Long inputs exercise the multi-word bit vectors: the distance must equal a plain DP's.
    @Test func longSequencesMatchPlainDP() {
        var rng = SystemRandomNumberGenerator()
        var a = LevenshteinAligner()
        for _ in 0..<50 {
            let s1 = (0..<Int.random(in: 60...300, using: &rng)).map { _ in Int32.random(in: 0..<5, using: &rng) }
            let s2 = (0..<Int.random(in: 60...300, using: &rng)).map { _ in Int32.random(in: 0..<5, using: &rng) }
            var prev = Array(0...s1.count)
            for j in 1...s2.count {
                var cur = [j] + Array(repeating: 0, count: s1.count)
                for i in 1...s1.count { cur[i] = min(prev[i] + 1, cur[i - 1] + 1, prev[i - 1] + (s1[i - 1] == s2[j - 1] ? 0 : 1)) }
                prev = cur
            }
            let c = a.align(s1, s2)
            #expect(c.errors == prev[s1.count])
            #expect(c.hits + c.substitutions + c.deletions == s1.count && c.hits + c.substitutions + c.insertions == s2.count)
        }
    }
}

@Suite struct BadInputTests {
    @Test func invalidUTF8NamesTheLine() {
        let data = Data("ok\nfine\n".utf8) + Data([0x61, 0xFF, 0x0A])
        #expect(throws: ScoringError.invalidUTF8(file: "h.txt", line: 3)) { try TextLines.split(data, name: "h.txt") }
    }
    @Test func emptyFile() {
        #expect(throws: ScoringError.emptyFile(file: "r.txt")) { try TextLines.split(Data(), name: "r.txt") }
    }
    @Test func lineCounts() {
        #expect(throws: ScoringError.lineCountMismatch(hypothesis: "h", hypothesisLines: 1, reference: "r", referenceLines: 2)) {
            try TextLines.checkPaired(hypotheses: ["a"], hypothesisName: "h", references: ["a", "b"], referenceName: "r")
        }
    }
    @Test func emptyReferenceForWER() throws {
        var er = ErrorRate(unit: .word)
        #expect(throws: ScoringError.emptyReference(file: "ref.txt", line: 2)) {
            try er.score(references: ["a b", "  "], hypotheses: ["a b", "c"], referenceName: "ref.txt")
        }
        var lenient = ErrorRate(unit: .word, options: ErrorRateOptions(allowEmptyReferences: true))
        let r = try lenient.score(references: ["a b", ""], hypotheses: ["a b", "c"])
        #expect(r.counts.insertions == 1 && r.rate == 0.5)
    }
    @Test func unknownSLURPId() throws {
        let gold = Data(#"{"slurp_id": 1, "scenario": "alarm", "action": "set", "tokens": [{"surface": "wake"}], "recordings": [{"file": "a.flac"}], "entities": []}"#.utf8)
        let g = try SLURPMetrics.readGold(gold, name: "gold.jsonl")
        let p = try SLURPMetrics.readPredictions(Data(#"{"file": "b.flac", "scenario": "alarm", "action": "set", "entities": []}"#.utf8), name: "p.jsonl")
        #expect(throws: ScoringError.unknownSLURPId(file: "p.jsonl", line: 1, id: "b.flac")) {
            try SLURPMetrics.evaluate(goldOrder: g.order, gold: g.examples, predictions: p, predictionName: "p.jsonl", strict: true)
        }
    }
    @Test func jiwerWhitespaceRules() {
        var er = ErrorRate(unit: .word)
        // a single tab stays inside a word; two whitespace characters separate
        #expect(er.tokens(" a\tb  c ").count == 2)
        #expect(er.tokens("a \u{00A0}b").count == 2)
    }
}
