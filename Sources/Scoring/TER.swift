import Foundation

/// TER as sacreBLEU 2.6.0 computes it (`lib_ter.py`: beam edit distance with shifts, tercom rules).
///
/// Segment statistics are `[edits, average reference length]` (doubles, as in sacreBLEU).
public struct TER: Sendable {
    public var normalized: Bool
    public var noPunct: Bool
    public var caseSensitive: Bool

    public init(normalized: Bool = false, noPunct: Bool = false, caseSensitive: Bool = false) {
        self.normalized = normalized
        self.noPunct = noPunct
        self.caseSensitive = caseSensitive
    }

    /// e.g. `nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0`.
    public func signature(nrefs: Int, bootstrap: Int? = nil, seed: String? = nil) -> String {
        SacreBLEUSignature.format(nrefs: nrefs, bootstrap: bootstrap, seed: seed, fields: [
            ("case", caseSensitive ? "mixed" : "lc"), ("tok", "tercom"), ("norm", normalized ? "yes" : "no"),
            ("punct", noPunct ? "no" : "yes"), ("asian", "no"),
        ])
    }

    /// The tercom tokenizer: lower-case unless case-sensitive, optional western normalisation and
    /// punctuation removal, then whitespace split.
    func tokenize(_ line: String, _ interner: inout TokenInterner, _ passes: inout RegexpPasses) -> [Int32] {
        var s = String(PythonWhitespace.strip(line, leading: false))
        if s.isEmpty { return [] }
        if !caseSensitive { s = s.pythonLowercased }
        var bytes = Array(s.utf8)
        if normalized {
            Tokenizer13a.replace(&bytes, Array("\n-".utf8), [])
            Tokenizer13a.replace(&bytes, [0x0A], [0x20])
            Tokenizer13a.replace(&bytes, Array("&quot;".utf8), [0x22])
            Tokenizer13a.replace(&bytes, Array("&amp;".utf8), [0x26])
            Tokenizer13a.replace(&bytes, Array("&lt;".utf8), [0x3C])
            Tokenizer13a.replace(&bytes, Array("&gt;".utf8), [0x3E])
            bytes = [0x20] + bytes + [0x20]
            bytes = bytes.withUnsafeBufferPointer { b in
                passes.apply(b, between: { a in
                    Tokenizer13a.replace(&a, Array("'s ".utf8), Array(" 's ".utf8))
                    if a.count >= 2 && a[a.count - 2] == 0x27 && a[a.count - 1] == 0x73 {
                        a.removeLast(2); a.append(contentsOf: Array(" 's".utf8))
                    }
                })
            }
        }
        if noPunct {
            bytes.removeAll { [0x2E, 0x2C, 0x3F, 0x3A, 0x3B, 0x21, 0x22, 0x28, 0x29].contains($0) }
        }
        var ranges: [Range<Int>] = []
        return bytes.withUnsafeBufferPointer { b in
            PythonWhitespace.split(b, into: &ranges)
            return ranges.map { interner.intern(b, $0) }
        }
    }

    /// Per-segment `[edits, average reference length]`.
    public func segmentStatistics(hypotheses: [String], references: [[String]]) -> [[Double]] {
        var interner = TokenInterner()
        var passes = RegexpPasses()
        var out: [[Double]] = []
        out.reserveCapacity(hypotheses.count)
        for i in hypotheses.indices {
            let h = tokenize(hypotheses[i], &interner, &passes)
            var best = Int(1e16)
            var refLengths = 0
            for stream in references {
                let r = tokenize(stream[i], &interner, &passes)
                let (edits, len) = TERAligner.translationEditRate(hyp: h, ref: r)
                refLengths += len
                if edits < best { best = edits }
            }
            out.append([Double(best), Double(refLengths) / Double(references.count)])
        }
        return out
    }

    /// Corpus TER: score (0–100), total edits, total (average) reference length.
    public func corpusScore(hypotheses: [String], references: [[String]]) -> (score: Double, numEdits: Int, refLength: Double) {
        let stats = segmentStatistics(hypotheses: hypotheses, references: references)
        var edits = 0.0, len = 0.0
        for s in stats { edits += s[0]; len += s[1] }
        return (Self.score(edits: edits, refLength: len), Int(edits), len)
    }

    /// sacreBLEU's `_compute_score_from_stats`.
    public static func score(edits: Double, refLength: Double) -> Double {
        if refLength > 0 { return 100 * (edits / refLength) }
        return edits > 0 ? 100 : 0
    }
}

