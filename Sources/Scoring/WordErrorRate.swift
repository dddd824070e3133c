/// Word and character error rates as jiwer 4.0 computes them with its default transforms.
///
/// * words (`wer_default`): `re.sub(r"\s\s+", " ")` (a run of two or more whitespace characters
///   becomes one space; a single tab or no-break space stays inside a word), `strip()`, split on
///   `" "` dropping empty strings;
/// * characters (`cer_default`): `strip()`, then every code point is a token (spaces included).
///
/// Optional normalisation (off by default, not part of jiwer's default): lower-casing and removing
/// punctuation (Unicode category P*, as jiwer's `RemovePunctuation`), applied before the transform.
public struct ErrorRateResult: Equatable, Sendable {
    public var counts: EditCounts
    /// Reference tokens (H + S + D).
    public var refLength: Int
    /// Hypothesis tokens (H + S + I).
    public var hypLength: Int

    public init(counts: EditCounts, refLength: Int, hypLength: Int) {
        self.counts = counts; self.refLength = refLength; self.hypLength = hypLength
    }

    /// jiwer's `wer` (or `cer`): (S + D + I) / (H + S + D); with no reference tokens, I (as jiwer).
    public var rate: Double {
        if refLength == 0 { return Double(counts.insertions) }
        return Double(counts.errors) / Double(counts.hits + counts.substitutions + counts.deletions)
    }
    /// jiwer's `mer`.
    public var mer: Double {
        if refLength == 0 { return hypLength == 0 ? 0 : 1 }
        return Double(counts.errors) / Double(counts.hits + counts.errors)
    }
    /// jiwer's `wip`.
    public var wip: Double {
        if refLength == 0 { return hypLength == 0 ? 1 : 0 }
        if hypLength == 0 { return 0 }
        let h = Double(counts.hits)
        return (h / Double(refLength)) * (h / Double(hypLength))
    }
    /// jiwer's `wil` = 1 − wip.
    public var wil: Double { 1 - wip }
}

/// Options of ``ErrorRate``.
public struct ErrorRateOptions: Sendable, Equatable {
    public var lowercase = false
    public var removePunctuation = false
    /// If false, an empty reference (after the transform) throws ``ScoringError/emptyReference(file:line:)``.
    public var allowEmptyReferences = false
    public init(lowercase: Bool = false, removePunctuation: Bool = false, allowEmptyReferences: Bool = false) {
        self.lowercase = lowercase; self.removePunctuation = removePunctuation; self.allowEmptyReferences = allowEmptyReferences
    }
}

/// WER/CER over a corpus with per-utterance counts and alignments.
public struct ErrorRate {
    public enum Unit: Sendable { case word, character }
    public let unit: Unit
    public let options: ErrorRateOptions
    public private(set) var interner = TokenInterner()
    private var aligner = LevenshteinAligner()
    private var ranges: [Range<Int>] = []
    private var scratch: [UInt8] = []

    public init(unit: Unit, options: ErrorRateOptions = .init()) {
        self.unit = unit
        self.options = options
    }

    /// jiwer's transform of one line into token ids (words interned; characters are code points).
    public mutating func tokens(_ line: String) -> [Int32] {
        var s = line
        if options.lowercase { s = s.pythonLowercased }
        if options.removePunctuation {
            s = String(String.UnicodeScalarView(s.unicodeScalars.filter { !Self.isPunctuation($0) }))
        }
        switch unit {
        case .character:
            return PythonWhitespace.strip(s).unicodeScalars.map { Int32(bitPattern: $0.value) }
        case .word:
            return s.withUTF8Buffer { b in
                // RemoveMultipleSpaces: runs of >= 2 whitespace chars -> " "; then Strip; split(" ")
                scratch.removeAll(keepingCapacity: true)
                var i = 0
                let n = b.count
                while i < n {
                    let w = PythonWhitespace.length(b, i)
                    if w > 0 {
                        let j = i + w
                        if j < n && PythonWhitespace.length(b, j) > 0 {
                            var k = j
                            while k < n { let w2 = PythonWhitespace.length(b, k); if w2 == 0 { break }; k += w2 }
                            scratch.append(0x20); i = k; continue
                        }
                        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: b[i..<j])); i = j
                    } else { scratch.append(b[i]); i += 1 }
                }
                return scratch.withUnsafeBufferPointer { t in
                    var lo = 0, hi = t.count
                    while lo < hi { let w = PythonWhitespace.length(t, lo); if w == 0 { break }; lo += w }
                    // strip trailing: walk back over whitespace characters
                    while hi > lo {
                        var p = hi - 1
                        while p > lo && (t[p] & 0xC0) == 0x80 { p -= 1 }
                        if PythonWhitespace.length(t, p) == hi - p { hi = p } else { break }
                    }
                    var ids: [Int32] = []
                    var start = lo
                    for k in lo..<hi where t[k] == 0x20 {
                        if k > start { ids.append(interner.intern(t, start..<k)) }
                        start = k + 1
                    }
                    if hi > start { ids.append(interner.intern(t, start..<hi)) }
                    return ids
                }
            }
        }
    }

    static func isPunctuation(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    /// Scores line pairs; `perLine` receives each pair's counts.
    /// - Throws: ``ScoringError/emptyReference(file:line:)`` unless allowed.
    public mutating func score(references: [String], hypotheses: [String], referenceName: String = "reference",
                               perLine: ((Int, ErrorRateResult) -> Void)? = nil) throws -> ErrorRateResult {
        var total = ErrorRateResult(counts: EditCounts(), refLength: 0, hypLength: 0)
        for i in references.indices {
            let r = tokens(references[i]), h = tokens(hypotheses[i])
            if r.isEmpty && !options.allowEmptyReferences {
                throw ScoringError.emptyReference(file: referenceName, line: i + 1)
            }
            let c = aligner.align(r, h)
            let res = ErrorRateResult(counts: c, refLength: r.count, hypLength: h.count)
            perLine?(i, res)
            total.counts += c; total.refLength += r.count; total.hypLength += h.count
        }
        return total
    }

    /// The alignment of one pair (token ids and steps).
    public mutating func alignment(reference: String, hypothesis: String) -> (ref: [Int32], hyp: [Int32], counts: EditCounts, steps: [AlignmentStep]) {
        let r = tokens(reference), h = tokens(hypothesis)
        let (c, s) = aligner.alignment(r, h)
        return (r, h, c, s)
    }

    /// The text of a token id.
    public func text(_ id: Int32) -> String {
        switch unit {
        case .word: interner.string(id)
        case .character: String(Character(Unicode.Scalar(UInt32(bitPattern: id)) ?? " "))
        }
    }
}
