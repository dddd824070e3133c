import Foundation

/// One scored utterance for the report forms.
public struct ScoredUtterance: Sendable {
    public var id: String
    public var counts: EditCounts
    public var refLength: Int
    /// Aligned (reference, hypothesis) tokens; nil marks the missing side.
    public var pairs: [(ref: String?, hyp: String?)]
    public init(id: String, counts: EditCounts, refLength: Int, pairs: [(ref: String?, hyp: String?)]) {
        self.id = id; self.counts = counts; self.refLength = refLength; self.pairs = pairs
    }
}

/// Utterance-id conventions and the WER report forms people read (Kaldi, sclite).
public enum WERReports {
    /// Splits `id words…` (Kaldi `text`) into id and transcript.
    public static func splitKaldiText(_ line: String, file: String, line n: Int) throws -> (String, String) {
        let s = PythonWhitespace.strip(line)
        guard !s.isEmpty else { throw ScoringError.malformedLine(file: file, line: n, reason: "empty line, expected 'utt-id words…'") }
        if let k = s.unicodeScalars.firstIndex(where: { PythonWhitespace.isSpace($0.value) }) {
            return (String(s[..<k]), String(s[k...]))
        }
        return (String(s), "")
    }

    /// Splits `words… (id)` (sclite `trn`) into id and transcript.
    public static func splitTrn(_ line: String, file: String, line n: Int) throws -> (String, String) {
        let s = PythonWhitespace.strip(line)
        guard s.hasSuffix(")"), let open = s.lastIndex(of: "(") else {
            throw ScoringError.malformedLine(file: file, line: n, reason: "expected 'words… (utt-id)'")
        }
        let id = s[s.index(after: open)..<s.index(before: s.endIndex)]
        return (String(id), String(s[..<open]))
    }

    /// sclite's speaker of an utterance id: the part before the first `-` (ESPnet `spk-utt`), else
    /// before the first `_`, else the id.
    public static func speaker(_ id: String) -> String {
        if let k = id.firstIndex(of: "-") { return String(id[..<k]) }
        if let k = id.firstIndex(of: "_") { return String(id[..<k]) }
        return id
    }

    /// Kaldi `compute-wer` text: `%WER 12.34 [ 169 / 1406, 26 ins, 12 del, 131 sub ]`, `%SER`, `Scored …`.
    public static func kaldi(_ utts: [ScoredUtterance], unit: String = "WER") -> String {
        var c = EditCounts(), n = 0, sentErr = 0
        for u in utts { c += u.counts; n += u.refLength; if u.counts.errors > 0 { sentErr += 1 } }
        let wer = n > 0 ? 100 * Double(c.errors) / Double(n) : 0
        let ser = utts.isEmpty ? 0 : 100 * Double(sentErr) / Double(utts.count)
        return """
        %\(unit) \(pyFixed(wer, 2)) [ \(c.errors) / \(n), \(c.insertions) ins, \(c.deletions) del, \(c.substitutions) sub ]
        %SER \(pyFixed(ser, 2)) [ \(sentErr) / \(utts.count) ]
        Scored \(utts.count) sentences, 0 not present in hyp.
        """
    }

