import Foundation

/// BLEU smoothing methods of sacreBLEU (`--smooth-method`).
public enum BLEUSmoothing: String, Sendable, CaseIterable {
    case exp, floor, addK = "add-k", none

    /// sacreBLEU's `SMOOTH_DEFAULTS`: the value used when none is given.
    public var defaultValue: Double? {
        switch self {
        case .floor: 0.1
        case .addK: 1
        case .exp, .none: nil
        }
    }

    /// Parses a method name. - Throws: ``ScoringError/unknownSmoothing(_:)``.
    public init(name: String) throws {
        guard let m = BLEUSmoothing(rawValue: name) else { throw ScoringError.unknownSmoothing(name) }
        self = m
    }
}

/// A BLEU result with sacreBLEU's fields.
public struct BLEUScore: Sendable, Equatable {
    /// 0–100, unrounded.
    public var score: Double
    public var counts: [Int]
    public var totals: [Int]
    public var precisions: [Double]
    public var bp: Double
    public var sysLen: Int
    public var refLen: Int

    /// `sys_len / ref_len` (0 without reference words).
    public var ratio: Double { refLen > 0 ? Double(sysLen) / Double(refLen) : 0 }

    /// sacreBLEU's verbose part: `92.5/85.2/78.9/73.4 (BP = 1.000 ratio = 1.024 hyp_len = 7649 ref_len = 7473)`.
    public var verbose: String {
        let p = precisions.map { pyFixed($0, 1) }.joined(separator: "/")
        return "\(p) (BP = \(pyFixed(bp, 3)) ratio = \(pyFixed(ratio, 3)) hyp_len = \(sysLen) ref_len = \(refLen))"
    }

    /// sacreBLEU's `format()`: `BLEU|<signature> = 82.21 <verbose>` (no signature: `BLEU = …`).
    public func formatted(width: Int = 2, signature: String = "") -> String {
        let name = signature.isEmpty ? "BLEU" : "BLEU|\(signature)"
        return "\(name) = \(pyFixed(score, width)) \(verbose)"
    }
}

/// Corpus and sentence BLEU exactly as sacreBLEU 2.6.0 computes them.
///
/// Statistics per segment are `[sys_len, ref_len, correct_1…correct_N, total_1…total_N]`; the corpus
/// score sums them and applies ``compute(statistics:)``.
public struct BLEU: Sendable {
    public var tokenizer: BLEUTokenizerKind
    public var lowercase: Bool
    public var smoothing: BLEUSmoothing
    public var smoothValue: Double?
    public var effectiveOrder: Bool
    public var maxOrder: Int

    public init(tokenizer: BLEUTokenizerKind = .t13a, lowercase: Bool = false, smoothing: BLEUSmoothing = .exp,
                smoothValue: Double? = nil, effectiveOrder: Bool = false, maxOrder: Int = 4) {
        precondition(maxOrder >= 1 && maxOrder <= 4, "BLEU n-gram order must be 1...4")
        self.tokenizer = tokenizer
        self.lowercase = lowercase
        self.smoothing = smoothing
        self.smoothValue = smoothValue
        self.effectiveOrder = effectiveOrder
        self.maxOrder = maxOrder
    }

    /// sacreBLEU's signature, e.g. `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0`.
    public func signature(nrefs: Int, bootstrap: Int? = nil, seed: String? = nil) -> String {
        var smooth = smoothing.rawValue
        if let d = smoothing.defaultValue { smooth += "[\(pyFixed(smoothValue ?? d, 2))]" }
        return SacreBLEUSignature.format(nrefs: nrefs, bootstrap: bootstrap, seed: seed, fields: [
            ("case", lowercase ? "lc" : "mixed"), ("eff", effectiveOrder ? "yes" : "no"),
            ("tok", tokenizer.rawValue), ("smooth", smooth),
        ])
    }

    /// Per-segment statistics of `hypotheses` against reference streams (`references[k][i]` is the
    /// k-th reference of segment i).
    public func segmentStatistics(hypotheses: [String], references: [[String]]) -> [[Int]] {
        var tok = BLEUTokenizer(kind: tokenizer, lowercase: lowercase)
        var counter = BLEUCounter(maxOrder: maxOrder)
        var out: [[Int]] = []
        out.reserveCapacity(hypotheses.count)
        for i in hypotheses.indices {
            let refs = references.map { tok.tokenize($0[i]) }
            let hyp = tok.tokenize(hypotheses[i])
            out.append(counter.statistics(hyp: hyp, refs: refs))
        }
        return out
    }

    /// Corpus BLEU.
    public func corpusScore(hypotheses: [String], references: [[String]]) -> BLEUScore {
        let stats = segmentStatistics(hypotheses: hypotheses, references: references)
        var sum = [Int](repeating: 0, count: 2 + 2 * maxOrder)
        for s in stats { for k in sum.indices { sum[k] += s[k] } }
        return compute(statistics: sum)
    }

