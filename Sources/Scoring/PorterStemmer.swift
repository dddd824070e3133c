/// NLTK's `PorterStemmer` in its default `NLTK_EXTENSIONS` mode (nltk 3.x), which rouge-score 0.1.2
/// uses, on ASCII lower-case words (rouge-score only stems `[a-z0-9]` tokens longer than 3).
///
/// A line-by-line port of the rules: steps 1a–5b with NLTK's extensions (irregular forms, `ies`/`ied`
/// on 4-letter words, `alli`, `fulli`, `logi`, the `bli` rule, the 2-letter cvc case).
public struct PorterStemmer: Sendable {
    static let pool: [String: String] = {
        let irregular: [String: [String]] = [
            "sky": ["sky", "skies"], "die": ["dying"], "lie": ["lying"], "tie": ["tying"], "news": ["news"],
            "inning": ["innings", "inning"], "outing": ["outings", "outing"], "canning": ["cannings", "canning"],
            "howe": ["howe"], "proceed": ["proceed"], "exceed": ["exceed"], "succeed": ["succeed"],
        ]
        var p: [String: String] = [:]
        for (k, vs) in irregular { for v in vs { p[v] = k } }
        return p
    }()

    public init() {}

    typealias W = [UInt8]

    @inline(__always) static func isVowel(_ c: UInt8) -> Bool {
        c == 0x61 || c == 0x65 || c == 0x69 || c == 0x6F || c == 0x75
    }
    static let y: UInt8 = 0x79

    /// `_is_consonant` (the looping version NLTK keeps for `_ends_double_consonant` and `_ends_cvc`).
    static func isConsonant(_ w: W, _ iIn: Int) -> Bool {
        var i = iIn
        if isVowel(w[i]) { return false }
        if w[i] == y {
            var negate = false
            while i > 0 && w[i] == y { negate.toggle(); i -= 1 }
            return (!isVowel(w[i])) != negate
        }
        return true
    }

    /// `_consonant_flags`.
    static func consonantFlags(_ w: ArraySlice<UInt8>) -> [Bool] {
        var f: [Bool] = []
        f.reserveCapacity(w.count)
        for (k, c) in w.enumerated() {
            if isVowel(c) { f.append(false) } else if c == y { f.append(k == 0 ? true : !f[k - 1]) } else { f.append(true) }
        }
        return f
    }

    /// Number of `vc` sequences.
    static func measure(_ w: ArraySlice<UInt8>) -> Int {
        let f = consonantFlags(w)
        var m = 0
        if f.count >= 2 { for k in 1..<f.count where !f[k - 1] && f[k] { m += 1 } }
        return m
    }
    static func measure(_ w: W) -> Int { measure(w[...]) }
    static func containsVowel(_ w: W) -> Bool { consonantFlags(w[...]).contains(false) }

    static func endsDoubleConsonant(_ w: W) -> Bool {
        w.count >= 2 && w[w.count - 1] == w[w.count - 2] && isConsonant(w, w.count - 1)
    }

