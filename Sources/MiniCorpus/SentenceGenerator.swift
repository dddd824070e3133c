import SeededRandom

/// One sentence pair generated from one abstract structure.
public struct SentencePair: Sendable, Hashable {
    public var english: String
    public var german: String
    public var structure: Sentence
    public var englishWordCount: Int { english.split(separator: " ").count }
}

/// Draws abstract sentences from the grammar (seeded) and realises them in both languages.
///
/// Sentence shapes: statements with optional fronted time or place adverbials, subordinate clauses
/// (because/when/if/although/while/before/as soon as), that- and whether-complements, coordination with
/// and/but, relative clauses on subjects and objects, yes/no and wh-questions, copula and existential
/// sentences; 5–20 English words.
public struct SentenceGenerator {
    public let lexicon: Lexicon
    public var rng: Xoshiro256
    public var minWords = 5
    public var maxWords = 20

    let subjectVerbs: [Verb]
    let clauseVerbs: [Verb]
    let persons: [Noun]
    let places: [Noun]
    let landmarks: [Noun]
    let weatherAdjectives: [Adjective]
    let rain: Verb
    let snow: Verb
    static let beneficiaryVerbs: Set<String> = ["bake", "cook", "build", "buy", "draw", "write", "paint", "repair", "prepare", "order", "choose", "find"]
    /// Verbs whose English recipient always takes "to" ("explain the plan to her", not "explain her the plan").
    static let prepositionalOnly: Set<String> = ["explain", "recommend"]
    static let spatial: [(String, String)] = [("under", "unter"), ("behind", "hinter"), ("next to", "neben"), ("in front of", "vor")]

    public init(seed: UInt64, lexicon: Lexicon = .standard) {
        self.lexicon = lexicon
        rng = Xoshiro256(seed: seed)
        subjectVerbs = lexicon.verbs.filter { !$0.subjects.isEmpty }
        clauseVerbs = subjectVerbs.filter { v in v.frames.contains { if case .clause = $0 { true } else { false } } }
        persons = lexicon.nouns.filter { $0.classes.contains(.person) }
        places = lexicon.nouns.filter { $0.location != nil }
        landmarks = lexicon.nouns.filter { $0.classes.contains(.landmark) }
        weatherAdjectives = [("cold", "kalt"), ("warm", "warm"), ("dark", "dunkel"), ("late", "spät"), ("windy", "windig"),
                             ("sunny", "sonnig"), ("foggy", "neblig"), ("quiet", "ruhig")]
            .map { Adjective(english: $0.0, german: $0.1, germanStem: $0.1, classes: []) }
        rain = VerbData.parse("rain/rained/rained ; regnen ; geregnet ; h ; - ;  ; i")
        snow = VerbData.parse("snow/snowed/snowed ; schneien ; geschneit ; h ; - ;  ; i")
    }

    // MARK: random helpers

    mutating func chance(_ p: Double) -> Bool { rng.nextUnitDouble() < p }
    mutating func pick<T>(_ xs: [T]) -> T { xs[rng.nextInt(0, xs.count)] }
    mutating func weighted<T>(_ xs: [(T, Double)]) -> T {
        let total = xs.reduce(0) { $0 + $1.1 }
        var u = rng.nextUnitDouble() * total
        for (x, w) in xs {
            if u < w { return x }
            u -= w
        }
        return xs[xs.count - 1].0
    }

    // MARK: sentences

    /// The next sentence pair with 5–20 English words.
    public mutating func next() -> SentencePair {
        while true {
            let s = sentence()
            let pair = SentencePair(english: EnglishRealiser.realise(s), german: GermanRealiser.realise(s), structure: s)
            if (minWords...maxWords).contains(pair.englishWordCount) { return pair }
        }
    }

    enum Shape { case statement, complex, reported, coordinated, relative, yesNo, wh, existential, copula, weather }

