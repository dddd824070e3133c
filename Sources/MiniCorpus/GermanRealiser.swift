/// Realises an abstract `Sentence` as German: case and gender agreement in noun phrases (weak, mixed
/// and strong adjective endings, n-declension), verb-second main clauses, verb-first questions,
/// verb-final subordinate and relative clauses, the perfect with haben/sein, separable prefixes,
/// modal and future verb brackets, negation with nicht or kein, preposition-article contractions.
public enum GermanRealiser {
    public static func realise(_ s: Sentence) -> String {
        var t: [String]
        var question = false
        switch s {
        case let .statement(c):
            t = clause(c, order: .verbSecond(prefield: nil))
        case let .complex(main, conj, sub, first):
            let subTokens = clause(sub, order: .verbFinal(intro: [conj.german]))
            if first {
                t = clause(main, order: .verbSecond(prefield: subTokens + [","]))
            } else {
                t = clause(main, order: .verbSecond(prefield: nil)) + [","] + subTokens
            }
        case let .coordinated(a, b, but):
            // A comma before "und" closes a subordinate or relative clause ending the first clause.
            let first = clause(a, order: .verbSecond(prefield: nil))
            t = first + (but || first.contains(",") ? [",", but ? "aber" : "und"] : ["und"])
                + clause(b, order: .verbSecond(prefield: nil))
        case let .yesNo(c):
            t = clause(c, order: .verbFirst)
            question = true
        case let .wh(c, target):
            var objectCase = GrammaticalCase.accusative
            if case let .transitive(_, comp, _) = c.predicate { objectCase = comp.germanCase }
            t = clause(c, order: .verbSecond(prefield: [target.german(objectCase: objectCase)]))
            question = true
        }
        return finish(t, question: question)
    }

    /// Joins tokens, tidies commas, capitalises the first letter and adds the final mark.
    static func finish(_ tokens: [String], question: Bool) -> String {
        var out: [String] = []
        for tok in tokens where !tok.isEmpty {
            if tok == "," {
                if out.isEmpty || out.last == "," { continue }
            }
            out.append(tok)
        }
        while out.last == "," { out.removeLast() }
        var text = ""
        for (i, tok) in out.enumerated() {
            if tok == "," { text += ","; continue }
            text += (i == 0 ? "" : " ") + tok
        }
        return capitalisedFirst(text) + (question ? "?" : ".")
    }

    static func capitalisedFirst(_ s: String) -> String {
        guard let f = s.first else { return s }
        return f.uppercased() + s.dropFirst()
    }

    enum Order {
        case verbSecond(prefield: [String]?)
        case verbFirst
        case verbFinal(intro: [String])
    }

    struct VerbGroup {
        var finite: String
        var nonfinite: [String] = []
        var particle: String? = nil
        var particleJoined = true
    }

    static func verbGroup(_ c: Clause, person: Person) -> VerbGroup {
        let p = person.rawValue
        let modalForms: (Modal, Bool) -> [String] = { m, past in
            switch m {
            case .can: German.modal(.koennen, past: past)
            case .must: German.modal(c.negated && !past ? .duerfen : .muessen, past: past)
            case .want: German.modal(.wollen, past: past)
            }
        }
        switch c.predicate {
        case .copula, .copulaPlace:
            switch c.tense {
            case .present, .progressive: return VerbGroup(finite: German.sein[p])
            case .past: return VerbGroup(finite: German.seinPast[p])
            case .future: return VerbGroup(finite: German.werden[p], nonfinite: ["sein"])
            case let .modal(m, past): return VerbGroup(finite: modalForms(m, past)[p], nonfinite: ["sein"])
            }
        case .existential:
            switch c.tense {
            case .past: return VerbGroup(finite: "gab")
            case .future: return VerbGroup(finite: "wird", nonfinite: ["geben"])
            default: return VerbGroup(finite: "gibt")
            }
        case let .intransitive(v), let .transitive(v, _, _), let .ditransitive(v, _, _, _, _), let .clause(v, _, _, _, _):
            switch c.tense {
            case .present, .progressive:
                return VerbGroup(finite: v.germanPresent[p], particle: v.germanPrefix, particleJoined: v.prefixJoined)
            case .past:
                return VerbGroup(finite: (v.auxiliary == .sein ? German.sein : German.haben)[p], nonfinite: [v.germanParticiple])
            case .future:
                return VerbGroup(finite: German.werden[p], nonfinite: [v.germanFullInfinitive])
            case let .modal(m, past):
                return VerbGroup(finite: modalForms(m, past)[p], nonfinite: [v.germanFullInfinitive])
            }
        }
    }

