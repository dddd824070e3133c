/// Exact-match and intent accuracy.
public struct AccuracyResult: Equatable, Sendable {
    public var correct: Int
    public var total: Int
    /// correct / total (0 for no lines).
    public var accuracy: Double { total > 0 ? Double(correct) / Double(total) : 0 }
}

public enum Accuracy {
    /// Lines equal (code point by code point, as Python compares) after Python's `strip()` (Unicode whitespace).
    public static func exactMatch(hypotheses: [String], references: [String]) -> AccuracyResult {
        var c = 0
        for i in hypotheses.indices where PythonWhitespace.strip(hypotheses[i]).utf8.elementsEqual(PythonWhitespace.strip(references[i]).utf8) { c += 1 }
        return AccuracyResult(correct: c, total: hypotheses.count)
    }

    /// The first whitespace-separated token of a line (`scenario_action` in MTLA's SLURP text), or "".
    public static func firstToken(_ line: String) -> Substring {
        let s = PythonWhitespace.strip(line)
        if let k = s.unicodeScalars.firstIndex(where: { PythonWhitespace.isSpace($0.value) }) { return s[..<k] }
        return s
    }

    /// Intent accuracy: the first tokens are equal (the MTLA convention for SLURP).
    public static func intent(hypotheses: [String], references: [String]) -> AccuracyResult {
        var c = 0
        for i in hypotheses.indices where firstToken(hypotheses[i]).utf8.elementsEqual(firstToken(references[i]).utf8) { c += 1 }
        return AccuracyResult(correct: c, total: hypotheses.count)
    }
}