    public mutating func sentence() -> Sentence {
        let shape = weighted([(Shape.statement, 26), (.complex, 18), (.reported, 11), (.coordinated, 7), (.relative, 12),
                              (.yesNo, 6), (.wh, 7), (.existential, 4), (.copula, 6), (.weather, 3)])
        switch shape {
        case .statement:
            return .statement(clause(tense: anyTense(), fronting: true))
        case .complex:
            return complex()
        case .reported:
            let tense = weighted([(Tense.present, 3), (.past, 5), (.future, 1)])
            return .statement(clause(tense: tense, verbs: clauseVerbs, forceClause: true, fronting: true))
        case .coordinated:
            let t = anyTense()
            let t2 = chance(0.6) ? t : anyTense()
            return .coordinated(clause(tense: t, adjunctBudget: 1), clause(tense: t2, adjunctBudget: 1), but: chance(0.5))
        case .relative:
            var c = clause(tense: anyTense(), fronting: true, adjunctBudget: 1)
            addRelative(&c)
            return .statement(c)
        case .yesNo:
            return .yesNo(clause(tense: questionTense(), negation: false, fronting: false))
        case .wh:
            return whQuestion()
        case .existential:
            return .statement(existential())
        case .copula:
            return .statement(copula(tense: weighted([(Tense.present, 5), (.past, 4), (.future, 1)])))
        case .weather:
            return weatherSentence()
        }
    }

    mutating func anyTense() -> Tense {
        weighted([(Tense.present, 22), (.progressive, 8), (.past, 34), (.future, 12),
                  (.modal(.can, past: false), 5), (.modal(.can, past: true), 3), (.modal(.must, past: false), 4),
                  (.modal(.must, past: true), 3), (.modal(.want, past: false), 5), (.modal(.want, past: true), 4)])
    }

    mutating func questionTense() -> Tense {
        weighted([(Tense.present, 3), (.progressive, 1), (.past, 4), (.future, 2), (.modal(.can, past: false), 1),
                  (.modal(.want, past: false), 1)])
    }

    mutating func complex() -> Sentence {
        let mainTense = weighted([(Tense.present, 3), (.past, 5), (.future, 3), (.modal(.can, past: false), 0.7),
                                  (.modal(.must, past: false), 0.5), (.modal(.want, past: true), 0.5)])
        let past = mainTense.isPastLike
        var options: [(Subordinator, Double)] = [(.because, 4), (.although, 2), (.before, 1.5), (.asSoonAs, 1)]
        if past { options.append((.whenPast, 3)) } else { options += [(.when, 2.5), (.ifCondition, 2.5), (.whileAt, 1)] }
        let conj = weighted(options)
        var subTense: Tense
        switch conj {
        case .because, .although:
            subTense = past ? weighted([(Tense.past, 4), (.modal(.can, past: true), 1), (.modal(.want, past: true), 1)])
                : weighted([(Tense.present, 3), (.progressive, 1), (.past, 2), (.modal(.must, past: false), 1), (.modal(.can, past: false), 1)])
        case .whenPast: subTense = .past
        case .when, .ifCondition, .asSoonAs, .before:
            subTense = past ? .past : .present
        case .whileAt: subTense = weighted([(Tense.present, 1), (.progressive, 2)])
        }
        if conj == .before || conj == .asSoonAs, past { subTense = .past }
        let subordinateFirst = chance(0.35)
        let weatherSub = chance(0.12)
        let sub: Clause = weatherSub ? weatherClause(tense: subTense)
            : clause(tense: subTense, negation: conj == .because || conj == .although, adjunctBudget: 1)
        let main = clause(tense: mainTense, fronting: !subordinateFirst, adjunctBudget: 1)
        return .complex(main: main, conj, sub: sub, subordinateFirst: subordinateFirst)
    }