    /// Sentence BLEU (sacreBLEU's `sentence_bleu` uses `effectiveOrder = true`).
    public func sentenceScore(hypothesis: String, references: [String]) -> BLEUScore {
        corpusScore(hypotheses: [hypothesis], references: references.map { [$0] })
    }

    /// sacreBLEU's `compute_bleu` on summed statistics.
    public func compute(statistics s: [Int]) -> BLEUScore {
        let sysLen = s[0], refLen = s[1]
        let correct = Array(s[2..<(2 + maxOrder)]), total = Array(s[(2 + maxOrder)...])
        var bp = 1.0
        if sysLen < refLen { bp = sysLen > 0 ? Foundation.exp(1 - Double(refLen) / Double(sysLen)) : 0 }
        var precisions = [Double](repeating: 0, count: maxOrder)
        if !correct.contains(where: { $0 != 0 }) {
            return BLEUScore(score: 0, counts: correct, totals: total, precisions: precisions, bp: bp,
                             sysLen: sysLen, refLen: refLen)
        }
        let value = smoothValue ?? smoothing.defaultValue ?? 0
        var smoothMteval = 1.0
        var effOrder = maxOrder
        for n in 1...maxOrder {
            var c = Double(correct[n - 1]), t = Double(total[n - 1])
            if smoothing == .addK && n > 1 { c += value; t += value }
            if t == 0 { break }
            if effectiveOrder { effOrder = n }
            if c == 0 {
                if smoothing == .exp {
                    smoothMteval *= 2
                    precisions[n - 1] = 100.0 / (smoothMteval * t)
                } else if smoothing == .floor {
                    precisions[n - 1] = 100.0 * value / t
                }
            } else {
                precisions[n - 1] = 100.0 * c / t
            }
        }
        var logSum = 0.0
        for p in precisions[0..<effOrder] { logSum += pyLogFloored(p) }
        let score = bp * Foundation.exp(logSum / Double(effOrder))
        return BLEUScore(score: score, counts: correct, totals: total, precisions: precisions, bp: bp,
                         sysLen: sysLen, refLen: refLen)
    }
}

/// sacreBLEU's `my_log`: log, with log(0) = -9999999999.
@inline(__always)
func pyLogFloored(_ x: Double) -> Double { x == 0 ? -9999999999 : Foundation.log(x) }

/// Python's `f"{x:.{d}f}"` (C printf rounding of the exact binary value, as CPython does).
public func pyFixed(_ x: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", x)
}

/// Clipped n-gram counts of one segment, with a reusable table.
struct BLEUCounter {
    let maxOrder: Int
    var table = NGramTable()

    init(maxOrder: Int) { self.maxOrder = maxOrder }

    /// `[hyp_len, closest_ref_len, correct…, total…]`.
    mutating func statistics(hyp: [Int32], refs: [[Int32]]) -> [Int] {
        var out = [Int](repeating: 0, count: 2 + 2 * maxOrder)
        out[0] = hyp.count
        // closest reference length, ties to the shorter
        var closestDiff = -1, closestLen = -1
        for r in refs {
            let d = abs(hyp.count - r.count)
            if closestDiff == -1 || d < closestDiff { closestDiff = d; closestLen = r.count }
            else if d == closestDiff && r.count < closestLen { closestLen = r.count }
        }
        out[1] = closestLen
        let longest = max(hyp.count, refs.map(\.count).max() ?? 0)
        hyp.withUnsafeBufferPointer { h in
            for n in 1...maxOrder {
                table.clear(expected: 2 * longest + 2)
                if refs.count == 1 {
                    refs[0].withUnsafeBufferPointer { r in
                        if r.count >= n {
                            for i in 0...(r.count - n) {
                                let (hi, lo) = wordNGramKey(r, i, n)
                                table.a[table.slot(hi, lo)] += 1
                            }
                        }
                    }
                } else {
                    for ref in refs {
                        ref.withUnsafeBufferPointer { r in
                            guard r.count >= n else { return }
                            for i in 0...(r.count - n) {
                                let (hi, lo) = wordNGramKey(r, i, n)
                                table.c[table.slot(hi, lo)] += 1
                            }
                            for i in 0...(r.count - n) {
                                let (hi, lo) = wordNGramKey(r, i, n)
                                let s = table.slot(hi, lo)
                                if table.c[s] > table.a[s] { table.a[s] = table.c[s] }
                                table.c[s] = 0
                            }
                        }
                    }
                }
                guard h.count >= n else { continue }
                var total = 0
                for i in 0...(h.count - n) {
                    let (hi, lo) = wordNGramKey(h, i, n)
                    table.b[table.slot(hi, lo)] += 1
                    total += 1
                }
                var correct = 0
                for s in table.used where table.b[s] > 0 { correct += Int(min(table.a[s], table.b[s])) }
                out[1 + n] = correct
                out[1 + maxOrder + n] = total
            }
        }
        return out
    }
}
