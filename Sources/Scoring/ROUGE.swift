/// Precision, recall and F1 of one ROUGE variant (fractions 0–1, as rouge-score returns them).
public struct ROUGEScore: Equatable, Sendable {
    public var precision: Double, recall: Double, fmeasure: Double
    public init(precision: Double, recall: Double, fmeasure: Double) {
        self.precision = precision; self.recall = recall; self.fmeasure = fmeasure
    }
    public static let zero = ROUGEScore(precision: 0, recall: 0, fmeasure: 0)

    /// rouge-score's `Score` from P and R (`fmeasure`: 2PR/(P+R), 0 when P+R = 0).
    static func from(_ p: Double, _ r: Double) -> ROUGEScore {
        ROUGEScore(precision: p, recall: r, fmeasure: p + r > 0 ? 2 * p * r / (p + r) : 0)
    }
}

/// ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum of one pair (or their means over a corpus).
public struct ROUGEResult: Equatable, Sendable {
    public var rouge1: ROUGEScore, rouge2: ROUGEScore, rougeL: ROUGEScore, rougeLsum: ROUGEScore
}

/// rouge-score 0.1.2's `RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer:)`.
///
/// Tokenizer: Python `lower()`, every run of characters outside `[a-z0-9]` becomes a space, split,
/// tokens longer than 3 characters stemmed with NLTK's Porter stemmer when asked. ROUGE-Lsum splits
/// target and prediction on `"\n"` (empty pieces dropped) and uses the summary-level union LCS.
public struct ROUGE {
    public let useStemmer: Bool
    private var interner = TokenInterner()
    private var stemCache: [Int32] = []
    private let stemmer = PorterStemmer()
    private var table = NGramTable()
    private var buf: [UInt8] = []
    private var ranges: [Range<Int>] = []
    private var lcsRow: [Int32] = []

    public init(useStemmer: Bool = false) { self.useStemmer = useStemmer }

    /// Token ids of `text` (rouge-score's `tokenize`).
    public mutating func tokenize(_ text: String) -> [Int32] {
        buf.removeAll(keepingCapacity: true)
        for u in text.unicodeScalars {
            let v = u.value
            if v < 0x80 {
                var c = UInt8(v)
                if c >= 0x41 && c <= 0x5A { c |= 0x20 }
                buf.append(((c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)) ? c : 0x20)
            } else {
                // Python's lower() may map a non-ASCII letter to ASCII ones (e.g. U+212A KELVIN SIGN -> k)
                var any = false
                for l in u.properties.lowercaseMapping.unicodeScalars where (l.value >= 0x61 && l.value <= 0x7A) || (l.value >= 0x30 && l.value <= 0x39) {
                    buf.append(UInt8(l.value)); any = true
                }
                if !any { buf.append(0x20) } else if u.properties.lowercaseMapping.unicodeScalars.contains(where: { $0.value >= 0x80 }) {
                    // keep positions simple: non-ASCII parts of the mapping are separators
                    buf.append(0x20)
                }
            }
        }
        return buf.withUnsafeBufferPointer { b in
            var ids: [Int32] = []
            var start = -1
            for k in 0...b.count {
                if k < b.count && b[k] != 0x20 { if start < 0 { start = k } }
                else if start >= 0 {
                    let id = interner.intern(b, start..<k)
                    ids.append(useStemmer && k - start > 3 ? stemmed(id) : id)
                    start = -1
                }
            }
            return ids
        }
    }

    private mutating func stemmed(_ id: Int32) -> Int32 {
        let i = Int(id)
        if i < stemCache.count, stemCache[i] >= 0 { return stemCache[i] }
        let s = stemmer.stem(interner.string(id))
        let sid = interner.intern(s)
        if stemCache.count < interner.count { stemCache.append(contentsOf: repeatElement(-1, count: interner.count - stemCache.count)) }
        stemCache[i] = sid
        return sid
    }

    /// `score(target, prediction)`.
    public mutating func score(target: String, prediction: String) -> ROUGEResult {
        let t = tokenize(target), p = tokenize(prediction)
        let r1 = ngramScore(t, p, 1), r2 = ngramScore(t, p, 2)
        let rl: ROUGEScore
        if t.isEmpty || p.isEmpty { rl = .zero } else {
            let l = Double(lcsLength(t, p))
            rl = .from(l / Double(p.count), l / Double(t.count))
        }
        let tl: ROUGEScore
        if !target.utf8.contains(0x0A) && !prediction.utf8.contains(0x0A) {
            // one sentence on each side: the union LCS is one LCS, so ROUGE-Lsum = ROUGE-L
            tl = rl
        } else {
            let ts = target.split(separator: "\n", omittingEmptySubsequences: true).map { tokenize(String($0)) }
            let ps = prediction.split(separator: "\n", omittingEmptySubsequences: true).map { tokenize(String($0)) }
            tl = summaryLevel(ts, ps)
        }
        return ROUGEResult(rouge1: r1, rouge2: r2, rougeL: rl, rougeLsum: tl)
    }