    mutating func whQuestion() -> Sentence {
        var target = weighted([(WhTarget.whereQ, 2), (.whenQ, 1), (.whyQ, 2), (.howQ, 1), (.whoSubject, 2), (.object(person: false), 3)])
        var c = clause(tense: questionTense(), negation: false, fronting: false, adjunctBudget: 1)
        c.time = nil; c.manner = nil; c.frequency = nil

        if case .copulaPlace = c.predicate {
            if target == .whereQ || target == .howQ { return .yesNo(c) }
        }
        if case .copula = c.predicate, target == .howQ { target = .whyQ }
        if target == .howQ, case let .transitive(v, _, _) = c.predicate, v.stative { target = .whyQ }
        switch target {
        case .whereQ: c.place = nil; c.companion = nil
        case .whenQ: break
        case .whyQ: break
        case .howQ:
            if case .copula = c.predicate { c.place = nil }
        case .whoSubject:
            guard let s = c.subject, s.body?.noun.classes.contains(.person) == true || s.isPronoun else { return .yesNo(c) }
            c.subject = nil
            return .wh(c, .whoSubject)
        case .object:
            guard case let .transitive(v, comp, obj?) = c.predicate, comp.germanPreposition == nil, comp.englishPreposition == nil else {
                return .wh(c, .whyQ)
            }
            let person = obj.isPronoun || obj.body?.noun.classes.contains(.person) == true
            if !person && comp.germanCase == .dative { return .wh(c, .whyQ) }
            c.predicate = .transitive(v, comp, nil)
            return .wh(c, .object(person: person))
        }
        return .wh(c, target)
    }

    // MARK: clauses

    mutating func clause(tense: Tense, verbs: [Verb]? = nil, forceClause: Bool = false, negation: Bool = true,
                         fronting: Bool = false, adjunctBudget: Int = 2, depth: Int = 0) -> Clause {
        let pool = verbs ?? subjectVerbs
        if !forceClause && verbs == nil && chance(0.1) { return copula(tense: tense) }
        while true {
            let v = pick(pool)
            var frames = v.frames
            if forceClause { frames = frames.filter { if case .clause = $0 { true } else { false } } }
            if depth > 0 { frames = frames.filter { if case .clause = $0 { false } else { true } } }
            guard !frames.isEmpty else { continue }
            let frame = pick(frames)
            var t = tense
            if case .progressive = t, v.stative { t = .present }
            let subject = nounPhrase(classes: v.subjects, pronounChance: 0.25, role: .subject)
            let predicate: Predicate
            switch frame {
            case .intransitive:
                predicate = .intransitive(v)
            case let .transitive(comp):
                guard let o = objectPhrase(comp, subject: subject) else { continue }
                predicate = .transitive(v, comp, o)
            case let .ditransitive(recipientClasses, theme, prep):
                let r = nounPhrase(classes: recipientClasses, pronounChance: 0.3, role: .object, avoiding: subject)
                guard let th = objectPhrase(theme, subject: subject, pronounChance: 0) else { continue }
                // English double objects ("gave her a book", "baked her a cake"), not with explain/recommend.
                let doubleObject = !Self.prepositionalOnly.contains(v.english) && (r.isPronoun || chance(0.3))
                predicate = .ditransitive(v, recipient: r, theme: th, englishPreposition: prep, recipientFirst: doubleObject)
            case let .clause(whether, personCase, prep):
                let person = personCase.map { _ in nounPhrase(classes: .person, pronounChance: 0.3, role: .object, avoiding: subject) }
                let subTense: Tense = tense.isPastLike ? weighted([(Tense.past, 4), (.modal(.can, past: true), 1)]) : anyTense()
                let inner = chance(0.1) ? weatherClause(tense: subTense.isPastLike ? .past : .present)
                    : clause(tense: subTense, negation: true, adjunctBudget: 1, depth: depth + 1)
                predicate = .clause(v, person: person, personCase: personCase, englishPreposition: prep,
                                    ClauseComplement(whether: whether, clause: inner))
            }
            var c = Clause(subject: subject, predicate: predicate, tense: t)
            addAdjuncts(&c, verb: v, frame: frame, negation: negation, fronting: fronting, budget: adjunctBudget)
            return c
        }
    }

    enum Role { case subject, object, place }

    /// Whether the object would need a reflexive pronoun (I … me): avoided.
    func clashes(_ a: NounPhrase, _ b: NounPhrase) -> Bool {
        if case let .pronoun(p) = a, case let .pronoun(q) = b {
            return p.person == q.person && p.person != .third && p.person != .thirdPlural || p == q
        }
        return false
    }

    mutating func objectPhrase(_ comp: Complement, subject: NounPhrase, pronounChance: Double = 0.2) -> NounPhrase? {
        for _ in 0..<4 {
            let o = nounPhrase(complement: comp, pronounChance: comp.classes.contains(.person) ? pronounChance : 0)
            if let o, !clashes(subject, o), !sameNoun(subject, o) { return o }
        }
        return nil
    }