    /// sclite `sum` table: per speaker `# Snt # Wrd | Corr Sub Del Ins Err S.Err` (percentages of the
    /// reference words), then `Sum/Avg`, `Mean`, `S.D.`, `Median` over speakers.
    public static func sum(_ utts: [ScoredUtterance], title: String) -> String {
        var order: [String] = []
        var bySpk: [String: [ScoredUtterance]] = [:]
        for u in utts { let s = speaker(u.id); if bySpk[s] == nil { order.append(s) }; bySpk[s, default: []].append(u) }
        typealias Row = (snt: Double, wrd: Double, corr: Double, sub: Double, del: Double, ins: Double, err: Double, serr: Double)
        func row(_ us: [ScoredUtterance]) -> Row {
            var c = EditCounts(), n = 0, se = 0
            for u in us { c += u.counts; n += u.refLength; if u.counts.errors > 0 { se += 1 } }
            let w = Double(max(n, 1)), s = Double(max(us.count, 1))
            return (Double(us.count), Double(n), 100 * Double(c.hits) / w, 100 * Double(c.substitutions) / w,
                    100 * Double(c.deletions) / w, 100 * Double(c.insertions) / w, 100 * Double(c.errors) / w, 100 * Double(se) / s)
        }
        let rows = order.map { ($0, row(bySpk[$0]!)) }
        func fmt(_ name: String, _ r: Row, counts: Int) -> String {
            let nums = [r.corr, r.sub, r.del, r.ins, r.err, r.serr].map { String(repeating: " ", count: max(0, 6 - pyFixed($0, 1).count)) + pyFixed($0, 1) }
            let snt = pyFixed(r.snt, counts), wrd = pyFixed(r.wrd, counts)
            let n1 = String(repeating: " ", count: max(0, 6 - snt.count)) + snt, n2 = String(repeating: " ", count: max(0, 7 - wrd.count)) + wrd
            let nm = name.count >= 8 ? String(name.prefix(8)) : name + String(repeating: " ", count: 8 - name.count)
            return "| \(nm)|\(n1)\(n2) |\(nums.joined(separator: " ")) |"
        }
        func stats(_ f: (Row) -> Double) -> (Double, Double, Double) {
            let v = rows.map { f($0.1) }
            let mean = v.reduce(0, +) / Double(max(v.count, 1))
            let sd = v.count > 1 ? (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1)).squareRoot() : 0
            let s = v.sorted()
            let med = s.isEmpty ? 0 : (s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2)
            return (mean, sd, med)
        }
        let fields: [(Row) -> Double] = [{ $0.snt }, { $0.wrd }, { $0.corr }, { $0.sub }, { $0.del }, { $0.ins }, { $0.err }, { $0.serr }]
        let st = fields.map(stats)
        func statRow(_ k: Int) -> Row {
            let v = st.map { k == 0 ? $0.0 : (k == 1 ? $0.1 : $0.2) }
            return (v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
        }
        let width = 67
        let bar = "|" + String(repeating: "-", count: width - 2) + "|"
        let eq = "|" + String(repeating: "=", count: width - 2) + "|"
        let t = title.count > width - 4 ? String(title.suffix(width - 4)) : title
        let lpad = (width - 2 - t.count) / 2
        var out = [",\(String(repeating: "-", count: width - 2))."]
        out.append("|" + String(repeating: " ", count: lpad) + t + String(repeating: " ", count: width - 2 - lpad - t.count) + "|")
        out.append(bar)
        out.append("| SPKR    | # Snt # Wrd | Corr    Sub    Del    Ins    Err  S.Err |")
        out.append("|---------+-------------+-----------------------------------------|")
        for (k, r) in rows.enumerated() {
            out.append(fmt(r.0, r.1, counts: 0))
            if k < rows.count - 1 { out.append("|---------+-------------+-----------------------------------------|") }
        }
        out.append(eq)
        out.append(fmt("Sum/Avg", row(utts), counts: 0))
        out.append(eq)
        out.append(fmt("  Mean", statRow(0), counts: 1))
        out.append(fmt("  S.D.", statRow(1), counts: 1))
        out.append(fmt(" Median", statRow(2), counts: 1))
        out.append("`\(String(repeating: "-", count: width - 2))'")
        return out.joined(separator: "\n")
    }

    /// sclite `pralign`: per utterance `id:`, `Scores: (#C #S #D #I)`, `REF:`/`HYP:` with errors in upper
    /// case and `***` for the missing side, and `Eval:` with S/I/D marks.
    public static func pralign(_ utts: [ScoredUtterance]) -> String {
        var out: [String] = []
        for u in utts {
            out.append("id: (\(u.id))")
            out.append("Scores: (#C #S #D #I) \(u.counts.hits) \(u.counts.substitutions) \(u.counts.deletions) \(u.counts.insertions)")
            var r: [String] = [], h: [String] = [], e: [String] = []
            for p in u.pairs {
                let correct = p.ref != nil && p.hyp != nil && p.ref! == p.hyp!
                var rs = p.ref.map { correct ? $0.lowercased() : $0.uppercased() } ?? "", hs = p.hyp.map { correct ? $0.lowercased() : $0.uppercased() } ?? ""
                let mark = correct ? "" : (p.ref == nil ? "I" : (p.hyp == nil ? "D" : "S"))
                if p.ref == nil { rs = String(repeating: "*", count: max(3, hs.count)) }
                if p.hyp == nil { hs = String(repeating: "*", count: max(3, rs.count)) }
                let w = max(rs.count, hs.count, mark.count)
                func pad(_ s: String) -> String { s + String(repeating: " ", count: w - s.count) }
                r.append(pad(rs)); h.append(pad(hs)); e.append(pad(mark))
            }
            out.append("REF:  " + r.joined(separator: " "))
            out.append("HYP:  " + h.joined(separator: " "))
            out.append("Eval: " + e.joined(separator: " "))
            out.append("")
        }
        return out.joined(separator: "\n")
    }
}