    static func endsCVC(_ w: W) -> Bool {
        let n = w.count
        if n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1)
            && w[n - 1] != 0x77 && w[n - 1] != 0x78 && w[n - 1] != y { return true }
        return n == 2 && !isConsonant(w, 0) && isConsonant(w, 1)
    }

    static func ends(_ w: W, _ s: W) -> Bool {
        w.count >= s.count && w[(w.count - s.count)...].elementsEqual(s)
    }

    /// A rule: suffix, replacement, condition on the stem (nil = always). `*d` = double consonant.
    struct Rule { var suffix: W; var replacement: W; var condition: ((W) -> Bool)? ; var doubleD = false }

    static func r(_ s: String, _ t: String, _ c: ((W) -> Bool)?) -> Rule { Rule(suffix: Array(s.utf8), replacement: Array(t.utf8), condition: c) }

    static func applyRules(_ w: W, _ rules: [Rule]) -> W {
        for rule in rules {
            if rule.doubleD && endsDoubleConsonant(w) {
                let stem = Array(w.dropLast(2))
                if rule.condition == nil || rule.condition!(stem) { return stem + rule.replacement }
                return w
            }
            if !rule.doubleD && ends(w, rule.suffix) {
                let stem = Array(w.dropLast(rule.suffix.count))
                if rule.condition == nil || rule.condition!(stem) { return stem + rule.replacement }
                return w
            }
        }
        return w
    }

    static func positive(_ w: W) -> Bool { measure(w) > 0 }
    static func gt1(_ w: W) -> Bool { measure(w) > 1 }

    static func step1a(_ w: W) -> W {
        if ends(w, Array("ies".utf8)) && w.count == 4 { return Array(w.dropLast(3)) + Array("ie".utf8) }
        return applyRules(w, [r("sses", "ss", nil), r("ies", "i", nil), r("ss", "ss", nil), r("s", "", nil)])
    }

    static func step1b(_ w: W) -> W {
        if ends(w, Array("ied".utf8)) {
            return Array(w.dropLast(3)) + Array((w.count == 4 ? "ie" : "i").utf8)
        }
        if ends(w, Array("eed".utf8)) {
            let stem = Array(w.dropLast(3))
            return measure(stem) > 0 ? stem + Array("ee".utf8) : w
        }
        var inter: W? = nil
        for suf in ["ed", "ing"] {
            let s = Array(suf.utf8)
            if ends(w, s) {
                let st = Array(w.dropLast(s.count))
                if containsVowel(st) { inter = st; break }
            }
        }
        guard let st = inter else { return w }
        var dd = Rule(suffix: [], replacement: st.isEmpty ? [] : [st[st.count - 1]], condition: { _ in
            let last = st[st.count - 1]
            return last != 0x6C && last != 0x73 && last != 0x7A
        })
        dd.doubleD = true
        return applyRules(st, [
            r("at", "ate", nil), r("bl", "ble", nil), r("iz", "ize", nil), dd,
            r("", "e", { measure($0) == 1 && endsCVC($0) }),
        ])
    }

    static func step1c(_ w: W) -> W {
        applyRules(w, [r("y", "i", { $0.count > 1 && isConsonant($0, $0.count - 1) })])
    }

    static func step2(_ w: W) -> W {
        if ends(w, Array("alli".utf8)) && measure(Array(w.dropLast(4))) > 0 {
            return step2(Array(w.dropLast(4)) + Array("al".utf8))
        }
        var rules: [Rule] = [
            r("ational", "ate", positive), r("tional", "tion", positive), r("enci", "ence", positive),
            r("anci", "ance", positive), r("izer", "ize", positive), r("bli", "ble", positive),
            r("alli", "al", positive), r("entli", "ent", positive), r("eli", "e", positive),
            r("ousli", "ous", positive), r("ization", "ize", positive), r("ation", "ate", positive),
            r("ator", "ate", positive), r("alism", "al", positive), r("iveness", "ive", positive),
            r("fulness", "ful", positive), r("ousness", "ous", positive), r("aliti", "al", positive),
            r("iviti", "ive", positive), r("biliti", "ble", positive), r("fulli", "ful", positive),
        ]
        let word = w
        rules.append(r("logi", "log", { _ in measure(Array(word.dropLast(3))) > 0 }))
        return applyRules(w, rules)
    }

    static func step3(_ w: W) -> W {
        applyRules(w, [
            r("icate", "ic", positive), r("ative", "", positive), r("alize", "al", positive),
            r("iciti", "ic", positive), r("ical", "ic", positive), r("ful", "", positive), r("ness", "", positive),
        ])
    }

    static func step4(_ w: W) -> W {
        applyRules(w, [
            r("al", "", gt1), r("ance", "", gt1), r("ence", "", gt1), r("er", "", gt1), r("ic", "", gt1),
            r("able", "", gt1), r("ible", "", gt1), r("ant", "", gt1), r("ement", "", gt1), r("ment", "", gt1),
            r("ent", "", gt1),
            r("ion", "", { measure($0) > 1 && ($0.last == 0x73 || $0.last == 0x74) }),
            r("ou", "", gt1), r("ism", "", gt1), r("ate", "", gt1), r("iti", "", gt1), r("ous", "", gt1),
            r("ive", "", gt1), r("ize", "", gt1),
        ])
    }

    static func step5a(_ w: W) -> W {
        if w.last == 0x65 {
            let stem = Array(w.dropLast())
            let m = measure(stem)
            if m > 1 { return stem }
            if m == 1 && !endsCVC(stem) { return stem }
        }
        return w
    }

    static func step5b(_ w: W) -> W {
        let word = w
        return applyRules(w, [r("ll", "l", { _ in measure(Array(word.dropLast())) > 1 })])
    }

    /// The stem of `word` (lower-cased first, as NLTK's `stem(word)` does).
    public func stem(_ word: String) -> String {
        let lower = word.lowercased()
        if let p = Self.pool[lower] { return p }
        if word.unicodeScalars.count <= 2 { return lower }
        var w = Array(lower.utf8)
        w = Self.step1a(w); w = Self.step1b(w); w = Self.step1c(w); w = Self.step2(w)
        w = Self.step3(w); w = Self.step4(w); w = Self.step5a(w); w = Self.step5b(w)
        return String(decoding: w, as: UTF8.self)
    }
}