    func sameNoun(_ a: NounPhrase, _ b: NounPhrase) -> Bool {
        if let x = a.body, let y = b.body { return x.noun == y.noun }
        return false
    }

    mutating func nounPhrase(complement comp: Complement, pronounChance: Double) -> NounPhrase? {
        if chance(pronounChance) { return .pronoun(pick(Pronoun.allCases)) }
        let candidates = lexicon.nouns.filter { comp.accepts($0) }
        guard !candidates.isEmpty else { return nil }
        return .noun(body(pick(candidates), role: .object))
    }

    mutating func nounPhrase(classes: NounClass, pronounChance: Double, role: Role, avoiding other: NounPhrase? = nil) -> NounPhrase {
        if classes.contains(.person) && chance(pronounChance) {
            while true {
                let p = NounPhrase.pronoun(pick(Pronoun.allCases))
                if let other, clashes(other, p) { continue }
                return p
            }
        }
        // Persons are the usual subjects; animals sometimes.
        var pool: [Noun]
        if classes.contains(.person) && (!classes.contains(.animal) || chance(0.8)) {
            pool = persons
        } else {
            pool = lexicon.nouns.filter { !$0.classes.isDisjoint(with: classes) }
        }
        if role == .subject && classes.contains(.person) && chance(0.05) {
            let a = pick(pool)
            var b = pick(pool)
            while b == a { b = pick(pool) }
            return .and(.noun(body(a, role: .object, plainOnly: true)), .noun(body(b, role: .object, plainOnly: true)))
        }
        while true {
            let n = pick(pool)
            if let other, let b = other.body, b.noun == n { continue }
            return .noun(body(n, role: role))
        }
    }

    mutating func body(_ noun: Noun, role: Role, plainOnly: Bool = false) -> NounPhraseBody {
        let plural = chance(role == .place ? 0.1 : 0.3) && noun.english != noun.englishPlural
        let number: GrammaticalNumber = plural ? .plural : .singular
        var det: Determiner
        let possessive = Determiner.possessive(pick(Pronoun.allCases))
        if role == .place {
            det = weighted([(Determiner.definite, 8), (possessive, 1), (.this, 1)])
        } else if plainOnly {
            det = weighted([(Determiner.definite, 3), (possessive, 2)])
        } else if number == .singular {
            var opts: [(Determiner, Double)] = [(.definite, 45), (.indefinite, 26), (possessive, 16), (.this, 7), (.every, 3)]
            if role == .subject { opts.append((.no, 2)) }
            det = weighted(opts)
        } else {
            det = weighted([(Determiner.definite, 40), (.bare, 15), (possessive, 16), (.this, 7), (.many, 6), (.some, 6),
                            (.several, 3), (.two, 4), (.three, 3)])
        }
        var b = NounPhraseBody(noun: noun, number: number, determiner: det)
        if chance(plainOnly ? 0.1 : 0.35) {
            let adjs = lexicon.adjectives.filter { !$0.classes.isDisjoint(with: noun.classes) }
            if !adjs.isEmpty {
                b.adjective = pick(adjs)
                b.intensified = chance(0.12)
            }
        }
        return b
    }

    mutating func placePhrase(spatial: Bool = true) -> PlacePhrase {
        if spatial && chance(0.2) {
            let (en, de) = pick(Self.spatial)
            return PlacePhrase(english: en, german: de, object: .noun(body(pick(landmarks), role: .place)))
        }
        let n = pick(places)
        return PlacePhrase(english: n.location!.english, german: n.location!.german, object: .noun(body(n, role: .place)))
    }