    /// Whether a noun phrase can carry the negation itself (ein/bare plural → kein).
    static func absorbsNegation(_ np: NounPhrase?) -> Bool {
        guard let b = np?.body, b.relative == nil else { return false }
        return b.determiner == .indefinite || b.determiner == .bare
    }

    static func clause(_ c: Clause, order: Order, gapPerson: Person? = nil) -> [String] {
        let person = c.subject?.person ?? gapPerson ?? .third
        let vg = verbGroup(c, person: person)
        let subjectTokens = c.subject.map { np($0, .nominative) } ?? []

        var pronounObjects: [[String]] = []   // acc pronouns, then dat pronouns
        var datPronoun: [String] = []
        var nominalDat: [String] = []
        var nominalAcc: [String] = []
        var prepObject: [String] = []
        var predicative: [String] = []
        var extraposed: [String] = []
        var negationAbsorbed = false

        func addObject(_ o: NounPhrase, _ k: GrammaticalCase, focus: Bool) {
            let negate = c.negated && focus && absorbsNegation(o)
            if negate { negationAbsorbed = true }
            let tokens = np(o, k, negate: negate)
            if o.isPronoun {
                if k == .dative { datPronoun = tokens } else { pronounObjects.append(tokens) }
            } else if k == .dative { nominalDat += tokens } else { nominalAcc += tokens }
        }

        switch c.predicate {
        case .intransitive: break
        case let .transitive(_, comp, obj):
            if let obj {
                if let prep = comp.germanPreposition {
                    prepObject = np(obj, comp.germanCase, preposition: prep)
                } else {
                    addObject(obj, comp.germanCase, focus: true)
                }
            }
        case let .ditransitive(_, recipient, theme, _, _):
            addObject(recipient, .dative, focus: false)
            addObject(theme, .accusative, focus: true)
        case let .clause(_, person, personCase, _, comp):
            if let person, let k = personCase { addObject(person, k, focus: false) }
            extraposed = [","] + clause(comp.clause, order: .verbFinal(intro: [comp.whether ? "ob" : "dass"]))
        case let .copula(adj, intensifier):
            predicative = (intensifier.map { [$0.german] } ?? []) + [adj.german]
        case let .copulaPlace(pp):
            predicative = place(pp)
        case let .existential(o):
            addObject(o, .accusative, focus: true)
        }

        var prefield: [String]? = nil
        var subjectInMiddle = true
        var timeInMiddle = c.time != nil
        var placeInMiddle = c.place != nil
        if case let .verbSecond(given) = order {
            if let given { prefield = given } else if c.timeFronted, let t = c.time {
                prefield = [t.german]; timeInMiddle = false
            } else if c.placeFronted, let pp = c.place {
                prefield = place(pp); placeInMiddle = false
            } else {
                prefield = subjectTokens; subjectInMiddle = false
            }
        }
        var middle: [String] = subjectInMiddle ? subjectTokens : []
        for p in pronounObjects { middle += p }
        middle += datPronoun
        if timeInMiddle, let t = c.time { middle.append(t.german) }
        if let f = c.frequency { middle.append(f.german) }
        middle += nominalDat
        middle += nominalAcc
        if c.negated && !negationAbsorbed { middle.append("nicht") }
        middle += prepObject
        if let b = c.beneficiary { middle += np(b, .accusative, preposition: "für") }
        if let m = c.manner { middle.append(m.german) }
        if let w = c.companion { middle += np(w, .dative, preposition: "mit") }
        if placeInMiddle, let pp = c.place { middle += place(pp) }
        middle += predicative

        switch order {
        case .verbSecond:
            var out = (prefield ?? []) + [vg.finite] + middle + vg.nonfinite
            if let part = vg.particle { out.append(part) }
            return out + extraposed
        case .verbFirst:
            var out = [vg.finite] + middle + vg.nonfinite
            if let part = vg.particle { out.append(part) }
            return out + extraposed
        case let .verbFinal(intro):
            var out = intro + middle + vg.nonfinite
            if let part = vg.particle {
                if vg.particleJoined { out.append(part + vg.finite) } else { out += [part, vg.finite] }
            } else {
                out.append(vg.finite)
            }
            return out + extraposed
        }
    }

