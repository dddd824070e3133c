import Dispatch

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
            // strip(), then every code point (decoded straight from the UTF-8 bytes)
            return s.withUTF8Buffer { b in
                var lo = 0, hi = b.count
                while lo < hi { let w = PythonWhitespace.length(b, lo); if w == 0 { break }; lo += w }
                while hi > lo {
                    var p = hi - 1
                    while p > lo && (b[p] & 0xC0) == 0x80 { p -= 1 }
                    if PythonWhitespace.length(b, p) == hi - p { hi = p } else { break }
                }
                var out: [Int32] = []
                out.reserveCapacity(hi - lo)
                var i = lo
                while i < hi {
                    let c = UInt32(b[i])
                    if c < 0x80 { out.append(Int32(c)); i += 1 }
                    else if c < 0xE0 { out.append(Int32(((c & 0x1F) << 6) | (UInt32(b[i + 1]) & 0x3F))); i += 2 }
                    else if c < 0xF0 {
                        out.append(Int32(((c & 0x0F) << 12) | ((UInt32(b[i + 1]) & 0x3F) << 6) | (UInt32(b[i + 2]) & 0x3F))); i += 3
                    } else {
                        out.append(Int32(((c & 0x07) << 18) | ((UInt32(b[i + 1]) & 0x3F) << 12) | ((UInt32(b[i + 2]) & 0x3F) << 6)
                                         | (UInt32(b[i + 3]) & 0x3F))); i += 4
                    }
                }
                return out
            }
        case .word:
            // One pass equivalent to RemoveMultipleSpaces + Strip + split(" "): a space, or a run of two or
            // more whitespace characters, separates words; a single other whitespace character (tab,
            // no-break space) stays inside its word unless it is at either end of the line.
            return s.withUTF8Buffer { b in
                var ids: [Int32] = []
                let n = b.count
                var i = 0
                var start = -1
                while i < n {
                    let w = PythonWhitespace.length(b, i)
                    if w == 0 { if start < 0 { start = i }; i += 1; continue }
                    var k = i + w, chars = 1
                    while k < n { let w2 = PythonWhitespace.length(b, k); if w2 == 0 { break }; k += w2; chars += 1 }
                    let separates = chars >= 2 || b[i] == 0x20 || k == n || start < 0
                    if separates {
                        if start >= 0 { ids.append(interner.intern(b, start..<i)); start = -1 }
                    }
                    i = k
                }
                if start >= 0 { ids.append(interner.intern(b, start..<n)) }
                return ids
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

    /// Scores line pairs; `perLine` receives each pair's counts, in line order.
    /// - Parameter threads: lines are split into `threads` contiguous chunks scored in parallel, each
    ///   with its own interner and aligner (token ids only need to agree within a line pair); counts
    ///   are integers, so the result does not depend on the thread count.
    /// - Throws: ``ScoringError/emptyReference(file:line:)`` unless allowed (the first such line).
    public mutating func score(references: [String], hypotheses: [String], referenceName: String = "reference",
                               threads: Int = 1,
                               perLine: ((Int, ErrorRateResult) -> Void)? = nil) throws -> ErrorRateResult {
        precondition(references.count == hypotheses.count, "line counts differ")
        let n = references.count
        let chunks = max(1, min(threads, n / 1000 + 1))
        var results = [ErrorRateResult](repeating: ErrorRateResult(counts: EditCounts(), refLength: 0, hypLength: 0), count: n)
        var firstEmpty = [Int?](repeating: nil, count: chunks)
        if chunks == 1 {
            firstEmpty[0] = scoreRange(0..<n, references, hypotheses, into: &results)
        } else {
            let unit = self.unit, options = self.options
            results.withUnsafeMutableBufferPointer { out in
                firstEmpty.withUnsafeMutableBufferPointer { empty in
                    let box = ScoringPointers(results: out, empty: empty)
                    DispatchQueue.concurrentPerform(iterations: chunks) { c in
                        var worker = ErrorRate(unit: unit, options: options)
                        let range = (c * n / chunks)..<((c + 1) * n / chunks)
                        box.empty[c] = worker.scoreRange(range, references, hypotheses, into: box.results)
                    }
                }
            }
        }
        if let line = firstEmpty.compactMap({ $0 }).first {
            throw ScoringError.emptyReference(file: referenceName, line: line + 1)
        }
        var total = ErrorRateResult(counts: EditCounts(), refLength: 0, hypLength: 0)
        for i in 0..<n {
            let res = results[i]
            perLine?(i, res)
            total.counts += res.counts; total.refLength += res.refLength; total.hypLength += res.hypLength
        }
        return total
    }

    /// Scores lines `range` into `out`; returns the first line with an empty (disallowed) reference.
    private mutating func scoreRange(_ range: Range<Int>, _ references: [String], _ hypotheses: [String],
                                     into out: UnsafeMutableBufferPointer<ErrorRateResult>) -> Int? {
        for i in range {
            let r = tokens(references[i]), h = tokens(hypotheses[i])
            if r.isEmpty && !options.allowEmptyReferences { return i }
            out[i] = ErrorRateResult(counts: aligner.align(r, h), refLength: r.count, hypLength: h.count)
        }
        return nil
    }

    private mutating func scoreRange(_ range: Range<Int>, _ references: [String], _ hypotheses: [String],
                                     into out: inout [ErrorRateResult]) -> Int? {
        out.withUnsafeMutableBufferPointer { scoreRange(range, references, hypotheses, into: $0) }
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

/// Result slots handed to scoring workers; each worker writes only its own chunk's slots.
private final class ScoringPointers: @unchecked Sendable {
    let results: UnsafeMutableBufferPointer<ErrorRateResult>
    let empty: UnsafeMutableBufferPointer<Int?>
    init(results: UnsafeMutableBufferPointer<ErrorRateResult>, empty: UnsafeMutableBufferPointer<Int?>) {
        self.results = results
        self.empty = empty
    }
}
