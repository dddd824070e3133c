/// English spelling rules the lexicon relies on.
public enum English {
    static let vowels: Set<Character> = ["a", "e", "i", "o", "u"]

    /// sees, watches, goes, carries, plays.
    public static func thirdPerson(_ base: String) -> String {
        if base.hasSuffix("s") || base.hasSuffix("sh") || base.hasSuffix("ch") || base.hasSuffix("x")
            || base.hasSuffix("z") || base.hasSuffix("o") { return base + "es" }
        if base.hasSuffix("y"), let before = base.dropLast().last, !vowels.contains(before) {
            return String(base.dropLast()) + "ies"
        }
        return base + "s"
    }

    /// seeing, writing, reading (doubling of a final consonant is given by the lexicon).
    public static func ingForm(_ base: String) -> String {
        if base.hasSuffix("ie") { return String(base.dropLast(2)) + "ying" }
        if base.hasSuffix("e") && !base.hasSuffix("ee") && !base.hasSuffix("ye") && !base.hasSuffix("oe") && base.count > 2 {
            return String(base.dropLast()) + "ing"
        }
        return base + "ing"
    }

    /// "a" or "an" before `word` (the lexicon avoids words like "hour" and "university").
    public static func indefiniteArticle(before word: String) -> String {
        guard let c = word.lowercased().first else { return "a" }
        return vowels.contains(c) ? "an" : "a"
    }

    /// am/is/are, was/were.
    public static func be(_ person: Person, past: Bool) -> String {
        if past { return person == .first || person == .third ? "was" : "were" }
        switch person {
        case .first: return "am"
        case .third: return "is"
        default: return "are"
        }
    }
}

/// German inflection: present tense, auxiliaries and modals, determiners and adjective endings.
public enum German {
    static let consonantsBeforeNasalWithoutE: Set<Character> = ["l", "r", "m", "n", "h"]

    /// The six present forms (ich, du, er, wir, ihr, sie) of a regular verb from its infinitive.
    public static func regularPresent(_ infinitive: String) -> [String] {
        let eln = infinitive.hasSuffix("eln"), ern = infinitive.hasSuffix("ern")
        if eln || ern {
            let stem = String(infinitive.dropLast()) // lächel, flüster
            let first = eln ? String(stem.dropLast(2)) + "le" : stem + "e"
            return [first, stem + "st", stem + "t", infinitive, stem + "t", infinitive]
        }
        let stem = String(infinitive.dropLast(2))
        var needsE = stem.hasSuffix("t") || stem.hasSuffix("d") || stem.hasSuffix("chn")
        if (stem.hasSuffix("n") || stem.hasSuffix("m")) && stem.count >= 2 {
            let before = stem[stem.index(stem.endIndex, offsetBy: -2)]
            if !English.vowels.contains(before) && !"äöüy".contains(before) && !consonantsBeforeNasalWithoutE.contains(before) {
                needsE = true
            }
        }
        let sibilant = stem.hasSuffix("s") || stem.hasSuffix("ß") || stem.hasSuffix("z") || stem.hasSuffix("x")
        let e = needsE ? "e" : ""
        let du = sibilant ? stem + "t" : stem + e + "st"
        return [stem + "e", du, stem + e + "t", infinitive, stem + e + "t", infinitive]
    }

    public static let sein = ["bin", "bist", "ist", "sind", "seid", "sind"]
    public static let seinPast = ["war", "warst", "war", "waren", "wart", "waren"]
    public static let haben = ["habe", "hast", "hat", "haben", "habt", "haben"]
    public static let werden = ["werde", "wirst", "wird", "werden", "werdet", "werden"]

    /// Modal verbs: present and simple past forms.
    public static func modal(_ m: ModalVerb, past: Bool) -> [String] {
        switch (m, past) {
        case (.koennen, false): ["kann", "kannst", "kann", "können", "könnt", "können"]
        case (.koennen, true): ["konnte", "konntest", "konnte", "konnten", "konntet", "konnten"]
        case (.muessen, false): ["muss", "musst", "muss", "müssen", "müsst", "müssen"]
        case (.muessen, true): ["musste", "musstest", "musste", "mussten", "musstet", "mussten"]
        case (.wollen, false): ["will", "willst", "will", "wollen", "wollt", "wollen"]
        case (.wollen, true): ["wollte", "wolltest", "wollte", "wollten", "wolltet", "wollten"]
        case (.duerfen, false): ["darf", "darfst", "darf", "dürfen", "dürft", "dürfen"]
        case (.duerfen, true): ["durfte", "durftest", "durfte", "durften", "durftet", "durften"]
        }
    }

    public enum ModalVerb: Sendable { case koennen, muessen, wollen, duerfen }

    static func index(_ g: Gender, _ n: GrammaticalNumber) -> Int {
        if n == .plural { return 3 }
        switch g { case .masculine: return 0; case .feminine: return 1; case .neuter: return 2 }
    }
    static func row(_ c: GrammaticalCase) -> Int {
        switch c { case .nominative: 0; case .accusative: 1; case .dative: 2 }
    }

    /// Definite article, also the relative pronoun apart from the dative plural (denen).
    static let definite = [["der", "die", "das", "die"], ["den", "die", "das", "die"], ["dem", "der", "dem", "den"]]
    /// dieser/jeder endings.
    static let strongEndings = [["er", "e", "es", "e"], ["en", "e", "es", "e"], ["em", "er", "em", "en"]]
    /// ein/kein/mein endings (none in the masculine nominative and neuter nominative/accusative).
    static let einEndings = [["", "e", "", "e"], ["en", "e", "", "e"], ["em", "er", "em", "en"]]
    /// Adjective endings after der/dieser/jeder.
    static let weakAdjective = [["e", "e", "e", "en"], ["en", "e", "e", "en"], ["en", "en", "en", "en"]]
    /// Adjective endings after ein/kein/mein.
    static let mixedAdjective = [["er", "e", "es", "en"], ["en", "e", "es", "en"], ["en", "en", "en", "en"]]
    /// Adjective endings with no article or after plural viele/einige/zwei.
    static let strongAdjective = [["er", "e", "es", "e"], ["en", "e", "es", "e"], ["em", "er", "em", "en"]]

    public static func definiteArticle(_ g: Gender, _ n: GrammaticalNumber, _ c: GrammaticalCase) -> String {
        definite[row(c)][index(g, n)]
    }

    public static func relativePronoun(_ g: Gender, _ n: GrammaticalNumber, _ c: GrammaticalCase) -> String {
        if n == .plural && c == .dative { return "denen" }
        return definite[row(c)][index(g, n)]
    }
}
