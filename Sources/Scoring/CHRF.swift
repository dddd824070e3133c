/// chrF and chrF++ exactly as sacreBLEU 2.6.0 computes them.
///
/// Statistics per segment: for each character order 1…`charOrder`, then each word order
/// 1…`wordOrder`, the triple `[hyp n-grams (0 if the reference has none of that order), ref n-grams,
/// matches]`. With several references the triple list of the reference with the best sentence
/// F-score is kept (first on ties), as sacreBLEU does.
public struct CHRF: Sendable {
    public var charOrder: Int
    public var wordOrder: Int
    public var beta: Int
    public var lowercase: Bool
    public var whitespace: Bool
    public var epsSmoothing: Bool

    public init(charOrder: Int = 6, wordOrder: Int = 0, beta: Int = 2, lowercase: Bool = false,
                whitespace: Bool = false, epsSmoothing: Bool = false) {
        precondition(charOrder >= 1 && charOrder <= 6 && wordOrder >= 0 && wordOrder <= 4)
        self.charOrder = charOrder
        self.wordOrder = wordOrder
        self.beta = beta
        self.lowercase = lowercase
        self.whitespace = whitespace
        self.epsSmoothing = epsSmoothing
    }

    /// `chrF2`, `chrF2++`, …
    public var name: String { "chrF\(beta)" + String(repeating: "+", count: wordOrder) }

    /// e.g. `nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0`.
    public func signature(nrefs: Int, bootstrap: Int? = nil, seed: String? = nil) -> String {
        SacreBLEUSignature.format(nrefs: nrefs, bootstrap: bootstrap, seed: seed, fields: [
            ("case", lowercase ? "lc" : "mixed"), ("eff", epsSmoothing ? "no" : "yes"),
            ("nc", "\(charOrder)"), ("nw", "\(wordOrder)"), ("space", whitespace ? "yes" : "no"),
        ])
    }

    /// Per-segment statistics (`references[k][i]` = k-th reference of segment i).
    public func segmentStatistics(hypotheses: [String], references: [[String]]) -> [[Int]] {
        var ex = CHRFExtractor(chrf: self)
        var out: [[Int]] = []
        out.reserveCapacity(hypotheses.count)
        for i in hypotheses.indices {
            let h = ex.prepare(hypotheses[i])
            var best: [Int] = []
            var bestF = -1.0
            for stream in references {
                let r = ex.prepare(stream[i])
                let st = ex.statistics(hyp: h, ref: r)
                let f = fScore(st)
                if f > bestF { bestF = f; best = st }
            }
            out.append(best)
        }
        return out
    }

    /// Corpus chrF (0–100).
    public func corpusScore(hypotheses: [String], references: [[String]]) -> Double {
        let stats = segmentStatistics(hypotheses: hypotheses, references: references)
        var sum = [Int](repeating: 0, count: 3 * (charOrder + wordOrder))
        for s in stats { for k in sum.indices { sum[k] += s[k] } }
        return fScore(sum)
    }

    /// Sentence chrF.
    public func sentenceScore(hypothesis: String, references: [String]) -> Double {
        corpusScore(hypotheses: [hypothesis], references: references.map { [$0] })
    }

    /// sacreBLEU's `_compute_f_score` (0–100).
    public func fScore(_ s: [Int]) -> Double {
        let eps = 1e-16
        var score = 0.0
        var effective = 0
        let factor = Double(beta * beta)
        var avgP = 0.0, avgR = 0.0
        let order = charOrder + wordOrder
        for i in 0..<order {
            let nHyp = s[3 * i], nRef = s[3 * i + 1], nMatch = s[3 * i + 2]
            let p = nHyp > 0 ? Double(nMatch) / Double(nHyp) : eps
            let r = nRef > 0 ? Double(nMatch) / Double(nRef) : eps
            let denom = factor * p + r
            score += denom > 0 ? (1 + factor) * p * r / denom : eps
            if nHyp > 0 && nRef > 0 { avgP += p; avgR += r; effective += 1 }
        }
        if epsSmoothing { return 100 * score / Double(order) }
        if effective == 0 { avgP = 0; avgR = 0 } else { avgP /= Double(effective); avgR /= Double(effective) }
        if avgP + avgR != 0 {
            var sc = (1 + factor) * avgP * avgR
            sc /= (factor * avgP) + avgR
            return 100 * sc
        }
        return 0
    }
}

