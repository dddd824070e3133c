/// The word types of the mini corpus: nouns, adjectives, verbs and adverbs with their English forms and
/// the German forms the realiser needs (gender, plural, weak declension, conjugation, participle and
/// auxiliary, separable prefixes, case frames). The entries themselves are in `LexiconData.swift` and
/// `VerbData.swift`.

public enum Gender: Sendable, Hashable { case masculine, feminine, neuter }
public enum GrammaticalCase: Sendable, Hashable { case nominative, accusative, dative }
public enum GrammaticalNumber: Sendable, Hashable { case singular, plural }

/// Semantic classes that keep sentences sensible (nobody reads a cat).
public struct NounClass: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let person = NounClass(rawValue: 1 << 0)      // P
    public static let animal = NounClass(rawValue: 1 << 1)      // A
    public static let food = NounClass(rawValue: 1 << 2)        // F
    public static let object = NounClass(rawValue: 1 << 3)      // O: a portable thing
    public static let text = NounClass(rawValue: 1 << 4)        // T: something to read or write
    public static let vehicle = NounClass(rawValue: 1 << 5)     // V
    public static let place = NounClass(rawValue: 1 << 6)       // L: has a locative preposition
    public static let idea = NounClass(rawValue: 1 << 7)        // I: abstract
    public static let media = NounClass(rawValue: 1 << 8)       // M: film, song, photo
    public static let landmark = NounClass(rawValue: 1 << 9)    // R: "under/behind/next to the ..."
    public static let openable = NounClass(rawValue: 1 << 10)   // C
    public static let building = NounClass(rawValue: 1 << 11)   // B: can be built
    public static let concrete: NounClass = [.person, .animal, .food, .object, .text, .vehicle, .place, .media]
    public static let animate: NounClass = [.person, .animal]

    static func parse(_ letters: Substring) -> NounClass {
        var c: NounClass = []
        for ch in letters {
            switch ch {
            case "P": c.insert(.person)
            case "A": c.insert(.animal)
            case "F": c.insert(.food)
            case "O": c.insert(.object)
            case "T": c.insert(.text)
            case "V": c.insert(.vehicle)
            case "L": c.insert(.place)
            case "I": c.insert(.idea)
            case "M": c.insert(.media)
            case "R": c.insert(.landmark)
            case "C": c.insert(.openable)
            case "B": c.insert(.building)
            case "*": c.formUnion(.concrete)
            default: preconditionFailure("unknown noun class letter \(ch)")
            }
        }
        return c
    }
}

public struct Noun: Sendable, Hashable {
    public let english: String
    public let englishPlural: String
    public let gender: Gender
    public let german: String
    public let germanPlural: String
    /// n-declension (der Junge, den Jungen, dem Jungen): the oblique singular is the plural form.
    public let weak: Bool
    public let classes: NounClass
    /// Locative prepositions for places: "at the station" / "am Bahnhof".
    public let location: (english: String, german: String)?

    public static func == (a: Noun, b: Noun) -> Bool { a.english == b.english && a.german == b.german }
    public func hash(into h: inout Hasher) { h.combine(english); h.combine(german) }

    public func englishForm(_ number: GrammaticalNumber) -> String { number == .singular ? english : englishPlural }

    /// The German form for a number and case (dative plural adds -n unless the plural ends in -n or -s).
    public func germanForm(_ number: GrammaticalNumber, _ c: GrammaticalCase) -> String {
        switch number {
        case .singular: return weak && c != .nominative ? germanPlural : german
        case .plural:
            if c == .dative && !(germanPlural.hasSuffix("n") || germanPlural.hasSuffix("s")) { return germanPlural + "n" }
            return germanPlural
        }
    }
}

public struct Adjective: Sendable, Hashable {
    public let english: String
    /// The predicative (uninflected) German form.
    public let german: String
    /// The stem endings attach to (dunkel → dunkl, teuer → teur, hoch → hoh).
    public let germanStem: String
    public let classes: NounClass

    /// The attributive form with an ending; a stem ending in -e takes no second e (müde → müde, müden).
    public func german(ending: String) -> String {
        if germanStem.hasSuffix("e") { return germanStem + String(ending.dropFirst()) }
        return germanStem + ending
    }
}

public enum AdverbKind: Sendable, Hashable {
    /// yesterday, last week: past only.
    case pastTime
    /// tomorrow, next year: future only.
    case futureTime
    /// today, in the morning: any tense.
    case anyTime
    /// often, always: frequency (simple present or past).
    case frequency
    /// quickly, carefully.
    case manner
}

public struct Adverb: Sendable, Hashable {
    public let english: String
    public let german: String
    public let kind: AdverbKind
}

/// German auxiliary of the perfect.
public enum Auxiliary: Sendable, Hashable { case haben, sein }

/// A complement of a verb: which nouns it takes, with which English preposition (if any) and German
/// preposition and case.
public struct Complement: Sendable, Hashable {
    public let classes: NounClass
    /// Further nouns accepted by name (English singular), whatever their classes.
    public let only: [String]
    public let englishPreposition: String?
    public let germanPreposition: String?
    public let germanCase: GrammaticalCase

    public func accepts(_ noun: Noun) -> Bool {
        !noun.classes.isDisjoint(with: classes) || only.contains(noun.english)
    }
}