    mutating func addAdjuncts(_ c: inout Clause, verb: Verb, frame: VerbFrame, negation: Bool, fronting: Bool, budget: Int) {
        let simple: Bool
        switch c.tense { case .present, .past: simple = true; default: simple = false }
        var isClause = false
        if case .clause = frame { isClause = true }
        if negation && chance(0.14) && Self.negatable(c) {
            // Negation: only with no adjuncts other than time.
            c.negated = true
        }
        // Time.
        if chance(0.28) {
            let kinds: [AdverbKind]
            switch c.tense {
            case .past, .modal(_, past: true): kinds = [.pastTime, .anyTime]
            case .future: kinds = [.futureTime, .anyTime]
            default: kinds = [.anyTime]
            }
            c.time = pick(lexicon.adverbs.filter { kinds.contains($0.kind) })
            c.timeFronted = fronting && chance(0.4)
        } else if simple && !c.negated && !isClause && chance(0.12) {
            c.frequency = pick(lexicon.adverbs.filter { $0.kind == .frequency })
        }
        if c.negated || isClause { return }
        var left = budget
        if verb.wantsPlace || (left > 0 && chance(0.3)) {
            c.place = placePhrase()
            c.placeFronted = fronting && c.time == nil && chance(0.2)
            left -= 1
        }
        if left > 0 && !verb.stative && chance(0.18) {
            c.manner = pick(lexicon.adverbs.filter { $0.kind == .manner })
            left -= 1
        }
        if left > 0, case .intransitive = frame, !verb.stative, chance(0.15) {
            c.companion = .noun(body(pick(persons), role: .object, plainOnly: true))
            left -= 1
        }
        if left > 0, case .transitive = frame, Self.beneficiaryVerbs.contains(verb.english), chance(0.3) {
            c.beneficiary = nounPhrase(classes: .person, pronounChance: 0.3, role: .object, avoiding: c.subject)
            left -= 1
        }
    }

    static let quantifiers: Set<Determiner> = [.many, .some, .several, .two, .three, .every, .no]

    /// Negation is left out where nicht/kein would need care beyond the grammar: "no" and quantified
    /// subjects or objects.
    static func negatable(_ c: Clause) -> Bool {
        var phrases: [NounPhrase?] = [c.subject]
        switch c.predicate {
        case let .transitive(_, _, o): phrases.append(o)
        case let .ditransitive(_, r, t, _, _): phrases += [r, t]
        case let .existential(o): phrases.append(o)
        default: break
        }
        for p in phrases {
            if let b = p?.body, quantifiers.contains(b.determiner) { return false }
        }
        return true
    }

    mutating func addRelative(_ c: inout Clause) {
        // On the subject or on the object.
        var onSubject = chance(0.5)
        if case .transitive(_, _, let o?) = c.predicate, o.body != nil {} else { onSubject = true }
        let tense = weighted([(Tense.past, 3), (.present, 2), (.progressive, 0.5)])
        if onSubject {
            guard case var .noun(b)? = c.subject, b.relative == nil, b.determiner != .no, b.determiner != .every else { return }
            guard let r = relative(for: b.noun, tense: tense) else { return }
            b.relative = r
            c.subject = .noun(b)
        } else if case let .transitive(v, comp, .noun(ob)?) = c.predicate {
            var b = ob
            guard let r = relative(for: b.noun, tense: tense) else { return }
            b.relative = r
            c.predicate = .transitive(v, comp, .noun(b))
        }
    }

    mutating func relative(for noun: Noun, tense: Tense) -> RelativeClause? {
        let subjectGap = !noun.classes.isDisjoint(with: .animate) && chance(0.6)
        for _ in 0..<50 {
            let v = pick(subjectVerbs)
            if subjectGap {
                guard !v.subjects.isDisjoint(with: noun.classes) else { continue }
                let frame = pick(v.frames)
                var predicate: Predicate
                switch frame {
                case .intransitive: predicate = .intransitive(v)
                case let .transitive(comp):
                    guard let o = nounPhrase(complement: comp, pronounChance: 0.2), !(o.body?.noun == noun) else { continue }
                    predicate = .transitive(v, comp, o)
                default: continue
                }
                var t = tense
                if case .progressive = t, v.stative { t = .present }
                var c = Clause(subject: nil, predicate: predicate, tense: t)
                if case .intransitive = frame, chance(0.5) { c.place = placePhrase() }
                return RelativeClause(gap: .subject, clause: c)
            } else {
                let objectFrames = v.frames.compactMap { f -> Complement? in
                    if case let .transitive(comp) = f, comp.germanPreposition == nil, comp.englishPreposition == nil,
                       comp.accepts(noun) { return comp }
                    return nil
                }
                guard let comp = objectFrames.first else { continue }
                var subject = nounPhrase(classes: v.subjects, pronounChance: 0.35, role: .object)
                if subject.body?.noun == noun { continue }
                if case .and = subject { subject = .pronoun(.we) }
                var t = tense
                if case .progressive = t, v.stative { t = .present }
                return RelativeClause(gap: .object, clause: Clause(subject: subject, predicate: .transitive(v, comp, nil), tense: t))
            }
        }
        return nil
    }