    /// Mean of the per-pair P, R and F over all pairs (what `mean_of_per_line` holds).
    public mutating func meanScore(targets: [String], predictions: [String]) -> ROUGEResult {
        var s = [Double](repeating: 0, count: 12)
        for i in targets.indices {
            let r = score(target: targets[i], prediction: predictions[i])
            for (k, x) in [r.rouge1, r.rouge2, r.rougeL, r.rougeLsum].enumerated() {
                s[3 * k] += x.precision; s[3 * k + 1] += x.recall; s[3 * k + 2] += x.fmeasure
            }
        }
        let n = Double(max(targets.count, 1))
        func m(_ k: Int) -> ROUGEScore { ROUGEScore(precision: s[3 * k] / n, recall: s[3 * k + 1] / n, fmeasure: s[3 * k + 2] / n) }
        return ROUGEResult(rouge1: m(0), rouge2: m(1), rougeL: m(2), rougeLsum: m(3))
    }

    mutating func ngramScore(_ t: [Int32], _ p: [Int32], _ n: Int) -> ROUGEScore {
        table.clear(expected: t.count + p.count + 2)
        var tc = 0, pc = 0
        t.withUnsafeBufferPointer { tb in
            if tb.count >= n { for i in 0...(tb.count - n) { let (a, b) = wordNGramKey(tb, i, n); table.a[table.slot(a, b)] += 1; tc += 1 } }
        }
        p.withUnsafeBufferPointer { pb in
            if pb.count >= n { for i in 0...(pb.count - n) { let (a, b) = wordNGramKey(pb, i, n); table.b[table.slot(a, b)] += 1; pc += 1 } }
        }
        var inter = 0
        for s in table.used { inter += Int(min(table.a[s], table.b[s])) }
        return .from(Double(inter) / Double(max(pc, 1)), Double(inter) / Double(max(tc, 1)))
    }

    /// Length of the longest common subsequence (one row of the table).
    mutating func lcsLength(_ a: [Int32], _ b: [Int32]) -> Int {
        let cols = b.count
        if lcsRow.count < cols + 1 { lcsRow = [Int32](repeating: 0, count: cols + 1) }
        for j in 0...cols { lcsRow[j] = 0 }
        for i in 0..<a.count {
            var diag: Int32 = 0
            let ai = a[i]
            for j in 1...cols {
                let up = lcsRow[j]
                lcsRow[j] = ai == b[j - 1] ? diag + 1 : max(up, lcsRow[j - 1])
                diag = up
            }
        }
        return Int(lcsRow[cols])
    }

    /// rouge-score's `lcs_ind`: reference indices of the LCS found by its backtrack.
    static func lcsIndices(_ ref: [Int32], _ can: [Int32]) -> [Int] {
        let rows = ref.count, cols = can.count
        var t = [Int32](repeating: 0, count: (rows + 1) * (cols + 1))
        let w = cols + 1
        if rows > 0 && cols > 0 {
            for i in 1...rows {
                for j in 1...cols {
                    t[i * w + j] = ref[i - 1] == can[j - 1] ? t[(i - 1) * w + j - 1] + 1 : max(t[(i - 1) * w + j], t[i * w + j - 1])
                }
            }
        }
        var i = rows, j = cols
        var out: [Int] = []
        while i > 0 && j > 0 {
            if ref[i - 1] == can[j - 1] { out.append(i - 1); i -= 1; j -= 1 }
            else if t[i * w + j - 1] > t[(i - 1) * w + j] { j -= 1 }
            else { i -= 1 }
        }
        return out.reversed()
    }

    /// `_summary_level_lcs`.
    func summaryLevel(_ refSents: [[Int32]], _ canSents: [[Int32]]) -> ROUGEScore {
        if refSents.isEmpty || canSents.isEmpty { return .zero }
        let m = refSents.reduce(0) { $0 + $1.count }, n = canSents.reduce(0) { $0 + $1.count }
        if m == 0 || n == 0 { return .zero }
        var cr: [Int32: Int] = [:], cc: [Int32: Int] = [:]
        for s in refSents { for x in s { cr[x, default: 0] += 1 } }
        for s in canSents { for x in s { cc[x, default: 0] += 1 } }
        var hits = 0
        for r in refSents {
            var union = Set<Int>()
            for c in canSents { union.formUnion(Self.lcsIndices(r, c)) }
            for i in union.sorted() {
                let tok = r[i]
                if (cc[tok] ?? 0) > 0 && (cr[tok] ?? 0) > 0 { hits += 1; cc[tok]! -= 1; cr[tok]! -= 1 }
            }
        }
        return .from(Double(hits) / Double(n), Double(hits) / Double(m))
    }
}