/// Character and word sequences of one segment, and the n-gram matching.
struct CHRFExtractor {
    struct Prepared { var chars: [UInt32]; var words: [Int32] }
    let chrf: CHRF
    var table = NGramTable()
    var interner = TokenInterner()
    var ranges: [Range<Int>] = []

    init(chrf: CHRF) { self.chrf = chrf }

    static func isPunct(_ v: UInt32) -> Bool {
        // sacreBLEU's _PUNCTS: !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~
        (v >= 0x21 && v <= 0x2F) || (v >= 0x3A && v <= 0x40) || (v >= 0x5B && v <= 0x60) || (v >= 0x7B && v <= 0x7E)
    }

    mutating func prepare(_ line: String) -> Prepared {
        let s = chrf.lowercase ? line.pythonLowercased : line
        var chars: [UInt32] = []
        chars.reserveCapacity(s.utf8.count)
        if chrf.whitespace {
            for u in s.unicodeScalars { chars.append(u.value) }
        } else {
            for u in s.unicodeScalars where !PythonWhitespace.isSpace(u.value) { chars.append(u.value) }
        }
        var words: [Int32] = []
        if chrf.wordOrder > 0 {
            s.withUTF8Buffer { b in
                PythonWhitespace.split(b, into: &ranges)
                for r in ranges {
                    // code points of the word
                    let first = b[r.lowerBound]
                    var lastStart = r.upperBound - 1
                    while lastStart > r.lowerBound && (b[lastStart] & 0xC0) == 0x80 { lastStart -= 1 }
                    let single = lastStart == r.lowerBound
                    if single { words.append(interner.intern(b, r)); continue }
                    let last = b[r.upperBound - 1]
                    if last < 0x80 && Self.isPunct(UInt32(last)) {
                        words.append(interner.intern(b, r.lowerBound..<(r.upperBound - 1)))
                        words.append(interner.intern(b, (r.upperBound - 1)..<r.upperBound))
                    } else if first < 0x80 && Self.isPunct(UInt32(first)) {
                        words.append(interner.intern(b, r.lowerBound..<(r.lowerBound + 1)))
                        words.append(interner.intern(b, (r.lowerBound + 1)..<r.upperBound))
                    } else {
                        words.append(interner.intern(b, r))
                    }
                }
            }
        }
        return Prepared(chars: chars, words: words)
    }

    /// For n = 1…order: (hypothesis n-grams, reference n-grams, matches), sacreBLEU's chrF statistics,
    /// for character (UInt32 code points) or word (Int32 ids) sequences.
    @inline(__always)
    private mutating func appendCounts<T>(_ h: UnsafeBufferPointer<T>, _ r: UnsafeBufferPointer<T>, order: Int,
                                          key: (UnsafeBufferPointer<T>, Int, Int) -> (UInt64, UInt64), to out: inout [Int]) {
        for n in 1...order {
            table.clear(expected: h.count + r.count + 2)
            var nRef = 0, nHyp = 0
            if r.count >= n {
                for i in 0...(r.count - n) { let (a, b) = key(r, i, n); table.a[table.slot(a, b)] += 1; nRef += 1 }
            }
            if h.count >= n {
                for i in 0...(h.count - n) { let (a, b) = key(h, i, n); table.b[table.slot(a, b)] += 1; nHyp += 1 }
            }
            var match = 0
            for s in table.used where table.a[s] > 0 && table.b[s] > 0 { match += Int(min(table.a[s], table.b[s])) }
            out.append(nRef > 0 ? nHyp : 0); out.append(nRef); out.append(match)
        }
    }

    mutating func statistics(hyp: Prepared, ref: Prepared) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(3 * (chrf.charOrder + chrf.wordOrder))
        hyp.chars.withUnsafeBufferPointer { h in
            ref.chars.withUnsafeBufferPointer { r in appendCounts(h, r, order: chrf.charOrder, key: charNGramKey, to: &out) }
        }
        if chrf.wordOrder > 0 {
            hyp.words.withUnsafeBufferPointer { h in
                ref.words.withUnsafeBufferPointer { r in appendCounts(h, r, order: chrf.wordOrder, key: wordNGramKey, to: &out) }
            }
        }
        return out
    }
}