    mutating func copula(tense: Tense) -> Clause {
        var tense = tense
        if case .progressive = tense { tense = .present }
        if case let .modal(_, past) = tense { tense = past ? .past : .present }
        if chance(0.25) {
            // "The children are in the garden."
            let subject = nounPhrase(classes: [.person, .animal, .vehicle, .object], pronounChance: 0.2, role: .subject)
            var c = Clause(subject: subject, predicate: .copulaPlace(placePhrase()), tense: tense)
            c.negated = chance(0.1) && Self.negatable(c)
            if chance(0.2) {
                c.time = pick(lexicon.adverbs.filter { $0.kind == .anyTime || ($0.kind == .pastTime && tense == .past) })
            }
            return c
        }
        let adj = pick(lexicon.adjectives)
        var subject: NounPhrase
        if adj.classes.contains(.person) && chance(0.2) {
            subject = .pronoun(pick(Pronoun.allCases))
        } else {
            let nouns = lexicon.nouns.filter { !$0.classes.isDisjoint(with: adj.classes) }
            var b = body(pick(nouns), role: .subject)
            if b.adjective == adj { b.adjective = nil }
            subject = .noun(b)
        }
        let intensifier: Intensifier? = chance(0.35) ? weighted([(Intensifier.very, 4), (.too, 1), (.quite, 2), (.really, 2)]) : nil
        var c = Clause(subject: subject, predicate: .copula(adj, intensifier: intensifier), tense: tense)
        if chance(0.1) && Self.negatable(c) { c.negated = true }
        return c
    }

    mutating func existential() -> Clause {
        let tense = weighted([(Tense.present, 3), (.past, 3), (.future, 1)])
        let classes = weighted([(NounClass.animal, 3), (NounClass.person, 3), (NounClass.object, 2), (NounClass.vehicle, 1), (NounClass.food, 1)])
        let pool = lexicon.nouns.filter { !$0.classes.isDisjoint(with: classes) }
        var b = body(pick(pool), role: .object)
        b.determiner = b.number == .singular ? .indefinite : weighted([(Determiner.bare, 2), (.many, 2), (.some, 1), (.two, 1), (.three, 1)])
        var c = Clause(subject: .expletive, predicate: .existential(.noun(b)), tense: tense)
        c.place = placePhrase()
        c.placeFronted = chance(0.4)
        if (b.determiner == .indefinite || b.determiner == .bare) && chance(0.15) { c.negated = true }
        return c
    }

    mutating func weatherClause(tense: Tense) -> Clause {
        if chance(0.5) {
            var t = tense
            if case .present = t, chance(0.6) { t = .progressive }
            return Clause(subject: .expletive, predicate: .intransitive(chance(0.6) ? rain : snow), tense: t)
        }
        return Clause(subject: .expletive, predicate: .copula(pick(weatherAdjectives), intensifier: chance(0.3) ? .very : nil),
                      tense: tense == .progressive ? .present : tense)
    }

    mutating func weatherSentence() -> Sentence {
        let tense = weighted([(Tense.present, 2), (.past, 2), (.future, 1)])
        var c = weatherClause(tense: tense)
        c.place = placePhrase(spatial: false)
        let time = lexicon.adverbs.filter {
            switch tense {
            case .past: $0.kind == .pastTime || $0.kind == .anyTime
            case .future: $0.kind == .futureTime || $0.kind == .anyTime
            default: $0.kind == .anyTime
            }
        }
        if chance(0.6) { c.time = pick(time); c.timeFronted = chance(0.5) }
        if !c.timeFronted { c.placeFronted = chance(0.4) }
        return .statement(c)
    }
}