    static func place(_ pp: PlacePhrase) -> [String] {
        np(pp.object, .dative, preposition: pp.german)
    }

    static let contractions: [String: String] = [
        "in dem": "im", "an dem": "am", "bei dem": "beim", "von dem": "vom", "zu dem": "zum", "zu der": "zur",
        "in das": "ins", "an das": "ans",
    ]

    /// A noun phrase in a case; with `preposition`, the prepositional phrase (contracted where German does).
    public static func np(_ phrase: NounPhrase, _ k: GrammaticalCase, negate: Bool = false, preposition: String? = nil) -> [String] {
        var tokens: [String]
        switch phrase {
        case let .pronoun(p): tokens = [p.german(k)]
        case .expletive: tokens = ["es"]
        case let .and(a, b): tokens = np(a, k) + ["und"] + np(b, k)
        case let .noun(body):
            tokens = nounPhrase(body, k, negate: negate)
            if let prep = preposition, body.determiner == .definite, body.relative == nil,
               let contracted = contractions["\(prep) \(tokens[0])"] {
                return [contracted] + tokens.dropFirst()
            }
        }
        if let prep = preposition { return [prep] + tokens }
        return tokens
    }

    static func nounPhrase(_ b: NounPhraseBody, _ k: GrammaticalCase, negate: Bool) -> [String] {
        let g = b.noun.gender, n = b.number
        let r = German.row(k), i = German.index(g, n)
        var det: String? = nil
        var endings = German.weakAdjective
        switch b.determiner {
        case .definite: det = German.definite[r][i]
        case .indefinite, .bare:
            if negate {
                det = "kein" + German.einEndings[r][i]; endings = German.mixedAdjective
            } else if n == .singular {
                det = "ein" + German.einEndings[r][i]; endings = German.mixedAdjective
            } else {
                endings = German.strongAdjective
            }
        case .this: det = "dies" + German.strongEndings[r][i]
        case .every: det = "jed" + German.strongEndings[r][i]
        case .no: det = "kein" + German.einEndings[r][i]; endings = German.mixedAdjective
        case let .possessive(p): det = p.germanPossessive + German.einEndings[r][i]; endings = German.mixedAdjective
        case .many: det = "viel" + German.strongEndings[r][i]; endings = German.strongAdjective
        case .some: det = "einig" + German.strongEndings[r][i]; endings = German.strongAdjective
        case .several: det = "mehrer" + German.strongEndings[r][i]; endings = German.strongAdjective
        case .two: det = "zwei"; endings = German.strongAdjective
        case .three: det = "drei"; endings = German.strongAdjective
        }
        var out: [String] = det.map { [$0] } ?? []
        if let adj = b.adjective {
            if b.intensified { out.append("sehr") }
            out.append(adj.german(ending: endings[r][i]))
        }
        out.append(b.noun.germanForm(n, k))
        if let rel = b.relative {
            let gapCase: GrammaticalCase
            switch rel.gap {
            case .subject: gapCase = .nominative
            case .object:
                if case let .transitive(_, comp, _) = rel.clause.predicate { gapCase = comp.germanCase } else { gapCase = .accusative }
            }
            let pronoun = German.relativePronoun(g, n, gapCase)
            let gapPerson: Person? = rel.gap == .subject ? (n == .singular ? .third : .thirdPlural) : nil
            out += [","] + clause(rel.clause, order: .verbFinal(intro: [pronoun]), gapPerson: gapPerson) + [","]
        }
        return out
    }
}