/// `lib_ter.translation_edit_rate`: greedy shifts chosen by a beam-limited edit distance.
enum TERAligner {
    static let maxShiftSize = 10, maxShiftDist = 50, beamWidth = 25, maxShiftCandidates = 1000
    static let inf = Int(1e16)
    // ops: 0 nop, 1 sub, 2 ins, 3 del, 4 undefined (in the hyp-row/ref-column orientation of BeamEditDistance)
    static let opNop: UInt8 = 0, opSub: UInt8 = 1, opIns: UInt8 = 2, opDel: UInt8 = 3, opUndef: UInt8 = 4

    static func translationEditRate(hyp: [Int32], ref: [Int32]) -> (Int, Int) {
        if ref.isEmpty { return (hyp.count, 0) }
        var ed = BeamEditDistance(ref: ref, hypLength: hyp.count)
        var shifts = 0
        var input = hyp
        var checked = 0
        while true {
            let (delta, newInput, c) = shift(input, ref, &ed, checked)
            checked = c
            if checked >= maxShiftCandidates { break }
            if delta <= 0 { break }
            shifts += 1
            input = newInput
        }
        let (dist, _) = ed.full(input, wantTrace: false)
        return (shifts + dist, ref.count)
    }

    static func shift(_ h: [Int32], _ r: [Int32], _ ed: inout BeamEditDistance, _ checkedIn: Int) -> (Int, [Int32], Int) {
        var checked = checkedIn
        let (pre, invTrace) = ed.full(h, wantTrace: true)
        // flip: ins <-> del, then trace_to_alignment
        var align = [Int](repeating: 0, count: r.count)
        var hypErr: [Int] = [], refErr: [Int] = []
        hypErr.reserveCapacity(h.count); refErr.reserveCapacity(r.count)
        var ph = -1, pr = -1
        for op in invTrace {
            switch op {
            case opNop, opSub:
                ph += 1; pr += 1; align[pr] = ph
                let e = op == opSub ? 1 : 0
                hypErr.append(e); refErr.append(e)
            case opDel: // flipped to insertion: a hypothesis word
                ph += 1; hypErr.append(1)
            default:    // opIns flipped to deletion: a reference word
                pr += 1; align[pr] = ph; refErr.append(1)
            }
        }
        var best: (score: Int, len: Int, negStart: Int, negIdx: Int, words: [Int32])? = nil
        let nh = h.count, nr = r.count
        outer: for startH in 0..<nh {
            for startR in 0..<nr {
                if abs(startR - startH) > maxShiftDist { continue }
                var length = 0
                while h[startH + length] == r[startR + length] && length < maxShiftSize {
                    length += 1
                    // candidate (startH, startR, length)
                    var skip = false
                    if hypErr[startH..<(startH + length)].reduce(0, +) == 0 { skip = true }
                    else if refErr[startR..<(startR + length)].reduce(0, +) == 0 { skip = true }
                    else if startH <= align[startR] && align[startR] < startH + length { skip = true }
                    if !skip {
                        var prevIdx = -1
                        for offset in -1..<length {
                            let idx = startR + offset == -1 ? 0 : align[startR + offset] + 1
                            if idx == prevIdx { continue }
                            prevIdx = idx
                            let shifted = performShift(h, startH, length, idx)
                            let prefix = min(startH, idx)
                            let cand = (pre - ed.costFrom(shifted, commonPrefix: prefix), length, -startH, -idx)
                            checked += 1
                            if let b = best {
                                if (cand.0, cand.1, cand.2, cand.3) > (b.score, b.len, b.negStart, b.negIdx) {
                                    best = (cand.0, cand.1, cand.2, cand.3, shifted)
                                }
                            } else {
                                best = (cand.0, cand.1, cand.2, cand.3, shifted)
                            }
                        }
                        if checked >= maxShiftCandidates { break outer }
                    }
                    if nh == startH + length || nr == startR + length { break }
                }
            }
        }
        guard let b = best else { return (0, h, checked) }
        return (b.score, b.words, checked)
    }

    static func performShift(_ w: [Int32], _ start: Int, _ length: Int, _ target: Int) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(w.count)
        if target < start {
            out += w[..<target]; out += w[start..<(start + length)]; out += w[target..<start]; out += w[(start + length)...]
        } else if target > start + length {
            out += w[..<start]; out += w[(start + length)..<target]; out += w[start..<(start + length)]; out += w[target...]
        } else {
            // sacreBLEU's third case (Python slices clamp at the end of the list)
            let n = w.count
            out += w[..<start]; out += w[min(n, start + length)..<min(n, length + target)]; out += w[start..<(start + length)]
            out += w[min(n, length + target)...]
        }
        return out
    }
}

