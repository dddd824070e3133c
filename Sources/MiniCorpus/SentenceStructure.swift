/// The abstract sentence both languages are realised from: noun phrases with determiner, adjective,
/// noun, number and gender; clauses with a verb and its frame, tense, negation and adjuncts;
/// subordinate, relative and coordinated clauses; questions.

public enum Determiner: Sendable, Hashable {
    case definite, indefinite, this, every, no, many, some, several, two, three, bare
    case possessive(Pronoun)
}

public struct NounPhraseBody: Sendable, Hashable {
    public var noun: Noun
    public var number: GrammaticalNumber
    public var determiner: Determiner
    public var adjective: Adjective?
    /// "very" / "sehr" before the adjective.
    public var intensified: Bool
    public var relative: RelativeClause?

    public init(noun: Noun, number: GrammaticalNumber, determiner: Determiner, adjective: Adjective? = nil,
                intensified: Bool = false, relative: RelativeClause? = nil) {
        self.noun = noun
        self.number = number
        self.determiner = determiner
        self.adjective = adjective
        self.intensified = intensified
        self.relative = relative
    }
}

public indirect enum NounPhrase: Sendable, Hashable {
    case noun(NounPhraseBody)
    case pronoun(Pronoun)
    case and(NounPhrase, NounPhrase)
    /// Weather "it" / "es".
    case expletive

    public var person: Person {
        switch self {
        case let .noun(b): b.number == .singular ? .third : .thirdPlural
        case let .pronoun(p): p.person
        case .and: .thirdPlural
        case .expletive: .third
        }
    }

    public var isPronoun: Bool { if case .pronoun = self { true } else { false } }

    public var body: NounPhraseBody? { if case let .noun(b) = self { b } else { nil } }

    /// Gender and number of a noun phrase (for relative pronouns).
    var genderNumber: (Gender, GrammaticalNumber) {
        switch self {
        case let .noun(b): (b.noun.gender, b.number)
        case .and: (.masculine, .plural)
        case let .pronoun(p): (p == .she ? .feminine : .masculine, p.person.isPlural ? .plural : .singular)
        case .expletive: (.neuter, .singular)
        }
    }
}

/// A relative clause: the antecedent is the clause's subject (`subject` gap) or its object.
public struct RelativeClause: Sendable, Hashable {
    public enum Gap: Sendable, Hashable { case subject, object }
    public var gap: Gap
    public var clause: Clause
    public init(gap: Gap, clause: Clause) {
        self.gap = gap
        self.clause = clause
    }
}

/// A prepositional phrase with a German dative ("in the garden" / "im Garten").
public struct PlacePhrase: Sendable, Hashable {
    public var english: String
    public var german: String
    public var object: NounPhrase
    public init(english: String, german: String, object: NounPhrase) {
        self.english = english
        self.german = german
        self.object = object
    }
}

public enum Modal: Sendable, Hashable { case can, must, want }

public enum Tense: Sendable, Hashable {
    case present, progressive, past, future
    case modal(Modal, past: Bool)

    var isPastLike: Bool {
        switch self {
        case .past: true
        case let .modal(_, past): past
        default: false
        }
    }
}

public struct ClauseComplement: Sendable, Hashable {
    public var whether: Bool
    public var clause: Clause
    public init(whether: Bool, clause: Clause) {
        self.whether = whether
        self.clause = clause
    }
}

public indirect enum Predicate: Sendable, Hashable {
    case intransitive(Verb)
    /// One object; nil is the gap of a relative clause or a wh-question.
    case transitive(Verb, Complement, NounPhrase?)
    /// recipientFirst: English double-object order ("gave the teacher a book").
    case ditransitive(Verb, recipient: NounPhrase, theme: NounPhrase, englishPreposition: String, recipientFirst: Bool)
    case clause(Verb, person: NounPhrase?, personCase: GrammaticalCase?, englishPreposition: String?, ClauseComplement)
    /// "is (very) old" / "ist (sehr) alt"; intensifier pair (very, sehr), (too, zu), (quite, ziemlich).
    case copula(Adjective, intensifier: Intensifier?)
    /// "is in the garden" / "ist im Garten".
    case copulaPlace(PlacePhrase)
    /// "there is a dog" / "es gibt einen Hund".
    case existential(NounPhrase)
}

public enum Intensifier: Sendable, Hashable {
    case very, too, quite, really
    var english: String { switch self { case .very: "very"; case .too: "too"; case .quite: "quite"; case .really: "really" } }
    var german: String { switch self { case .very: "sehr"; case .too: "zu"; case .quite: "ziemlich"; case .really: "wirklich" } }
}

public struct Clause: Sendable, Hashable {
    /// nil: the gap of a subject relative clause or of a who-question.
    public var subject: NounPhrase?
    public var predicate: Predicate
    public var tense: Tense
    public var negated = false
    public var time: Adverb?
    public var timeFronted = false
    public var frequency: Adverb?
    public var manner: Adverb?
    public var place: PlacePhrase?
    public var placeFronted = false
    /// "with X" / "mit X".
    public var companion: NounPhrase?
    /// "for X" / "für X".
    public var beneficiary: NounPhrase?

    public init(subject: NounPhrase?, predicate: Predicate, tense: Tense) {
        self.subject = subject
        self.predicate = predicate
        self.tense = tense
    }
}

public enum Subordinator: Sendable, Hashable, CaseIterable {
    case because, when, whenPast, ifCondition, although, whileAt, before, asSoonAs

    var english: String {
        switch self {
        case .because: "because"
        case .when, .whenPast: "when"
        case .ifCondition: "if"
        case .although: "although"
        case .whileAt: "while"
        case .before: "before"
        case .asSoonAs: "as soon as"
        }
    }
    var german: String {
        switch self {
        case .because: "weil"
        case .when: "wenn"
        case .whenPast: "als"
        case .ifCondition: "wenn"
        case .although: "obwohl"
        case .whileAt: "während"
        case .before: "bevor"
        case .asSoonAs: "sobald"
        }
    }
}

public enum WhTarget: Sendable, Hashable {
    case whereQ, whenQ, whyQ, howQ
    /// The subject (a person): who / wer.
    case whoSubject
    /// The object of a transitive verb (no preposition): who/what, wen/wem/was.
    case object(person: Bool)

    var english: String {
        switch self {
        case .whereQ: "where"
        case .whenQ: "when"
        case .whyQ: "why"
        case .howQ: "how"
        case .whoSubject: "who"
        case let .object(person): person ? "who" : "what"
        }
    }
    func german(objectCase: GrammaticalCase) -> String {
        switch self {
        case .whereQ: "wo"
        case .whenQ: "wann"
        case .whyQ: "warum"
        case .howQ: "wie"
        case .whoSubject: "wer"
        case let .object(person): person ? (objectCase == .dative ? "wem" : "wen") : "was"
        }
    }
}

public indirect enum Sentence: Sendable, Hashable {
    case statement(Clause)
    case complex(main: Clause, Subordinator, sub: Clause, subordinateFirst: Bool)
    case coordinated(Clause, Clause, but: Bool)
    case yesNo(Clause)
    /// The clause's questioned constituent is removed (place, time, manner, subject or object gap).
    case wh(Clause, WhTarget)
}