public enum VerbFrame: Sendable, Hashable {
    case intransitive
    /// One object: accusative, dative or prepositional.
    case transitive(Complement)
    /// A person in the dative and a thing in the accusative ("give the teacher a book",
    /// "give a book to the teacher"); English uses `preposition` (to, for) for the person.
    case ditransitive(recipient: NounClass, theme: Complement, englishPreposition: String)
    /// A that-clause ("says that ..."), or a whether-clause; optionally with a person in `personCase`
    /// ("tells the children that ...", "asks the teacher whether ..."), English preposition before the person.
    case clause(whether: Bool, personCase: GrammaticalCase?, englishPreposition: String?)
}

public struct Verb: Sendable, Hashable {
    // English
    public let english: String
    public let englishPast: String
    public let englishParticiple: String
    public let englishThird: String
    public let englishIng: String
    /// Particle of a phrasal verb ("pick up", "wake up"): after a pronoun object, before a noun object.
    public let englishParticle: String?
    // German
    /// Infinitive without the separable prefix (rufen for anrufen).
    public let germanInfinitive: String
    /// Separable prefix (an, zu, spazieren).
    public let germanPrefix: String?
    /// Whether prefix and verb are written as one word (anrufen) or two (spazieren gehen).
    public let prefixJoined: Bool
    /// The full past participle (angerufen, spazieren gegangen).
    public let germanParticiple: String
    public let auxiliary: Auxiliary
    /// Present tense forms ich, du, er/sie/es, wir, ihr, sie of the verb without prefix.
    public let germanPresent: [String]
    public let subjects: NounClass
    public let frames: [VerbFrame]
    /// Stative verbs (know, like, see) take no progressive.
    public let stative: Bool
    /// Verbs that want a place adjunct (live, stay).
    public let wantsPlace: Bool

    /// The infinitive with the prefix (anrufen, spazieren gehen).
    public var germanFullInfinitive: String {
        guard let p = germanPrefix else { return germanInfinitive }
        return prefixJoined ? p + germanInfinitive : p + " " + germanInfinitive
    }
}

/// Grammatical person for agreement: 1st/2nd/3rd singular and plural.
public enum Person: Int, Sendable, Hashable, CaseIterable {
    case first = 0, second, third, firstPlural, secondPlural, thirdPlural

    public var isPlural: Bool { rawValue >= 3 }
    public var isThirdSingular: Bool { self == .third }
}

/// Personal pronouns (persons only; no anaphoric "it").
public enum Pronoun: Sendable, Hashable, CaseIterable {
    case i, you, he, she, we, they

    public var person: Person {
        switch self {
        case .i: .first
        case .you: .second
        case .he, .she: .third
        case .we: .firstPlural
        case .they: .thirdPlural
        }
    }

    public var englishSubject: String {
        switch self { case .i: "I"; case .you: "you"; case .he: "he"; case .she: "she"; case .we: "we"; case .they: "they" }
    }
    public var englishObject: String {
        switch self { case .i: "me"; case .you: "you"; case .he: "him"; case .she: "her"; case .we: "us"; case .they: "them" }
    }
    public var englishPossessive: String {
        switch self { case .i: "my"; case .you: "your"; case .he: "his"; case .she: "her"; case .we: "our"; case .they: "their" }
    }

    public func german(_ c: GrammaticalCase) -> String {
        switch (self, c) {
        case (.i, .nominative): "ich"
        case (.i, .accusative): "mich"
        case (.i, .dative): "mir"
        case (.you, .nominative): "du"
        case (.you, .accusative): "dich"
        case (.you, .dative): "dir"
        case (.he, .nominative): "er"
        case (.he, .accusative): "ihn"
        case (.he, .dative): "ihm"
        case (.she, .nominative), (.she, .accusative): "sie"
        case (.she, .dative): "ihr"
        case (.we, .nominative): "wir"
        case (.we, .accusative), (.we, .dative): "uns"
        case (.they, .nominative), (.they, .accusative): "sie"
        case (.they, .dative): "ihnen"
        }
    }
    /// Stem of the German possessive (mein, dein, sein, ihr, unser, ihr).
    public var germanPossessive: String {
        switch self { case .i: "mein"; case .you: "dein"; case .he: "sein"; case .she: "ihr"; case .we: "unser"; case .they: "ihr" }
    }
}

/// The whole lexicon, built once from the tables.
public struct Lexicon: Sendable {
    public let nouns: [Noun]
    public let adjectives: [Adjective]
    public let verbs: [Verb]
    public let adverbs: [Adverb]

    public static let standard = Lexicon(nouns: LexiconData.nouns(), adjectives: LexiconData.adjectives(),
                                         verbs: VerbData.verbs(), adverbs: LexiconData.adverbs())

    public func noun(_ english: String) -> Noun {
        guard let n = nouns.first(where: { $0.english == english }) else { preconditionFailure("no noun \(english)") }
        return n
    }
    public func adjective(_ english: String) -> Adjective {
        guard let a = adjectives.first(where: { $0.english == english }) else { preconditionFailure("no adjective \(english)") }
        return a
    }
    public func verb(_ english: String) -> Verb {
        guard let v = verbs.first(where: { $0.english == english }) else { preconditionFailure("no verb \(english)") }
        return v
    }
}