/// `lib_ter.BeamEditDistance` for one reference and one hypothesis length (shifts keep the length,
/// so the beam is the same for every candidate). The rows of the last full computation are kept, so
/// a candidate that shares a prefix with it restarts there; sacreBLEU's prefix-trie cache reuses
/// rows in the same way and does not change any value.
struct BeamEditDistance {
    let ref: [Int32]
    let n: Int          // hypothesis length
    let m: Int          // reference length
    let ratio: Double
    let beam: Int
    var cost: [Int]     // (n + 1) × (m + 1), rows of the last full computation
    var op: [UInt8]
    var base: [Int32] = []
    var rowA: [Int], rowB: [Int]

    init(ref: [Int32], hypLength: Int) {
        self.ref = ref
        n = hypLength
        m = ref.count
        ratio = hypLength > 0 ? Double(m) / Double(hypLength) : 1
        beam = Double(TERAligner.beamWidth) < ratio / 2 ? Int((ratio / 2 + Double(TERAligner.beamWidth)).rounded(.up)) : TERAligner.beamWidth
        cost = [Int](repeating: TERAligner.inf, count: (n + 1) * (m + 1))
        op = [UInt8](repeating: TERAligner.opUndef, count: (n + 1) * (m + 1))
        for j in 0...m { cost[j] = j; op[j] = TERAligner.opIns }
        rowA = [Int](repeating: 0, count: m + 1); rowB = rowA
    }

    @inline(__always) func bounds(_ i: Int) -> (Int, Int) {
        let pd = Int((Double(i) * ratio).rounded(.down))
        let lo = max(0, pd - beam)
        var hi = min(m + 1, pd + beam)
        if i == n { hi = m + 1 }
        return (lo, hi)
    }

    /// Full computation for `h` (stored), returning the distance and (optionally) the trace.
    mutating func full(_ h: [Int32], wantTrace: Bool) -> (Int, [UInt8]) {
        let w = m + 1
        var start = 0
        if base.count == h.count { while start < n && base[start] == h[start] { start += 1 } }
        for i in (start + 1)..<(n + 1) {
            let row = i * w
            for j in 0...m { cost[row + j] = TERAligner.inf; op[row + j] = TERAligner.opUndef }
            let (lo, hi) = bounds(i)
            var j = lo
            while j < hi {
                if j == 0 {
                    cost[row] = cost[row - w] + 1; op[row] = TERAligner.opDel
                } else {
                    let same = h[i - 1] == ref[j - 1]
                    var bc = cost[row + j], bo = op[row + j]
                    let cs = cost[row - w + j - 1] + (same ? 0 : 1)
                    if bc > cs { bc = cs; bo = same ? TERAligner.opNop : TERAligner.opSub }
                    let cd = cost[row - w + j] + 1
                    if bc > cd { bc = cd; bo = TERAligner.opDel }
                    let ci = cost[row + j - 1] + 1
                    if bc > ci { bc = ci; bo = TERAligner.opIns }
                    cost[row + j] = bc; op[row + j] = bo
                }
                j += 1
            }
        }
        base = h
        let dist = cost[n * w + m]
        guard wantTrace else { return (dist, []) }
        var trace: [UInt8] = []
        var i = n, j = m
        while i > 0 || j > 0 {
            let o = op[i * w + j]
            trace.append(o)
            switch o {
            case TERAligner.opSub, TERAligner.opNop: i -= 1; j -= 1
            case TERAligner.opIns: j -= 1
            case TERAligner.opDel: i -= 1
            default: fatalError("TER: undefined operation in the beam (please report)")
            }
        }
        trace.reverse()
        return (dist, trace)
    }

    /// The distance of `h`, which equals the stored hypothesis on its first `commonPrefix` words.
    mutating func costFrom(_ h: [Int32], commonPrefix: Int) -> Int {
        let w = m + 1
        var start = min(commonPrefix, n)
        while start < n && base[start] == h[start] { start += 1 }
        if start == n { return cost[n * w + m] }
        for j in 0...m { rowA[j] = cost[start * w + j] }
        for i in (start + 1)..<(n + 1) {
            for j in 0...m { rowB[j] = TERAligner.inf }
            let (lo, hi) = bounds(i)
            var j = lo
            let hw = h[i - 1]
            while j < hi {
                if j == 0 { rowB[0] = rowA[0] + 1 } else {
                    var bc = rowB[j]
                    let cs = rowA[j - 1] + (hw == ref[j - 1] ? 0 : 1)
                    if bc > cs { bc = cs }
                    let cd = rowA[j] + 1
                    if bc > cd { bc = cd }
                    let ci = rowB[j - 1] + 1
                    if bc > ci { bc = ci }
                    rowB[j] = bc
                }
                j += 1
            }
            swap(&rowA, &rowB)
        }
        return rowA[m]
    }
}
